"""One timed peer solve of the overlap ODE, run in its own process (bench/run.py applies the timeout).

Usage: peer_solve.py scipy|diffrax METHOD INPUT_DIR T TIMES_CSV RTOL ATOL [WALL_LIMIT]
Prints one JSON line: seconds (the solve call only), nfev, status, risk (at the save times).
With WALL_LIMIT (seconds, scipy only) the solve is abandoned once it has run that long; the line
then has status "stopped" and tReached, the time the solver had reached, so a capped row still
says how far the peer got.
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ode_rhs import make_rhs, pack, unpack, risk  # noqa: E402


class WallLimitReached(Exception):
    pass


def main():
    kind, method, inp, T, times, rtol, atol = sys.argv[1:8]
    wall_limit = float(sys.argv[8]) if len(sys.argv) > 8 else None
    T, rtol, atol = float(T), float(rtol), float(atol)
    t_eval = np.array([float(s) for s in times.split(",")])
    lam = np.load(os.path.join(inp, "lambda.npy"))
    M0 = np.load(os.path.join(inp, "m0.npy"))
    P0 = np.load(os.path.join(inp, "p0.npy"))
    rs, r = M0.shape
    y0 = pack(M0, P0)
    if kind == "scipy":
        from scipy.integrate import solve_ivp
        rhs = make_rhs(lam, rs)
        progress = {"t": 0.0, "nfev": 0}
        if wall_limit is not None:
            plain_rhs = rhs

            def rhs(t, y):  # noqa: F811  (one clock read per evaluation: negligible next to the matrix products)
                progress["t"], progress["nfev"] = max(progress["t"], t), progress["nfev"] + 1
                if time.perf_counter() - t0 > wall_limit:
                    raise WallLimitReached()
                return plain_rhs(t, y)
        t0 = time.perf_counter()
        try:
            sol = solve_ivp(rhs, (0.0, T), y0, method=method, t_eval=t_eval, rtol=rtol, atol=atol)
        except WallLimitReached:
            print(json.dumps({"seconds": time.perf_counter() - t0, "nfev": progress["nfev"], "status": "stopped",
                              "tReached": progress["t"], "risk": []}))
            return
        seconds = time.perf_counter() - t0
        ys = sol.y.T
        nfev, status = int(sol.nfev), ("success" if sol.success else sol.message)
    elif kind == "diffrax":
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        import diffrax
        lam_j = jnp.asarray(lam)
        nm = rs * r

        def f(t, y, args):
            M = y[:nm].reshape(rs, r)
            P = y[nm:].reshape(rs, rs)
            K = M @ M.T + P
            dM = 4.0 * (M * lam_j - K @ M)
            dP = -4.0 * (K @ P + P @ K)
            return jnp.concatenate((dM.ravel(), dP.ravel()))

        solver = {"Dopri5": diffrax.Dopri5(), "Dopri8": diffrax.Dopri8()}[method]

        @jax.jit
        def solve(y0):
            return diffrax.diffeqsolve(
                diffrax.ODETerm(f), solver, t0=0.0, t1=T, dt0=None, y0=y0,
                saveat=diffrax.SaveAt(ts=jnp.asarray(t_eval)),
                stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol),
                max_steps=10_000_000)

        y0j = jnp.asarray(y0)
        solve(y0j).ys.block_until_ready()  # compile outside the timing
        t0 = time.perf_counter()
        sol = solve(y0j)
        sol.ys.block_until_ready()
        seconds = time.perf_counter() - t0
        ys = np.asarray(sol.ys)
        nfev = int(sol.stats["num_steps"]) * 6 + 1  # Dopri5 with FSAL: ~6 evaluations per step
        status = "success" if int(sol.result._value) == 0 else str(sol.result)
    else:
        raise SystemExit(f"unknown peer {kind}")
    risks = [float(risk(*unpack(y, rs, r), lam)) for y in ys]
    print(json.dumps({"seconds": seconds, "nfev": nfev, "status": status, "risk": risks}))


if __name__ == "__main__":
    main()
