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
