"""Timed peers of the ReLU overlap dynamics (bench/activation_rhs.py), one per process; bench/run.py applies the timeout.

Usage:
  activation_peer.py rhs numpy|jax INPUT_DIR REPS
      one RHS evaluation at the initial state of INPUT_DIR (jax: jit-compiled and warmed up first);
      prints seconds (median of REPS calls, each timed alone; jax waits for the result).
  activation_peer.py scipy RK45|DOP853|LSODA INPUT_DIR T TIMES_CSV RTOL ATOL [WALL_LIMIT]
  activation_peer.py diffrax Dopri5|Dopri8 INPUT_DIR T TIMES_CSV RTOL ATOL
      a full solve from (M0, P0); prints seconds (the solve call alone; diffrax compiled ahead of time, outside the
      timing), nfev,
      status, risk at the save times, and the evaluation counts at which the solve passed each save time (scipy only,
      "nfevAt"), from which run.py reads the late step size. scipy's nfev counts every right-hand-side call (LSODA's
      finite-difference Jacobians included; solve_ivp's own count is "solverNfev", with "njev", "nlu"). With
      WALL_LIMIT the solve runs in a forked child that is stopped there even inside LSODA's Fortran
      (bench/wall_limit.py): status "stopped", tReached, nfev, firstJacobianAt.
  activation_peer.py numpy-gd INPUT_DIR ETA TIMES_CSV
      population gradient descent at step ETA to the last save time (the times must be on the η grid).
  activation_peer.py diffrax METHOD INPUT_DIR T TIMES_CSV RTOL ATOL --stiffness INDEX_CSV
      also the extreme eigenvalues of the Jacobian of the (M, P) field at the solution's states at the save times of
      these indices (not timed): "times", "largestMagnitude", "smallestReal" (see stiffness()).
  activation_peer.py stiffness NPY_DIR INDEX_CSV
      the same at the states of a `riccati integrate --npy-dir NPY_DIR` run (its save times of these indices).
Every mode prints one JSON line. INPUT_DIR holds lambda.npy, m0.npy, p0.npy.
"""
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from activation_rhs import make_relu_rhs, pack, relu_gd_step, relu_risk, unpack  # noqa: E402
from ode_rhs import diffrax_solver  # noqa: E402
import wall_limit as wall_limit_mod  # noqa: E402


def load(inp):
    lam = np.load(os.path.join(inp, "lambda.npy"))
    M0 = np.load(os.path.join(inp, "m0.npy"))
    P0 = np.load(os.path.join(inp, "p0.npy"))
    return lam, M0, P0


def jax_np():
    import jax
    jax.config.update("jax_enable_x64", True)
    return jax, jax.numpy


def time_rhs(kind, inp, reps):
    lam, M0, P0 = load(inp)
    rs = M0.shape[0]
    y0 = pack(M0, P0)
    if kind == "numpy":
        f = make_relu_rhs(lam, rs)

        def call():
            return f(0.0, y0)
    else:
        jax, jnp = jax_np()
        fj = jax.jit(make_relu_rhs(jnp.asarray(lam), rs, jnp))
        yj = jnp.asarray(y0)

        def call():
            return fj(0.0, yj).block_until_ready()
    for _ in range(3):
        call()  # warm-up (jit compile for jax)
    secs = []
    for _ in range(reps):
        t0 = time.perf_counter()
        call()
        secs.append(time.perf_counter() - t0)
    return {"seconds": statistics.median(secs), "reps": reps, "status": "success"}


def solve_scipy(method, inp, T, t_eval, rtol, atol, wall_limit):
    """A solve_ivp solve (RK45, DOP853, LSODA, ...); with a wall limit, in a forked child that the parent kills if it
    is still inside compiled code (LSODA's dense LU) past the limit (bench/wall_limit.py)."""
    if wall_limit is None:
        return _solve_scipy(method, inp, T, t_eval, rtol, atol, None, wall_limit_mod.new_progress())
    return wall_limit_mod.run_limited(
        lambda progress: _solve_scipy(method, inp, T, t_eval, rtol, atol, wall_limit, progress), wall_limit,
        memory_limit=wall_limit_mod.memory_limit())


def _solve_scipy(method, inp, T, t_eval, rtol, atol, wall_limit, progress):
    from scipy.integrate import solve_ivp
    lam, M0, P0 = load(inp)
    rs, r = M0.shape
    y0 = pack(M0, P0)
    counted = wall_limit_mod.counting(make_relu_rhs(lam, rs), progress, wall_limit, y0.size)
    passed = []  # evaluation count when the solver first evaluated past each save time

    def rhs(t, y):
        if t > progress[wall_limit_mod.T]:
            while len(passed) < len(t_eval) and t >= t_eval[len(passed)]:
                passed.append(int(progress[wall_limit_mod.NFEV]) + 1)
        return counted(t, y)
    progress[wall_limit_mod.START] = time.perf_counter()
    try:
        sol = solve_ivp(rhs, (0.0, T), y0, method=method, t_eval=t_eval, rtol=rtol, atol=atol)
    except wall_limit_mod.WallLimitReached:
        return wall_limit_mod.stopped(progress, time.perf_counter() - progress[wall_limit_mod.START])
    seconds = time.perf_counter() - progress[wall_limit_mod.START]
    risks = [float(relu_risk(*unpack(y, rs, r), lam)) for y in sol.y.T]
    # nfev: the right-hand-side calls counted here (LSODA's finite-difference Jacobians included).
    return {"seconds": seconds, "nfev": int(progress[wall_limit_mod.NFEV]), "solverNfev": int(sol.nfev),
            "njev": int(sol.njev), "nlu": int(sol.nlu), "status": "success" if sol.success else sol.message,
            "risk": risks, "nfevAt": passed}


def diffrax_solve(method, inp, T, t_eval, rtol, atol):
    jax, jnp = jax_np()
    lam, M0, P0 = load(inp)
    rs, r = M0.shape
    solve = diffrax_solver(make_relu_rhs(jnp.asarray(lam), rs, jnp), method, T, t_eval, rtol, atol)
    return solve, jnp.asarray(pack(M0, P0)), lam, rs, r


def solve_diffrax(method, inp, T, t_eval, rtol, atol, stiff_at=None):
    solve, y0, lam, rs, r = diffrax_solve(method, inp, T, t_eval, rtol, atol)
    compiled = solve.lower(y0).compile()  # ahead-of-time compilation, outside the timing
    t0 = time.perf_counter()
    sol = compiled(y0)
    sol.ys.block_until_ready()
    seconds = time.perf_counter() - t0
    ys = np.asarray(sol.ys)
    stages = {"Dopri5": 6, "Dopri8": 12}[method]  # FSAL: evaluations per attempted step
    nfev = int(sol.stats["num_steps"]) * stages + 1
    ok = int(sol.result._value) == 0
    out = {"seconds": seconds, "nfev": nfev, "steps": int(sol.stats["num_steps"]),
           "accepted": int(sol.stats["num_accepted_steps"]), "status": "success" if ok else str(sol.result),
           "risk": [float(relu_risk(*unpack(y, rs, r), lam)) for y in ys]}
    if stiff_at and ok:
        ext = stiffness(lam, rs, [ys[k] for k in stiff_at])
        out["times"] = [float(t_eval[k]) for k in stiff_at]
        out["largestMagnitude"], out["smallestReal"] = [e[0] for e in ext], [e[1] for e in ext]
    return out


def numpy_gd(inp, eta, t_eval):
    lam, M, P = load(inp)
    save = {int(round(t / eta)): i for i, t in enumerate(t_eval)}
    n = max(save)
    risks = [None] * len(t_eval)
    t0 = time.perf_counter()
    for k in range(n):
        if k in save:  # the risk only at the save steps, as RiccatiKit does
            risks[save[k]] = float(relu_risk(M, P, lam))
            if not np.isfinite(risks[save[k]]):
                break
        M, P = relu_gd_step(M, P, lam, eta)
    else:
        risks[save[n]] = float(relu_risk(M, P, lam))
    seconds = time.perf_counter() - t0
    ok = all(x is not None and np.isfinite(x) for x in risks)
    return {"seconds": seconds, "nfev": n, "status": "success" if ok else "diverged", "risk": risks if ok else []}


def stiffness(lam, rs, ys):
    """Extreme eigenvalues of ∂f/∂y at the states ys: (largest magnitude, smallest real part), both real parts.

    Dense eigenvalues (jax.jacfwd) for small states, else ARPACK (which = LM, then SR) on jax.jvp products. A
    gradient flow's Jacobian has a real spectrum; its positive part is growth (the escape), its negative part sets
    the stability of explicit steps (Dopri5: h·|μ| ≲ 3.3; gradient descent: η·|μ| < 2)."""
    from scipy.sparse.linalg import LinearOperator, eigs
    jax, jnp = jax_np()
    f = make_relu_rhs(jnp.asarray(lam), rs, jnp)
    field = lambda z: f(0.0, z)  # noqa: E731
    jvp = jax.jit(lambda y, v: jax.jvp(field, (y,), (v,))[1])
    out = []
    for y in ys:
        yj = jnp.asarray(y)
        if y.size <= 3000:
            vals = np.linalg.eigvals(np.asarray(jax.jacfwd(field)(yj)))
            lm, sr = max(vals, key=abs).real, min(vals.real)
        else:
            op = LinearOperator((y.size, y.size), matvec=lambda v: np.asarray(jvp(yj, jnp.asarray(v))), dtype=np.float64)
            pair = []
            for which in ("LM", "SR"):
                try:
                    vals = eigs(op, k=2, which=which, return_eigenvectors=False, tol=1e-4, maxiter=5000)
                    pair.append(max(vals, key=abs).real if which == "LM" else min(vals.real))
                except Exception as e:
                    print(f"stiffness: ARPACK {which} failed ({str(e)[:80]})", file=sys.stderr)
                    pair.append(float("nan"))
            lm, sr = pair
        out.append((float(lm), float(sr)))
        print(f"stiffness: largest magnitude {lm:.4g}, smallest real part {sr:.4g}", file=sys.stderr, flush=True)
    return out


def stiffness_npy(npy_dir, indices):
    """stiffness() at the states a `riccati integrate --npy-dir` run saved (M.npy, P.npy, times.npy, lambda.npy)."""
    load_npy = lambda name: np.load(os.path.join(npy_dir, name + ".npy"))  # noqa: E731
    Ms, Ps, ts, lam = load_npy("M"), load_npy("P"), load_npy("times"), load_npy("lambda")
    rs = Ms.shape[1]
    ext = stiffness(lam, rs, [pack(Ms[k], Ps[k]) for k in indices])
    return {"status": "success", "times": [float(ts[k]) for k in indices], "largestMagnitude": [e[0] for e in ext],
            "smallestReal": [e[1] for e in ext]}


def main():
    a = sys.argv[1:]
    mode = a[0]
    if mode == "rhs":
        out = time_rhs(a[1], a[2], int(a[3]))
    elif mode == "stiffness":
        out = stiffness_npy(a[1], [int(k) for k in a[2].split(",")])
    elif mode == "numpy-gd":
        out = numpy_gd(a[1], float(a[2]), [float(s) for s in a[3].split(",")])
    else:
        method, inp, T, times, rtol, atol = a[1:7]
        t_eval = np.array([float(s) for s in times.split(",")])
        if mode == "scipy":
            out = solve_scipy(method, inp, float(T), t_eval, float(rtol), float(atol), float(a[7]) if len(a) > 7 else None)
        elif mode == "diffrax":
            out = solve_diffrax(method, inp, float(T), t_eval, float(rtol), float(atol),
                                [int(k) for k in a[8].split(",")] if len(a) > 8 and a[7] == "--stiffness" else None)
        else:
            raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
