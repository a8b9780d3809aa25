"""Checks of bench/activation_rhs.py against independent computations (run by hand; `--quick` is run.py's smoke).

1. κ and κ′ of ReLU against a 1-D quadrature of E[ReLU(z1) ReLU(ρ z1 + √(1−ρ²) z2)] (scipy quad, using
   E[ReLU(a + sZ)] = aΦ(a/s) + sφ(a/s)) and against a central difference of κ.
2. The risk written directly from W (jax, any kernel) against 2‖WᵀW − A‖_F² for κ(ρ) = 2ρ² (He2, MODEL.md).
3. The (M, P) right-hand side against −½ jax.grad of that W-space risk, projected: dM = Ẇ Θᵀ, dP = Ẇ Π Wᵀ + W Π Ẇᵀ.
4. A d-dimensional flow dW/dt = −½ ∇_W R (jax.grad, scipy DOP853 at rtol 1e-12) against the (M, P) flow at the same
   tolerance: maximum relative risk difference over the save times; likewise 200 steps of population GD.
Prints one line per check and exits 1 when one fails.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from activation_rhs import make_relu_rhs, pack, relu_dkappa, relu_gd_step, relu_kappa, relu_risk, unpack  # noqa: E402

FAILED = []


def report(name, value, tol):
    ok = bool(value <= tol)
    print(f"{'ok  ' if ok else 'FAIL'} {name}: {value:.2e} (tolerance {tol:g})", flush=True)
    if not ok:
        FAILED.append(name)


def check_kernel():
    from scipy.integrate import quad
    from scipy.stats import norm

    def by_quadrature(rho):
        s = np.sqrt(1.0 - rho * rho)
        if s == 0.0:
            return quad(lambda z: z * max(rho * z, 0.0) * norm.pdf(z), 0, np.inf, epsabs=1e-14, epsrel=1e-13)[0]

        def inner(z):  # E[ReLU(ρz + sZ)] for fixed z
            a = rho * z
            return a * norm.cdf(a / s) + s * norm.pdf(a / s)
        return quad(lambda z: z * inner(z) * norm.pdf(z), 0, np.inf, epsabs=1e-14, epsrel=1e-13)[0]

    rhos = np.array([-1.0, -0.999, -0.7, -0.3, 0.0, 0.2, 0.5, 0.9, 0.99999, 1.0])
    err = max(abs(by_quadrature(r) - relu_kappa(r)) for r in rhos)
    report("ReLU κ against quadrature (10 values of ρ in [−1, 1])", err, 1e-11)
    # Away from ±1: the third derivative of κ grows like (1 − ρ²)^(−3/2), and at ρ = 0.99999 the difference
    # itself would be off by 3e-7.
    h = 1e-5
    inner = np.array([-0.99, -0.7, -0.3, 0.0, 0.2, 0.5, 0.9, 0.99])
    fd = (relu_kappa(inner + h) - relu_kappa(inner - h)) / (2 * h)
    report("ReLU κ′ against a central difference of κ", float(np.max(np.abs(fd - relu_dkappa(inner)))), 1e-8)


def jax_setup():
    import jax
    jax.config.update("jax_enable_x64", True)
    return jax, jax.numpy


def w_risk(jnp, kappa):
    """R(W) straight from the rows of W: Σ_ii' ‖w_i‖²‖w_i'‖² κ(cos) − 2 Σ_ij ‖w_i‖² λ_j κ(cos(w_i, θ_j)) + teacher."""
    def R(W, Theta, lam):
        norms = jnp.sqrt(jnp.sum(W * W, axis=1))
        q = norms ** 2
        rs = W.shape[0]
        G = W @ W.T
        off = ~jnp.eye(rs, dtype=bool)
        # The diagonal pairs use κ(1) as a constant (their cosine is 1 by definition; differentiating arccos
        # at exactly 1 would give inf·0).
        cos = jnp.where(off, G / jnp.where(off, norms[:, None] * norms[None, :], 1.0), 0.0)
        student = jnp.sum(jnp.where(off, q[:, None] * q[None, :] * kappa(jnp.clip(cos, -1.0, 1.0)), 0.0)) \
            + kappa(jnp.float64(1.0)) * jnp.sum(q * q)
        cross = jnp.sum(q[:, None] * lam[None, :] * kappa((W @ Theta.T) / norms[:, None]))
        r = lam.shape[0]
        T = jnp.where(jnp.eye(r, dtype=bool), kappa(jnp.float64(1.0)), kappa(jnp.float64(0.0)))
        return student - 2.0 * cross + lam @ T @ lam
    return R


def problem(d, rs, r, sigma0, seed):
    rng = np.random.default_rng(seed)
    lam = np.arange(1, r + 1, dtype=np.float64) ** -1.0
    lam /= np.sqrt(np.sum(lam ** 2))
    Theta = np.linalg.qr(rng.standard_normal((d, r)))[0].T  # random orthonormal rows
    W0 = rng.normal(0.0, sigma0 / np.sqrt(d), size=(rs, d))
    return lam, Theta, W0


def to_mp(W, Theta):
    M = W @ Theta.T
    Wp = W - M @ Theta
    return M, Wp @ Wp.T


def check_he2(jax, jnp):
    lam, Theta, W0 = problem(12, 3, 2, 1.0, 1)
    R = w_risk(jnp, lambda c: 2.0 * c * c)
    A = Theta.T @ np.diag(lam) @ Theta
    D = W0.T @ W0 - A
    report("W-space risk with κ = 2ρ² against 2‖WᵀW − A‖² (He2)",
           abs(float(R(jnp.asarray(W0), jnp.asarray(Theta), jnp.asarray(lam))) - 2 * np.sum(D * D)) / (2 * np.sum(D * D)), 1e-13)


def check_rhs_and_flow(jax, jnp, quick):
    from scipy.integrate import solve_ivp
    d, rs, r = 12, 3, 2
    lam, Theta, _W0 = problem(d, rs, r, 1.0, 2)
    kappa = lambda c: relu_kappa(c, jnp)  # noqa: E731
    R = w_risk(jnp, kappa)
    Th, lj = jnp.asarray(Theta), jnp.asarray(lam)
    gradR = jax.jit(jax.grad(lambda W: R(W, Th, lj)))
    Pi = np.eye(d) - Theta.T @ Theta

    # 3. RHS against the projected W-space gradient at a few random states (one with an anti-aligned neuron).
    rhs = make_relu_rhs(lam, rs)
    worst = 0.0
    rng = np.random.default_rng(3)
    for k in range(5):
        W = rng.standard_normal((rs, d)) * (0.3 if k % 2 else 1.0)
        if k == 4:
            W[0] = -2.0 * Theta[0]  # ρ = −1 with θ_1: κ′(−1) = 0, the neuron never rotates
        Wdot = -0.5 * np.asarray(gradR(jnp.asarray(W)))
        dM, dP = unpack(rhs(0.0, pack(*to_mp(W, Theta))), rs, r)
        dM_w = Wdot @ Theta.T
        dP_w = Wdot @ Pi @ W.T + W @ Pi @ Wdot.T
        scale = np.max(np.abs(Wdot)) * max(1.0, np.max(np.abs(W)))
        worst = max(worst, np.max(np.abs(dM - dM_w)) / scale, np.max(np.abs(dP - dP_w)) / scale)
    report("(M, P) right-hand side against −½ jax.grad of R(W), 5 states", worst, 1e-12)

    # A neuron at exactly zero: the floored norm keeps the field finite, and that neuron stays at zero.
    W = rng.standard_normal((rs, d))
    W[1] = 0.0
    dM, dP = unpack(rhs(0.0, pack(*to_mp(W, Theta))), rs, r)
    finite = bool(np.all(np.isfinite(dM)) and np.all(np.isfinite(dP)))
    # (A_1i' = 2 n_1 n_i' κ′ and B_1j are ~1e-150 with the floor n_1 = 1e-150, not exactly 0.)
    report("zero neuron: finite field, velocity of that neuron (max of its rows of dM, dP)",
           float(max(np.max(np.abs(dM[1])), np.max(np.abs(dP[1])))) if finite else np.inf, 1e-140)

    # 4. Flows. W-space: d·r_s unknowns, gradient by jax.grad; (M, P): bench/activation_rhs.py. Two starts: σ0 = 1,
    # and a small one (σ0 = 1e-3, the Figure-4 regime, where the norms first shrink and the escape is late).
    tol = dict(rtol=1e-12, atol=1e-14) if not quick else dict(rtol=1e-10, atol=1e-13)
    for sigma0, T in ((1.0, 200.0),) + (() if quick else ((1e-3, 400.0),)):
        if quick:
            T = 20.0
        lam, Theta, W0 = problem(d, rs, r, sigma0, 2)
        Th = jnp.asarray(Theta)
        gradR = jax.jit(jax.grad(lambda W, Th=Th: R(W, Th, lj)))
        atol = tol["atol"] * sigma0 ** 2  # the state is of size σ0²/d at first
        times = np.minimum(np.concatenate(([0.0], np.logspace(-2, np.log10(T), 8 if quick else 15))), T)
        sw = solve_ivp(lambda t, w: -0.5 * np.asarray(gradR(jnp.asarray(w.reshape(rs, d)))).ravel(), (0, T), W0.ravel(),
                       method="DOP853", t_eval=times, rtol=tol["rtol"], atol=tol["atol"] * sigma0)
        sm = solve_ivp(rhs, (0, T), pack(*to_mp(W0, Theta)), method="DOP853", t_eval=times, rtol=tol["rtol"], atol=atol)
        rw = np.array([float(R(jnp.asarray(w.reshape(rs, d)), Th, lj)) for w in sw.y.T])
        rm = np.array([relu_risk(*unpack(y, rs, r), lam) for y in sm.y.T])
        rw_mp = np.array([relu_risk(*to_mp(w.reshape(rs, d), Theta), lam) for w in sw.y.T])
        # Both risks are sums of O(1) terms cancelling to R: round-off alone is ~1e-16·R(0)/R.
        report(f"σ0 = {sigma0:g}: (M, P) risk formula against R(W) along the W trajectory (relative to R(0))",
               float(np.max(np.abs(rw_mp - rw)) / rw[0]), 1e-13)
        print(f"     risk {rw[0]:.6g} → {rw[-1]:.6g} over t ∈ [0, {T:g}] ({sw.nfev} W-space / {sm.nfev} (M, P) evaluations)")
        report(f"σ0 = {sigma0:g}: (M, P) flow against the d = {d} flow of W (r_s = {rs}, r = {r}), max rel. risk "
               f"difference, DOP853 rtol {tol['rtol']:g}", float(np.max(np.abs(rm - rw) / rw)), 1e-8 if not quick else 1e-6)

    # Population GD: W ← W − (η/2) ∇_W R against the (M, P) map (σ0 = 1 start).
    lam, Theta, W0 = problem(d, rs, r, 1.0, 2)
    Th = jnp.asarray(Theta)
    gradR = jax.jit(jax.grad(lambda W: R(W, Th, lj)))
    eta, steps = 0.05, 50 if quick else 200
    W, M, P = W0.copy(), *to_mp(W0, Theta)
    worst = 0.0
    rk_w0 = float(R(jnp.asarray(W), Th, lj))
    for _ in range(steps):
        rk = relu_risk(M, P, lam)
        M, P = relu_gd_step(M, P, lam, eta)
        rk_w = float(R(jnp.asarray(W), Th, lj))
        worst = max(worst, abs(rk - rk_w) / rk_w)
        W = W - 0.5 * eta * np.asarray(gradR(jnp.asarray(W)))
    print(f"     GD η = {eta:g}: risk {rk_w0:.6g} → {rk_w:.6g} in {steps} steps")
    report(f"(M, P) population GD against W-space GD, {steps} steps", worst, 1e-11)


def main():
    quick = "--quick" in sys.argv
    check_kernel()
    try:
        jax, jnp = jax_setup()
    except Exception as e:  # the W-space checks need jax
        print(f"skip W-space checks: jax not importable ({e})")
        return 1 if FAILED else 0
    check_he2(jax, jnp)
    check_rhs_and_flow(jax, jnp, quick)
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
