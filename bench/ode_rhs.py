"""Right-hand side of the overlap ODE of MODEL.md, vectorised with numpy, on the flattened state.

    dM/dt = 4 (M Λ − K M),   dP/dt = −4 (K P + P K),   K = M Mᵀ + P
State y = [M (r_s×r, row-major) | P (r_s×r_s, row-major)], as RiccatiKit packs it.
"""
import numpy as np


def make_rhs(lam, rs):
    lam = np.asarray(lam, dtype=np.float64)
    r = lam.shape[0]
    nm = rs * r

    def rhs(t, y):
        M = y[:nm].reshape(rs, r)
        P = y[nm:].reshape(rs, rs)
        K = M @ M.T + P
        dM = 4.0 * (M * lam - K @ M)
        KP = K @ P
        dP = -4.0 * (KP + P @ K)
        return np.concatenate((dM.ravel(), dP.ravel()))

    return rhs


def pack(M, P):
    return np.concatenate((np.ascontiguousarray(M).ravel(), np.ascontiguousarray(P).ravel()))


def unpack(y, rs, r):
    return y[: rs * r].reshape(rs, r), y[rs * r:].reshape(rs, rs)


def risk(M, P, lam):
    """R = 2(‖G − Λ‖_F² + 2 tr(MᵀPM) + ‖P‖_F²), the form RiccatiKit uses (README, "Risk formula")."""
    G = M.T @ M
    G[np.diag_indices_from(G)] -= lam
    return 2.0 * (np.sum(G * G) + 2.0 * np.sum(M * (P @ M)) + np.sum(P * P))


# SGD-aware effective dynamics of MODEL.md ("SGD-aware effective dynamics"), in (M, Q), Q = M Mᵀ + P.
# `xp` is numpy or jax.numpy (diffrax). Written from MODEL.md's formulas, independently of RiccatiKit's code.

def sgd_terms(M, Q, lam, xp=np):
    """(MΛMᵀ, WDWᵀ, WD²Wᵀ, ‖D‖², tr D) at the state (M, Q)."""
    ML = M * lam
    MLM = ML @ M.T
    Q2 = Q @ Q
    QMLM = Q @ MLM
    WDW = Q2 - MLM
    WD2W = Q2 @ Q - QMLM - QMLM.T + ML @ ML.T
    D2 = xp.trace(Q2) - 2.0 * xp.trace(MLM) + xp.sum(lam * lam)
    trD = xp.trace(Q) - xp.sum(lam)
    return MLM, WDW, WD2W, D2, trD


def sgd_mean_map_step(M, Q, lam, eta, d, B, noise):
    """One step of the exact one-step mean of minibatch SGD; returns (M, Q, risk before the step)."""
    MLM, WDW, WD2W, D2, trD = sgd_terms(M, Q, lam)
    Egg = (8 * d + 40) * D2 * Q + 32 * (d + 4) * WD2W + 32 * trD * WDW + 4 * noise ** 2 * (d + 1) * Q
    Eghat = (1.0 - 1.0 / B) * 16.0 * WD2W + Egg / B
    return M + 4 * eta * (M * lam - Q @ M), Q - 8 * eta * WDW + eta ** 2 * Eghat, 2.0 * D2


def make_sgd_limit_rhs(lam, rs, c, noise, xp=np):
    """dM/dt = 4(MΛ − QM), dQ/dt = 8(MΛMᵀ − Q²) + c(8‖D‖²Q + 32 WD²Wᵀ + 4ς²Q) on y = [M | Q] (row-major)."""
    r = lam.shape[0]
    nm = rs * r

    def rhs(t, y, *_):
        M = y[:nm].reshape(rs, r)
        Q = y[nm:].reshape(rs, rs)
        MLM, WDW, WD2W, D2, _trD = sgd_terms(M, Q, lam, xp)
        dM = 4.0 * (M * lam - Q @ M)
        dQ = -8.0 * WDW + c * ((8.0 * D2 + 4.0 * noise ** 2) * Q + 32.0 * WD2W)
        return xp.concatenate((dM.ravel(), dQ.ravel()))

    return rhs


def risk_mq(M, Q, lam):
    """R = 2‖D‖² = 2(tr Q² − 2 tr MΛMᵀ + ‖λ‖²)."""
    return float(2.0 * sgd_terms(M, Q, lam)[3])


def diffrax_solver(f, method, T, t_eval, rtol, atol):
    """A jit-compiled diffrax solve of dy/dt = f(t, y, args) on [0, T] with a PID controller, saving at t_eval:
    returns solve(y0) (jax and diffrax imported here, so that the numpy peers do not need them)."""
    import jax
    import jax.numpy as jnp
    import diffrax
    solver = {"Dopri5": diffrax.Dopri5(), "Dopri8": diffrax.Dopri8()}[method]

    @jax.jit
    def solve(y0):
        return diffrax.diffeqsolve(
            diffrax.ODETerm(f), solver, t0=0.0, t1=T, dt0=None, y0=y0,
            saveat=diffrax.SaveAt(ts=jnp.asarray(t_eval)),
            stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
            max_steps=10_000_000)
    return solve
