"""General-activation (ReLU) overlap dynamics of MODEL.md ("General activations"), written for the bench from the
formulas there, independently of RiccatiKit's Swift code. `xp` is numpy or jax.numpy.

Student f_W(x) = Σ_i ‖w_i‖² σ(⟨w_i, x⟩/‖w_i‖), teacher f* = Σ_j λ_j σ(⟨θ_j, x⟩), κ(ρ) = E[σ(u·x)σ(v·x)] for unit u, v.
With Q = M Mᵀ + P, q_i = Q_ii, n_i = √q_i, ρ_ii' = Q_ii'/(n_i n_i'), m_ij = M_ij/n_i:

    R = Σ_ii' q_i q_i' κ(ρ_ii') − 2 Σ_ij q_i λ_j κ(m_ij) + Σ_jj' λ_j λ_j' κ(δ_jj')

and ∇_W R = S W + B Θ with
    S = diag(s) + A,  A_ii' = 2 n_i n_i' κ′(ρ_ii'),
    s_i = 2 Σ_i' q_i' (2κ(ρ_ii') − ρ_ii' κ′(ρ_ii')) − 2 Σ_j λ_j (2κ(m_ij) − m_ij κ′(m_ij)),
    B_ij = −2 λ_j n_i κ′(m_ij)
(derived by differentiating R through q_i = ‖w_i‖², Q_ii' = ⟨w_i, w_i'⟩, M_ij = ⟨w_i, θ_j⟩; the diagonal pair i = i'
contributes 4 q_i κ(1) w_i, which the same s_i and A_ii reproduce). The gradient flow dW/dt = −½ ∇_W R then reads

    dM/dt = −½ (S M + B),   dP/dt = −½ (S P + P S),

and population gradient descent with step η (time t = η·k) W ← W − (η/2)(S W + B Θ) reads
    M ← M − (η/2)(S M + B),   P ← (I − (η/2) S) P (I − (η/2) S).

Numerical choices (documented, also in bench/RESULTS.md):
- n_i = √max(q_i, Q_FLOOR), Q_FLOOR = 1e-300: a neuron shrunk to exactly zero gives n_i = 1e-150, finite ratios
  (clipped below) and A_i· = B_i· = 0 to round-off; no NaN.
- ρ and m are clipped to [−1, 1] (round-off can push |ρ| a few ulps past 1, where arccos is NaN), and the diagonal
  ρ_ii is set to exactly 1: Q_ii/(n_i n_i) = 1 − 1 ulp would give arccos ≈ 1.5e-8 and move κ′(ρ_ii) by 2.4e-9
  (arccos has a square-root singularity at 1).
State vector y = [M (r_s×r, row-major) | P (r_s×r_s, row-major)], as RiccatiKit packs it.
"""
import numpy as np

Q_FLOOR = 1e-300


def relu_kappa(rho, xp=np):
    """E[ReLU(u·x) ReLU(v·x)] for unit u, v with u·v = ρ: (√(1−ρ²) + ρ(π − arccos ρ))/(2π)."""
    return (xp.sqrt(xp.maximum(1.0 - rho * rho, 0.0)) + rho * (np.pi - xp.arccos(rho))) / (2.0 * np.pi)


def relu_dkappa(rho, xp=np):
    """κ′(ρ) = (π − arccos ρ)/(2π)."""
    return (np.pi - xp.arccos(rho)) / (2.0 * np.pi)


def relu_angles(M, P, xp=np):
    """(q, n, ρ, m, diagonal mask) at the state (M, P): Q = MMᵀ + P, q_i = Q_ii, n_i = √max(q_i, Q_FLOOR),
    ρ_ii' = Q_ii'/(n_i n_i') off the diagonal (0 on it), m_ij = M_ij/n_i, both clipped to [−1, 1]."""
    rs = M.shape[0]
    Q = M @ M.T + P
    q = xp.diagonal(Q)
    n = xp.sqrt(xp.maximum(q, Q_FLOOR))
    inv = 1.0 / n
    eye = xp.eye(rs, dtype=bool)
    rho = xp.where(eye, 0.0, xp.clip(Q * inv[:, None] * inv[None, :], -1.0, 1.0))
    return q, n, rho, xp.clip(M * inv[:, None], -1.0, 1.0), eye


def relu_fields(M, P, lam, xp=np):
    """(S, B) at the state (M, P): ∇_W R = S W + B Θ."""
    q, n, rho, m, eye = relu_angles(M, P, xp)
    # On the diagonal ρ = 1 and κ(1) = κ′(1) = ½ are put in directly (κ′ has an infinite slope at 1, which would make
    # a jax derivative of the field NaN through the constant diagonal).
    dkr = xp.where(eye, 0.5, relu_dkappa(rho, xp))
    kr = xp.where(eye, 0.5, relu_kappa(rho, xp))
    rho = xp.where(eye, 1.0, rho)
    dkm = relu_dkappa(m, xp)
    km = relu_kappa(m, xp)
    A = 2.0 * (n[:, None] * n[None, :]) * dkr
    s = 2.0 * ((2.0 * kr - rho * dkr) @ q) - 2.0 * ((2.0 * km - m * dkm) @ lam)
    S = A + xp.diag(s)
    B = -2.0 * (n[:, None] * lam[None, :]) * dkm
    return S, B


def make_relu_rhs(lam, rs, xp=np):
    """f(t, y, *args) on y = [M | P]; with xp = jax.numpy it is jit-able and works as a diffrax ODETerm."""
    r = lam.shape[0]
    nm = rs * r

    def rhs(t, y, *_):
        M = y[:nm].reshape(rs, r)
        P = y[nm:].reshape(rs, rs)
        S, B = relu_fields(M, P, lam, xp)
        dM = -0.5 * (S @ M + B)
        SP = S @ P
        dP = -0.5 * (SP + SP.T)  # P S = (S P)ᵀ: S and P are symmetric
        return xp.concatenate((dM.ravel(), dP.ravel()))

    return rhs


def relu_risk(M, P, lam, xp=np):
    """R = Σ q_i q_i' κ(ρ_ii') − 2 Σ q_i λ_j κ(m_ij) + Σ λ_j λ_j' κ(δ_jj'), with the same floor and clipping."""
    q, _n, rho, m, eye = relu_angles(M, P, xp)
    rho = xp.where(eye, 1.0, rho)
    k0, k1 = float(relu_kappa(np.float64(0.0))), float(relu_kappa(np.float64(1.0)))
    teacher = k1 * xp.sum(lam * lam) + k0 * (xp.sum(lam) ** 2 - xp.sum(lam * lam))
    return q @ relu_kappa(rho, xp) @ q - 2.0 * (q @ relu_kappa(m, xp) @ lam) + teacher


def relu_gd_step(M, P, lam, eta):
    """One step of population gradient descent (numpy): returns the next (M, P)."""
    S, B = relu_fields(M, P, lam)
    h = 0.5 * eta
    M_next = M - h * (S @ M + B)
    T = P - h * (S @ P)           # (I − hS) P
    P_next = T - h * (T @ S)      # (I − hS) P (I − hS)
    return M_next, 0.5 * (P_next + P_next.T)


def pack(M, P):
    return np.concatenate((np.ascontiguousarray(M).ravel(), np.ascontiguousarray(P).ravel()))


def unpack(y, rs, r):
    return y[: rs * r].reshape(rs, r), y[rs * r:].reshape(rs, rs)
