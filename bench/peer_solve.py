"""One timed peer solve of the overlap ODE, run in its own process (bench/run.py applies the timeout).

Usage: peer_solve.py [--sgd ETA,D,B,NOISE] scipy|diffrax|numpy METHOD INPUT_DIR T TIMES_CSV RTOL ATOL [WALL_LIMIT]
       peer_solve.py numpy-sgd INPUT_DIR B STEPS ETA SEED   (run.py's numpy SGD loop, float64, one seed)
Prints one JSON line: seconds (the solve call only), nfev, status, risk (at the save times).
With WALL_LIMIT (seconds, scipy only) the solve is abandoned once it has run that long; the line
then has status "stopped" and tReached, the time the solver had reached, so a capped row still
says how far the peer got. The limited solve runs in a forked child, stopped by its parent even inside
compiled code (LSODA's dense LU; bench/wall_limit.py). METHOD is any solve_ivp method (RK45, DOP853,
LSODA, ...); scipy's nfev counts every right-hand-side call, LSODA's finite-difference Jacobians included
(solve_ivp's own count is solverNfev, with njev and nlu).

With --sgd the peers solve MODEL.md's SGD-aware dynamics in (M, Q) instead of the gradient flow:
scipy/diffrax the limit ODE at c = ETA·D/B, `numpy mean-map` iterates the exact one-step mean map
at step ETA (the save times must be on the η grid; RTOL and ATOL are ignored; nfev = map steps).
"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ode_rhs import (diffrax_solver, make_rhs, make_sgd_limit_rhs, pack, risk, risk_mq,  # noqa: E402
                     sgd_mean_map_step, unpack)
import wall_limit as wall_limit_mod  # noqa: E402


def mean_map(M, P, lam, eta, d, B, noise, t_eval):
    """Iterates the map to the last save time; (seconds, number of steps, risks at the save times)."""
    save = {int(round(t / eta)): i for i, t in enumerate(t_eval)}
    n = max(save)
    risks = [None] * len(t_eval)
    t0 = time.perf_counter()
    Q = M @ M.T + P
    for k in range(n):
        # The step returns the risk of the state it starts from: the risk at step k.
        M_next, Q_next, rk = sgd_mean_map_step(M, Q, lam, eta, d, B, noise)
        if k in save:
            risks[save[k]] = float(rk)
        M, Q = M_next, Q_next
    risks[save[n]] = risk_mq(M, Q, lam)
    return time.perf_counter() - t0, n, risks


def main():
    argv = sys.argv[1:]
    if argv[0] == "numpy-sgd":  # numpy-sgd INPUT_DIR B STEPS ETA SEED: run.py's numpy SGD loop (float64), one seed
        from run import numpy_sgd
        inp, B, steps, eta, seed = argv[1:6]
        seconds, _rng_s, rk = numpy_sgd(np.load(os.path.join(inp, "w0.npy")), np.load(os.path.join(inp, "lambda.npy")),
                                        int(B), int(steps), float(eta), np.float64, int(seed))
        print(json.dumps({"seconds": seconds, "nfev": int(steps), "status": "success" if np.isfinite(rk) else "diverged",
                          "risk": [rk]}))
        return
    sgd = None
    if argv[0] == "--sgd":
        eta, d, B, noise = (float(x) for x in argv[1].split(","))
        sgd = dict(eta=eta, d=d, B=B, noise=noise, c=eta * d / B)
        argv = argv[2:]
    kind, method, inp, T, times, rtol, atol = argv[:7]
    wall_limit = float(argv[7]) if len(argv) > 7 else None
    T, rtol, atol = float(T), float(rtol), float(atol)
    t_eval = np.array([float(s) for s in times.split(",")])
    lam = np.load(os.path.join(inp, "lambda.npy"))
    M0 = np.load(os.path.join(inp, "m0.npy"))
    P0 = np.load(os.path.join(inp, "p0.npy"))
    rs, r = M0.shape
    # The limit ODE runs on [M | Q]; the gradient flow on [M | P], as RiccatiKit packs it.
    y0 = pack(M0, M0 @ M0.T + P0) if sgd else pack(M0, P0)

    def risks_of(ys):
        if sgd:
            return [risk_mq(*unpack(y, rs, r), lam) for y in ys]
        return [float(risk(*unpack(y, rs, r), lam)) for y in ys]
    if kind == "numpy" and sgd and method == "mean-map":
        seconds, nfev, risks = mean_map(M0, P0, lam, sgd["eta"], sgd["d"], sgd["B"], sgd["noise"], t_eval)
        ok = all(np.isfinite(risks))
        print(json.dumps({"seconds": seconds, "nfev": nfev, "status": "success" if ok else "diverged",
                          "risk": risks if ok else []}))
        return
    if kind == "scipy":
        from scipy.integrate import solve_ivp
        plain = make_sgd_limit_rhs(lam, rs, sgd["c"], sgd["noise"]) if sgd else make_rhs(lam, rs)

        def solve(progress):
            # One clock read per evaluation: negligible next to the matrix products.
            rhs = wall_limit_mod.counting(plain, progress, wall_limit, y0.size)
            progress[wall_limit_mod.START] = t0 = time.perf_counter()
            try:
                sol = solve_ivp(rhs, (0.0, T), y0, method=method, t_eval=t_eval, rtol=rtol, atol=atol)
            except wall_limit_mod.WallLimitReached:
                return wall_limit_mod.stopped(progress, time.perf_counter() - t0)
            seconds = time.perf_counter() - t0
            # nfev: the right-hand-side calls counted here (LSODA's finite-difference Jacobians included).
            return {"seconds": seconds, "nfev": int(progress[wall_limit_mod.NFEV]), "solverNfev": int(sol.nfev),
                    "njev": int(sol.njev), "nlu": int(sol.nlu), "status": "success" if sol.success else sol.message,
                    "risk": risks_of(sol.y.T)}
        if wall_limit is None:
            out = solve(wall_limit_mod.new_progress())
        else:
            out = wall_limit_mod.run_limited(solve, wall_limit, memory_limit=wall_limit_mod.memory_limit())
        print(json.dumps(out))
        return
    if kind == "diffrax":
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
        lam_j = jnp.asarray(lam)
        nm = rs * r

        def f(t, y, args):
            M = y[:nm].reshape(rs, r)
            P = y[nm:].reshape(rs, rs)
            K = M @ M.T + P
            dM = 4.0 * (M * lam_j - K @ M)
            dP = -4.0 * (K @ P + P @ K)
            return jnp.concatenate((dM.ravel(), dP.ravel()))
        if sgd:
            f = make_sgd_limit_rhs(lam_j, rs, sgd["c"], sgd["noise"], jnp)  # noqa: F811

        solve = diffrax_solver(f, method, T, t_eval, rtol, atol)

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
    print(json.dumps({"seconds": seconds, "nfev": nfev, "status": status, "risk": risks_of(ys)}))


if __name__ == "__main__":
    main()
