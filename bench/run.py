#!/usr/bin/env python3
"""RiccatiKit benchmark harness (issue 7). `make bench` runs it; `make bench-smoke` runs it with --smoke.

Writes the inputs of every problem once (fixed seed) to bench/inputs/, times `riccati integrate`
(dopri5, dop853, rk4, exact in its three factorisations) against scipy's solve_ivp (RK45, DOP853) and, when jax and
diffrax import, diffrax's Dopri5; times `riccati sgd` (double, float) against a numpy loop; times the SGD-aware dynamics
(issue 16: `--dynamics sgd-mean-map` against a numpy map from MODEL.md's formulas and against the 40-seed SGD it
replaces, `--dynamics sgd-limit` against scipy/diffrax on the limit ODE in numpy); times the ReLU overlap dynamics
(issue 17, section ACT-R: `integrate --activation relu`, dopri5 and population gradient descent, against numpy/scipy and
jax/diffrax peers of bench/activation_rhs.py); times the stabilised explicit methods (issue 18, section ROCK: rock2,
rock4 and auto against dopri5, dop853 and scipy RK45/LSODA on the ReLU flow, the SGD limit ODE and ODE-M; see
ROCK_PROBLEMS); and writes bench/RESULTS.md (or a temporary file with --smoke; `--only SGDA-M --merge`,
`--only ACT-R --merge` or `--only ROCK --merge` writes only that section into the existing file).
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SEED = 20251129

ODE_PROBLEMS = [
    # name, alpha, r, rs, d, T
    ("ODE-S", 1.0, 64, 16, 1024, 2000.0),
    ("ODE-M", 1.0, 256, 64, 4096, 5000.0),
    ("ODE-L", 1.0, 1024, 256, 10**6, 20000.0),
]
SGD_PROBLEMS = [
    # name, d = B, r, rs, steps, eta
    ("SGD-1", 1024, 256, 64, 200, 0.005),
    ("SGD-2", 2048, 512, 128, 50, 0.005),
]
SMOKE_ODE = [("ODE-smoke", 1.0, 8, 4, 64, 20.0)]
SMOKE_SGD = [("SGD-smoke", 64, 8, 6, 10, 0.005)]  # r_s ≠ riccati's default 4, so a missing flag shows
SIGMA0_ODE = 1.0   # riccati integrate's default σ0
SIGMA0_SGD = 0.3   # riccati sgd's default σ0
# SGD-aware section: riccati sgd's default σ0. From integrate's default σ0 = 1 (and from 0.5) the mean map at
# η = 0.001, d = 4096, B = 64 diverges (at step 22; at step 501): with Q ≈ q·I (q = σ0²) the map's noise term
# η²·E[ĝĝᵀ] ≈ η·c·(8‖D‖²·Q + 32·Q³), ‖D‖² ≈ r_s·q², outgrows the contraction 8η·WDWᵀ ≈ 8η·Q² once
# q > 1/(c·(r_s + 4)) = 0.23 (c = η·d/B = 0.064); σ0 = 0.3 (q = 0.09) is stable and escapes within the 2000 steps.
SIGMA0_SGDA = 0.3
SGDA_SEEDS = 40    # the SGD average the mean map replaces
SGDA_AGREEMENT = 1e-9  # issue 16: the mean map reproduces an independent implementation to this (relative risk)
SGDA_PROBLEMS = [
    # name, alpha, d, r, rs, B, eta, steps, sigma0, longer T of the limit ODE (issue 16)
    ("SGDA-M", 1.0, 4096, 256, 64, 64, 0.001, 2000, SIGMA0_SGDA, 50.0),
]
SMOKE_SGDA = [("SGDA-smoke", 1.0, 64, 8, 6, 8, 0.001, 50, SIGMA0_SGDA, 0.5)]
# ACT-R (issue 17, item 6): general activations, ReLU, the paper's Figure-4 setting (α = 1, small initialisation,
# d = 10⁶), r = r_s, overlap dynamics from (M0, P0) written by the bench. Explicit methods are stability-bound here,
# so the tolerance mostly sets the accuracy, not the cost. atol 1e-12: the state starts at ~σ0² = 1e-6 (P's
# diagonal) and σ0/√d = 1e-6 (M), so 1e-12 is a relative 1e-6 there too; atol 1e-9 would let the first phase drift.
ACT_RTOL, ACT_ATOL = 1e-6, 1e-12
# The reference of the risk differences: RiccatiKit dop853 at rtol 1e-9 (scipy DOP853 in the smoke), at the widths of
# ACT_REF_WIDTHS only. It is accuracy-bound, not stability-bound: at r_s = 64 dop853 at rtol 1e-10 took 672095
# evaluations (3.8× dopri5 at 1e-6) and agreed with the rtol-1e-6 runs to 5–7e-6. At the other widths the differences
# are taken from RiccatiKit dopri5 at ACT_RTOL.
ACT_REF_TOL = (1e-9, 1e-15)
ACT_REF_WIDTHS = (64,)
ACT_PROBLEMS = [
    # name, alpha, d, sigma0, T, widths (r = r_s), number of log-spaced save times
    ("ACT-R", 1.0, 10**6, 1e-3, 3e4, (64, 128), 40),
]
SMOKE_ACT = [("ACT-smoke", 1.0, 64, 0.3, 20.0, (6,), 8)]
ACT_NUMPY_GD_WIDTHS = (64,)  # numpy GD at r_s = 128 would take ~10⁵ steps of ~4 ms: RiccatiKit alone there
# ROCK (issue 18): the stabilised explicit methods ROCK2/ROCK4 and the automatic method (dopri5 while not stiff, then
# ROCK2/ROCK4) against dopri5, dop853 and scipy's RK45 and LSODA, on three problems: (a) ACT-R's ReLU flow (stability-
# bound from t ≈ 10), (b) SGDA-M's limit ODE to its longer T, (c) ODE-M's quadratic flow (the exact propagator is the
# reference). Every method at ROCK_TOL; rock2/rock4/auto/dopri5 also at ROCK_LOOSE_RTOL (same atol). "Equal accuracy":
# a maximum relative risk error over the save times ≤ ROCK_EQUAL against the tight reference of the case.
ROCK_TOL = (1e-6, 1e-12)
ROCK_LOOSE_RTOL = 1e-5
ROCK_EQUAL = 1e-5
ROCK_REPEAT_BELOW = 10.0  # runs shorter than this (seconds): median of 3; longer: one run
ROCK_PROBLEMS = [
    # name, cases: (key, kind, parameters); shown in this order, run in the order of rock_priority
    ("ROCK", (
        # ReLU (ACT-R's setting): r = r_s, T, save times, reference (method, rtol, atol), peer wall limit (s)
        # ref_cost, row_cost: expected seconds of the reference and of a RiccatiKit row (for --rock-budget);
        # swift_cap: a RiccatiKit run still going after this many seconds is stopped and reported as such.
        # The reference at r_s = 64 was to be dopri5 at rtol 1e-11, atol 1e-18: it stops at the CLI's fixed maximum of
        # 10⁵ steps (t = 11682 of 15000, 600002 evaluations, 158 s), so it is dop853 at rtol 1e-9, atol 1e-15 as at 128
        # (and as ACT-R's reference at this width).
        ("relu-64", "relu", dict(rs=64, alpha=1.0, d=10**6, sigma0=1e-3, T=15000.0, nsave=40,
                                 ref=("dop853", 1e-9, 1e-15), wall=600.0, ref_cost=120.0, row_cost=40.0,
                                 swift_cap=900.0, peer_cost={"RK45": 200.0})),
        ("relu-128", "relu", dict(rs=128, alpha=1.0, d=10**6, sigma0=1e-3, T=30000.0, nsave=40,
                                  ref=("dop853", 1e-9, 1e-15), wall=600.0, ref_cost=500.0, row_cost=200.0,
                                  swift_cap=1200.0)),
        # SGDA-M's limit ODE at its longer T (12 log-spaced save times, as SGDA-M)
        ("sgd-limit", "sgd-limit", dict(sgda=SGDA_PROBLEMS[0], ref=("dopri5", 1e-11, 1e-18), wall=120.0,
                                        row_cost=10.0, swift_cap=150.0, peer_cost={"RK45": 10.0, "LSODA": 10.0})),
        # ODE-M's quadratic gradient flow; the exact propagator is the reference. dopri5 is stability-bound here at
        # atol 1e-9 and 1e-12 alike (~57k evaluations); its two-thread field took 118–172 s under load (4.8 s quiet).
        ("ode-m", "ode", dict(ode=ODE_PROBLEMS[1], ref=("exact",), wall=120.0, row_cost=90.0, swift_cap=150.0)),
    )),
]
SMOKE_ROCK = [
    ("ROCK-smoke", (
        ("relu-8", "relu", dict(rs=8, alpha=1.0, d=10**6, sigma0=1e-3, T=1000.0, nsave=8,
                                ref=("dopri5", 1e-11, 1e-18), wall=30.0, swift_cap=60.0)),
        ("sgd-limit", "sgd-limit", dict(sgda=SMOKE_SGDA[0], ref=("dopri5", 1e-11, 1e-18), wall=30.0, swift_cap=60.0)),
        ("ode", "ode", dict(ode=SMOKE_ODE[0], ref=("exact",), wall=30.0, swift_cap=60.0)),
    )),
]
# ACT-R's recorded scipy RK45 run at r = r_s = 128 (bench/RESULTS.md, "r = r_s = 128 (by hand)"), shown when this
# section does not rerun it: T = 30000, rtol 1e-6, atol 1e-12, 40 save times, OPENBLAS_NUM_THREADS=1, load 3–5.
ACT_R_RK45_128 = dict(seconds=420.0, tReached=25307.0, nfev=159048)
RK4_STEP = "0.05,0.01"
REF_STEP = 0.05


class Tally:
    def __init__(self):
        self.passed, self.failed, self.notes = 0, 0, []

    def ok(self):
        self.passed += 1

    def fail(self, what, why):
        self.failed += 1
        msg = f"FAILED {what}: {why}"
        self.notes.append(msg)
        print(msg, flush=True)


def log(*a):
    print(*a, flush=True)


def gemm_baseline_binary():
    return os.path.join(os.path.dirname(riccati_binary()), "GEMMBaseline")


def riccati_binary():
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT,
                         check=True, capture_output=True, text=True).stdout.strip()
    return os.path.join(out, "riccati")


def save_times(T, n=12):
    return [float(T * 10.0 ** e) for e in np.linspace(-4.0, 0.0, n)]


def power_law(r, alpha):
    lam = np.arange(1, r + 1, dtype=np.float64) ** (-alpha)
    return lam / np.sqrt(np.sum(lam ** 2))


def write_ode_inputs(dirpath, alpha, r, rs, d, sigma0, seed):
    """λ, M0 ~ N(0, σ0²/d), P0 Wishart(d − r, σ0²/d): W⊥W⊥ᵀ for small d, Bartlett otherwise."""
    os.makedirs(dirpath, exist_ok=True)
    rng = np.random.default_rng(seed)
    lam = power_law(r, alpha)
    M0 = rng.normal(0.0, sigma0 / np.sqrt(d), size=(rs, r))
    if d - r <= 20000:
        Wp = rng.normal(0.0, sigma0 / np.sqrt(d), size=(rs, d - r))
        P0 = Wp @ Wp.T
        how = "W⊥W⊥ᵀ"
    else:
        L = np.tril(rng.standard_normal((rs, rs)), -1)
        L[np.diag_indices(rs)] = np.sqrt(rng.chisquare(d - r - np.arange(rs)))
        P0 = (sigma0 ** 2 / d) * (L @ L.T)
        how = "Bartlett"
    P0 = 0.5 * (P0 + P0.T)
    for name, a in (("lambda", lam), ("m0", M0), ("p0", P0)):
        np.save(os.path.join(dirpath, name + ".npy"), np.ascontiguousarray(a, dtype=np.float64))
    return how


def write_sgd_inputs(dirpath, alpha, d, r, rs, sigma0, seed):
    os.makedirs(dirpath, exist_ok=True)
    rng = np.random.default_rng(seed)
    np.save(os.path.join(dirpath, "lambda.npy"), power_law(r, alpha))
    np.save(os.path.join(dirpath, "w0.npy"), rng.normal(0.0, sigma0 / np.sqrt(d), size=(rs, d)))


def run_cmd(cmd, timeout, env=None):
    """Run cmd; returns (stdout, wall seconds) or raises TimeoutError / RuntimeError."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"> {timeout:g} s")
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"exit {p.returncode}: {p.stderr.strip()[-300:]}")
    return p.stdout, wall


CASE_BUDGET = [None]


def timed_repeats(one, reps, cap, slow=60.0):
    """Warm-up, then `reps` runs (3 if the warm-up exceeds `slow` seconds); median of the measure.

    `one()` returns (measured seconds, payload). A warm-up that already exceeds `cap`/2 is
    reported as the only measurement (n = 1), so a capped run never costs more than ~cap."""
    sec, payload = one()
    note = ""
    if sec > cap / 2:
        return sec, 1, payload, "n=1: the warm-up itself took over half the cap; it is the measurement"
    if sec > slow:
        reps = min(reps, 3)
        note = "3 runs: a single run exceeds 60 s"
    budget = CASE_BUDGET[0]
    if budget and sec > budget:
        return sec, 1, payload, f"n=1: the warm-up alone exceeded --case-budget {budget:g} s; it is the measurement"
    if budget and sec * reps > budget:
        reps = max(1, min(reps, int(budget // max(sec, 1e-9))))
        note = f"{reps} run(s) after the warm-up: --case-budget {budget:g} s"
    secs = []
    for _ in range(reps):
        s, payload = one()
        secs.append(s)
    return statistics.median(secs), len(secs), payload, note


def max_rel_err(risk, ref):
    risk, ref = np.asarray(risk, float), np.asarray(ref, float)
    if risk.shape != ref.shape:
        return float("nan")
    return float(np.max(np.abs(risk - ref) / np.abs(ref)))


def fmt_t(x):
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    return f"{x:.3g} s" if x >= 0.1 else f"{x * 1e3:.3g} ms"


def fmt_e(x):
    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.1e}"


def peers_available():
    try:
        import jax  # noqa: F401
        import diffrax  # noqa: F401
        return True
    except Exception:
        return False


refs = []


def selected(label, args):
    """Whether a case is to be run: all without --methods, else those whose label contains one of its items."""
    return not args.methods or any(item in label for item in args.methods)


def bench_ode(prob, args, binary, tally, cmds):
    name, alpha, r, rs, d, T = prob
    inp = os.path.join(args.inputs, name)
    how = write_ode_inputs(inp, alpha, r, rs, d, SIGMA0_ODE, SEED)
    times = save_times(T)
    tcsv = ",".join(repr(t) for t in times)
    base = [binary, "integrate", "--lambdas", f"{inp}/lambda.npy", "--init-m", f"{inp}/m0.npy",
            "--init-p", f"{inp}/p0.npy", "--t-end", repr(T), "--save-at", tcsv, "--format", "json"]
    log(f"== {name}: alpha={alpha} r={r} rs={rs} d={d:g} T={T:g} (P0 by {how})")
    rows = []

    # Reference: exact propagator with a fixed small step.
    # ODE-L: 4e5 symmetric-root steps of r_s = 256 do not fit any sensible budget; its reference is
    # the Cholesky propagator at --ref-step-large (8 λ_1 h ≈ 6, where README measures 3e-15).
    ref_step = args.ref_step_large if rs >= 256 else args.ref_step
    ref_cmd = base + ["--method", "exact", "--step", repr(ref_step)]
    # An independent form, not the default LQ one: the symmetric root of MODEL.md (Cholesky at r_s = 256).
    ref_cmd += ["--factorization", "cholesky" if rs >= 256 else "symmetricRoot"]
    cmds.append(" ".join(shlex.quote(c) for c in ref_cmd))
    try:
        out, wall = run_cmd(ref_cmd, args.ref_timeout)
        refs.append(f"{name}: {wall:.1f} s wall")
        ref = json.loads(out)["risk"]
        log(f"   reference ({wall:.1f} s wall)")
        tally.ok()
    except Exception as e:
        tally.fail(f"{name} reference", e)
        ref = None

    # The peers return the states at the save times and nothing else, so every timed RiccatiKit run
    # does the same (--no-escape-times); one extra row shows the default run, which also locates the
    # escape time of every direction.
    def riccati_case(label, extra, escape_times=False):
        if not selected(label, args):
            return
        cmd = base + extra + ([] if escape_times else ["--no-escape-times"])
        cmds.append(" ".join(shlex.quote(c) for c in cmd))

        def one():
            out, _ = run_cmd(cmd, args.cap)
            j = json.loads(out)
            if j["stats"]["status"] != "success":
                raise RuntimeError(j["stats"]["message"])
            return j["stats"]["solveSeconds"], j
        try:
            med, n, j, note = timed_repeats(one, args.reps, args.cap)
            rows.append(dict(label=label, peer=False, t=med, n=n, nfev=j["stats"]["rhsEvaluations"],
                             err=max_rel_err(j["risk"], ref) if ref else None, note=note))
            tally.ok()
        except TimeoutError as e:
            rows.append(dict(label=label, peer=False, t=str(e), n=0, nfev=None, err=None, note="stopped at the cap"))
            (tally.ok() if not args.smoke else tally.fail(label, e))
        except Exception as e:
            rows.append(dict(label=label, peer=False, t="failed", n=0, nfev=None, err=None, note=str(e)[:120]))
            tally.fail(f"{name} {label}", e)
        log(f"   {label}: {fmt_t(rows[-1]['t'])} err {fmt_e(rows[-1]['err'])} {rows[-1]['note']}")

    explicit = not (rs >= 256 and args.skip_explicit_large)
    if explicit:
        riccati_case("RiccatiKit dopri5 (rtol 1e-6, atol 1e-9)", ["--method", "dopri5", "--rtol", "1e-6", "--atol", "1e-9"])
        riccati_case("RiccatiKit dop853 (rtol 1e-6, atol 1e-9)", ["--method", "dop853", "--rtol", "1e-6", "--atol", "1e-9"])
        for h in args.rk4_steps:
            riccati_case(f"RiccatiKit rk4 (h = {h:g})", ["--method", "rk4", "--step", repr(h)])
    else:
        for label in ["RiccatiKit dopri5 (rtol 1e-6, atol 1e-9)", "RiccatiKit dop853 (rtol 1e-6, atol 1e-9)"] + \
                [f"RiccatiKit rk4 (h = {h:g})" for h in args.rk4_steps]:
            if not selected(label, args):
                continue
            rows.append(dict(label=label, peer=False, t="not run", n=0, nfev=None, err=None,
                             note="skipped (--skip-explicit-large): it needs about as many RHS evaluations as scipy's "
                                  "RK45 (which reached only t ≈ 7000 of 20000 in 600 s), each about 0.3 Gflop, so it would run "
                                  "for many minutes; pass --no-skip-explicit-large to run it"))
    riccati_case("RiccatiKit exact (LQ, adaptive; the default)", ["--method", "exact"])
    riccati_case("RiccatiKit exact (LQ) + escape times (more output than the peers)", ["--method", "exact"], escape_times=True)
    riccati_case("RiccatiKit exact (Cholesky, c = 20)", ["--method", "exact", "--factorization", "cholesky"])
    riccati_case("RiccatiKit exact (symmetric root, c = 12)", ["--method", "exact", "--factorization", "symmetricRoot"])

    peers = [("scipy", "RK45"), ("scipy", "DOP853")]
    if peers_available():
        peers.append(("diffrax", "Dopri5"))
    else:
        log("   diffrax Dopri5: skipped (jax/diffrax not importable; `make bench-deps`)")
    for kind, method in peers:
        label = f"{kind} {method} (rtol 1e-6, atol 1e-9)"
        if not selected(label, args):
            continue
        cmd = [sys.executable, os.path.join(HERE, "peer_solve.py"), kind, method, inp, repr(T), tcsv, "1e-6", "1e-9"]
        if kind == "scipy":
            cmd.append(repr(args.cap))  # stops itself at the cap and reports how far it got
        cmds.append(" ".join(shlex.quote(c) for c in cmd[:5]) + " … (" + label + ")")

        one = peer_run(cmd, args, env=None, T=T)  # OpenBLAS's default threads, as the rest of the ODE tables
        try:
            med, n, j, note = timed_repeats(one, args.reps, args.cap)
            rows.append(dict(label=label, peer=True, t=med, n=n, nfev=j["nfev"],
                             err=max_rel_err(j["risk"], ref) if ref else None, note=note))
            tally.ok()
        except TimeoutError as e:
            rows.append(dict(label=label, peer=True, t=str(e.args[0]), n=0, nfev=None, err=None,
                             note=e.args[1] if len(e.args) > 1 else
                             f"killed after {args.cap + 120:g} s of wall time (start-up, input loading and JIT included; "
                             f"it cannot stop itself mid-solve)"))
            (tally.ok() if not args.smoke else tally.fail(label, e))
        except Exception as e:
            rows.append(dict(label=label, peer=True, t="failed", n=0, nfev=None, err=None, note=str(e)[:120]))
            tally.fail(f"{name} {label}", e)
        log(f"   {label}: {fmt_t(rows[-1]['t'])} err {fmt_e(rows[-1]['err'])} {rows[-1]['note']}")
    if args.smoke:
        # The wall-limit path of peer_solve.py (taken for real only by ODE-L's peers).
        cmd = [sys.executable, os.path.join(HERE, "peer_solve.py"), "scipy", "RK45", inp, repr(T), tcsv, "1e-6", "1e-9", "0"]
        try:
            j = json.loads(run_cmd(cmd, args.cap)[0].strip().splitlines()[-1])
            if j["status"] != "stopped" or "tReached" not in j:
                raise RuntimeError(f"expected a stopped solve, got {j}")
            tally.ok()
        except Exception as e:
            tally.fail(f"{name} peer wall limit", e)
    return dict(name=name, spec=f"α = {alpha:g}, r = {r}, r_s = {rs}, d = {d:g}, T = {T:g}, σ0 = {SIGMA0_ODE:g}, "
                f"P0 by {how}, 12 log-spaced save times from {times[0]:g} to {T:g}", rows=rows)


def numpy_sgd(W0, lam, B, steps, eta, dtype, seed):
    """The SGD step of MODEL.md in numpy: returns (seconds, rng seconds, final population risk)."""
    rng = np.random.default_rng(seed)
    W = W0.astype(dtype)
    lam_t = lam.astype(dtype)
    r = lam.shape[0]
    eta2 = dtype(eta * 2.0 / B)
    rng_s = 0.0
    t0 = time.perf_counter()
    for _ in range(steps):
        a = time.perf_counter()
        X = rng.standard_normal((B, W.shape[1]), dtype=dtype)
        rng_s += time.perf_counter() - a
        Z = X @ W.T
        y = (X[:, :r] ** 2 - 1) @ lam_t
        e = (Z * Z).sum(axis=1) - (W * W).sum() - y
        W = W - eta2 * ((e[:, None] * Z).T @ X - e.sum() * W)
    sec = time.perf_counter() - t0
    W = W.astype(np.float64)
    M, Wp = W[:, :r], W[:, r:]
    from ode_rhs import risk
    return sec, rng_s, float(risk(M, Wp @ Wp.T, lam))


def dgemm_rate(B, d, rs, reps=5):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((B, d))
    W = rng.standard_normal((rs, d))
    D = rng.standard_normal((B, rs))
    out = {}
    for label, f in (("X @ W.T", lambda: X @ W.T), ("D.T @ X", lambda: D.T @ X)):
        f()
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            for _ in range(10):
                f()
            ts.append((time.perf_counter() - t0) / 10)
        out[label] = 2.0 * B * d * rs / statistics.median(ts) / 1e9
    return out


def bench_sgd(prob, args, binary, tally, cmds):
    name, d, r, rs, steps, eta = prob
    B = d
    inp = os.path.join(args.inputs, name)
    write_sgd_inputs(inp, 1.0, d, r, rs, SIGMA0_SGD, SEED)
    lam = np.load(f"{inp}/lambda.npy")
    W0 = np.load(f"{inp}/w0.npy")
    log(f"== {name}: d = B = {d}, r = {r}, r_s = {rs}, {steps} steps")
    rows = []
    used_eta = eta
    for attempt_eta in (eta, 0.001):
        used_eta = attempt_eta
        base = [binary, "sgd", "--d", str(d), "--rs", str(rs), "--lambdas", f"{inp}/lambda.npy", "--init-w", f"{inp}/w0.npy",
                "--batch", str(B), "--lr", repr(attempt_eta), "--steps", str(steps), "--format", "json",
                "--save-count", "2"]
        try:
            run_cmd(base + ["--precision", "double"], args.cap)
            break
        except RuntimeError as e:
            if "diverged" in str(e) and attempt_eta != 0.001:
                log(f"   η = {attempt_eta} diverged; retrying with η = 0.001")
                continue
            break
        except TimeoutError:
            break
    for prec in ("double", "float"):
        cmd = base + ["--precision", prec]
        cmds.append(" ".join(shlex.quote(c) for c in cmd))
        label = f"RiccatiKit sgd --precision {prec}"

        def one(cmd=cmd):
            out, _ = run_cmd(cmd, args.cap)
            j = json.loads(out)
            return j["stats"]["seconds"], j
        try:
            med, n, j, note = timed_repeats(one, args.reps, args.cap)
            rows.append(dict(label=label, peer=False, sps=steps / med, n=n,
                             rng=j["stats"]["rngNanosPerSample"], gflops=j["stats"]["gemmGflops"],
                             risk=j["risk"][-1], note=note))
            tally.ok()
        except Exception as e:
            rows.append(dict(label=label, peer=False, sps=None, n=0, rng=None, gflops=None, risk=None, note=str(e)[:120]))
            tally.fail(f"{name} {label}", e)
        log(f"   {label}: {rows[-1]['sps']} steps/s {rows[-1]['note']}")
    for dtype in (np.float64, np.float32):
        label = f"numpy loop {np.dtype(dtype).name}"

        def one(dtype=dtype):
            sec, rng_s, rk = numpy_sgd(W0, lam, B, steps, used_eta, dtype, SEED)
            return sec, (rng_s, rk)
        try:
            med, n, (rng_s, rk), note = timed_repeats(one, args.reps, args.cap)
            rows.append(dict(label=label, peer=True, sps=steps / med, n=n, rng=rng_s / (steps * B * d) * 1e9,
                             gflops=None, risk=rk, note=note))
            tally.ok()
        except Exception as e:
            rows.append(dict(label=label, peer=True, sps=None, n=0, rng=None, gflops=None, risk=None, note=str(e)[:120]))
            tally.fail(f"{name} {label}", e)
        log(f"   {label}: {rows[-1]['sps']} steps/s")
    try:
        gemm = dgemm_rate(B, d, rs, reps=args.reps)
        tally.ok()
    except Exception as e:
        gemm = {}
        tally.fail(f"{name} dgemm", e)
    log(f"   numpy/OpenBLAS dgemm: {gemm}")
    baseline_cmd = [gemm_baseline_binary(), str(B), str(d), str(rs), "10"]
    cmds.append(" ".join(shlex.quote(c) for c in baseline_cmd))
    try:
        out, _ = run_cmd(baseline_cmd, args.cap)
        bare = json.loads(out)
        tally.ok()
    except Exception as e:
        bare = {}
        tally.fail(f"{name} GEMMBaseline", e)
    log(f"   bare system-OpenBLAS GEMM: {bare}")
    return dict(name=name, spec=f"d = B = {d}, r = {r}, r_s = {rs}, {steps} steps, η = {used_eta:g}, σ0 = {SIGMA0_SGD:g}, "
                f"canonical teacher, α = 1", rows=rows, gemm=gemm, bare=bare)


def eta_grid_times(eta, steps, n=12):
    """n log-spaced step counts from 1 to `steps` (distinct), as times k·η on the mean map's grid."""
    ks = sorted(set(int(round(k)) for k in np.logspace(0.0, np.log10(steps), n)))
    return [float(f"{k * eta:.12g}") for k in ks]


def timed_row(label, one, args, tally, reps=None, once=None, **extra):
    """A table row from timed_repeats(one): time, n, payload; a timeout or failure becomes the row's note.

    With `once` (the row's note), a single run without warm-up: for the runs that take minutes."""
    row = dict(label=label, t=None, n=0, payload=None, note="", **extra)
    try:
        if once is not None:
            (row["t"], row["payload"]), row["n"], row["note"] = one(), 1, once
        else:
            row["t"], row["n"], row["payload"], row["note"] = timed_repeats(one, reps or args.reps, args.cap)
        tally.ok()
    except TimeoutError as e:
        row["t"], row["note"] = str(e.args[0]), (e.args[1] if len(e.args) > 1 else "stopped at the cap")
        (tally.ok() if not args.smoke else tally.fail(label, e))
    except Exception as e:
        row["t"], row["note"] = "failed", str(e)[:160]
        tally.fail(label, e)
    log(f"   {label}: {fmt_t(row['t'])} {row['note']}")
    return row


def riccati_json_run(cmd, args, seconds_key="solveSeconds"):
    """`one` for timed_repeats: runs a riccati JSON command, returns (its in-process seconds, report)."""
    def one():
        j = json.loads(run_cmd(cmd, args.cap)[0])
        if j["stats"].get("status", "success") != "success":
            raise RuntimeError(j["stats"].get("message", j["stats"]["status"]))
        return j["stats"][seconds_key], j
    return one


# The SGD-aware section runs its numpy/scipy peers with OpenBLAS on one thread, as RiccatiKit runs its own OpenBLAS:
# on the 2 shared cores numpy's default two OpenBLAS threads made the numpy SGD loop 12× slower under load
# (100 steps of SGDA-M: 24 s against 2.0 s).
PEER_ENV = dict(os.environ, OPENBLAS_NUM_THREADS="1")


def peer_run(cmd, args, env=PEER_ENV, T=None):
    """`one` for timed_repeats: a peer_solve.py subprocess, returns (its own solve seconds, its JSON line).

    The kill timeout is the cap plus 120 s for start-up, input loading and JIT; a scipy peer given the cap
    stops itself there and reports how far it got (of T, when given)."""
    def one():
        j = json.loads(run_cmd(cmd, args.cap + 120, env=env)[0].strip().splitlines()[-1])
        if j["status"] == "stopped":
            raise TimeoutError(f"> {args.cap:g} s", f"stopped after {j['seconds']:.0f} s at t = {j['tReached']:.4g} "
                               + (f"of {T:g} " if T is not None else "") + f"({j['nfev']} RHS evaluations)")
        if j["status"] != "success":
            raise RuntimeError(j["status"])
        return j["seconds"], j
    return one


def bench_sgd_aware(prob, args, binary, tally):
    """Issue 16: the SGD mean map and its limit ODE against numpy/scipy peers and against the SGD they replace."""
    name, alpha, d, r, rs, B, eta, steps, sigma0, t_long = prob
    inp = os.path.join(args.inputs, name)
    # One W0 for everything: SGD starts from it, the overlap dynamics from its (M0, P0).
    write_sgd_inputs(inp, alpha, d, r, rs, sigma0, SEED)
    W0 = np.load(f"{inp}/w0.npy")
    np.save(f"{inp}/m0.npy", np.ascontiguousarray(W0[:, :r]))
    np.save(f"{inp}/p0.npy", np.ascontiguousarray(W0[:, r:] @ W0[:, r:].T))
    T = float(f"{steps * eta:.12g}")
    times = eta_grid_times(eta, steps)
    tcsv = ",".join(repr(t) for t in times)
    c = eta * d / B
    load = [os.getloadavg()[0]]
    log(f"== {name}: α={alpha:g} d={d} r={r} rs={rs} B={B} η={eta:g} (η·d/B = {c:g}) {steps} steps, σ0={sigma0:g}")
    model = [binary, "integrate", "--lambdas", f"{inp}/lambda.npy", "--init-m", f"{inp}/m0.npy", "--init-p", f"{inp}/p0.npy",
             "--d", str(d), "--lr", repr(eta), "--batch", str(B), "--format", "json"]
    sgd_flag = ["--sgd", f"{eta!r},{d},{B},0"]
    cmds, mm = [], []

    def cmd_str(cmd):
        return " ".join(shlex.quote(x) for x in cmd)

    # 1. The mean map, RiccatiKit and numpy; the numpy risk is the reference of the agreement column.
    peer_cmd = [sys.executable, os.path.join(HERE, "peer_solve.py")] + sgd_flag + ["numpy", "mean-map", inp, repr(T), tcsv, "0", "0"]
    numpy_risk = None
    if selected("numpy mean map", args):
        cmds.append(cmd_str(peer_cmd[:6]) + " … (numpy mean map)")
        row = timed_row("numpy mean map (MODEL.md formulas in (M, Q))", peer_run(peer_cmd, args), args, tally, peer=True)
        if row["payload"]:
            numpy_risk = row["payload"]["risk"]
            row.update(steps=row["payload"]["nfev"], risk=numpy_risk[-1])
        mm.append(row)
    for label, extra in (("RiccatiKit sgd-mean-map", ["--no-escape-times"]),
                         ("RiccatiKit sgd-mean-map + escape times", [])):
        if not selected(label, args):
            continue
        cmd = model + ["--dynamics", "sgd-mean-map", "--t-end", repr(T), "--save-at", tcsv] + extra
        cmds.append(cmd_str(cmd))
        row = timed_row(label, riccati_json_run(cmd, args), args, tally, peer=False)
        if row["payload"]:
            j = row["payload"]
            row.update(steps=j["stats"]["acceptedSteps"], risk=j["risk"][-1],
                       diff=max_rel_err(j["risk"], numpy_risk) if numpy_risk else None)
            if row["diff"] is not None and not row["diff"] <= SGDA_AGREEMENT:
                tally.fail(f"{name} {label}", f"risk differs from the numpy mean map by {row['diff']:.2e} relative "
                           f"(> {SGDA_AGREEMENT:g}, issue 16)")
                row["note"] = f"**DOES NOT REPRODUCE the numpy map to {SGDA_AGREEMENT:g}** " + row["note"]
        mm.insert(len([x for x in mm if not x["peer"]]), row)

    # 2. The SGD the mean map replaces: one seed, timed, then × SGDA_SEEDS.
    sgd_rows = []
    label = "RiccatiKit sgd --precision double (1 seed)"
    if selected(label, args):
        cmd = [binary, "sgd", "--d", str(d), "--rs", str(rs), "--lambdas", f"{inp}/lambda.npy", "--init-w", f"{inp}/w0.npy",
               "--batch", str(B), "--lr", repr(eta), "--steps", str(steps), "--save-at", tcsv, "--format", "json",
               "--precision", "double"]
        cmds.append(cmd_str(cmd))
        row = timed_row(label, riccati_json_run(cmd, args, "seconds"), args, tally, reps=min(args.reps, 3), peer=False)
        if row["payload"]:
            row.update(steps=steps, risk=row["payload"]["risk"][-1])
        sgd_rows.append(row)
    label = "numpy loop float64 (bench's numpy_sgd, 1 seed)"
    if selected(label, args):
        # Seed SEED + 1: SEED drew W0, and the same stream for X would align the first batch with W0.
        cmd = [sys.executable, os.path.join(HERE, "peer_solve.py"), "numpy-sgd", inp, str(B), str(steps), repr(eta), str(SEED + 1)]
        cmds.append(cmd_str(cmd))
        row = timed_row(label, peer_run(cmd, args), args, tally, reps=min(args.reps, 3), peer=True)
        if row["payload"]:
            row.update(steps=steps, risk=row["payload"]["risk"][0])
        sgd_rows.append(row)

    # 3. The limit ODE (η → 0 at fixed c = η·d/B), to T and to t_long, against a tight scipy DOP853 reference.
    limits = []
    for T_end, ts in ((T, times), (t_long, save_times(t_long))):
        lcsv = ",".join(repr(t) for t in ts)
        base = model + ["--dynamics", "sgd-limit", "--t-end", repr(T_end), "--save-at", lcsv, "--no-escape-times"]
        ref_cmd = [sys.executable, os.path.join(HERE, "peer_solve.py")] + sgd_flag + \
            ["scipy", "DOP853", inp, repr(T_end), lcsv, "1e-11", "1e-14"]
        cmds.append(cmd_str(ref_cmd[:6]) + f" … (reference, T = {T_end:g})")
        try:
            ref = peer_run(ref_cmd, args)()[1]["risk"]
            tally.ok()
        except Exception as e:
            ref = None
            tally.fail(f"{name} limit reference T = {T_end:g}", e)
        rows = []
        for label, extra in (("RiccatiKit dopri5 (rtol 1e-6, atol 1e-9)", ["--method", "dopri5", "--rtol", "1e-6", "--atol", "1e-9"]),
                             ("RiccatiKit dopri5 (rtol 1e-10, atol 1e-13; cross-check of the reference)",
                              ["--method", "dopri5", "--rtol", "1e-10", "--atol", "1e-13"])):
            if selected(label, args):
                cmds.append(cmd_str(base + extra))
                rows.append(timed_row(f"{label}, T = {T_end:g}", riccati_json_run(base + extra, args), args, tally,
                                      peer=False, key="stats"))
        peers = [("scipy", "RK45"), ("scipy", "LSODA")] + ([("diffrax", "Dopri5")] if peers_available() else [])
        for kind, method in peers:
            label = f"{kind} {method} (rtol 1e-6, atol 1e-9)"
            if not selected(label, args):
                continue
            cmd = [sys.executable, os.path.join(HERE, "peer_solve.py")] + sgd_flag + \
                [kind, method, inp, repr(T_end), lcsv, "1e-6", "1e-9"] + ([repr(args.cap)] if kind == "scipy" else [])
            cmds.append(cmd_str(cmd[:6]) + f" … ({label}, T = {T_end:g})")
            rows.append(timed_row(f"{label}, T = {T_end:g}", peer_run(cmd, args), args, tally, peer=True, key="nfev"))
        for row in rows:
            j = row.pop("payload")
            if j:
                row["nfev"] = j["stats"]["rhsEvaluations"] if row["key"] == "stats" else j["nfev"]
                row["err"] = max_rel_err(j["risk"], ref) if ref else None
        limits.append(dict(T=T_end, rows=rows, ref_risk=ref[-1] if ref else None))
    if not peers_available():
        log("   diffrax Dopri5: skipped (jax/diffrax not importable; `make bench-deps`)")
    for row in mm + sgd_rows:
        row.pop("payload", None)
    load.append(os.getloadavg()[0])
    return dict(name=name, kind="sgd-aware", c=c, seeds=SGDA_SEEDS, mm=mm, sgd=sgd_rows, limits=limits, cmds=cmds, load=load,
                spec=f"α = {alpha:g}, r = {r}, r_s = {rs}, d = {d}, B = {B}, η = {eta:g} (η·d/B = {c:g}), {steps} steps "
                f"(T = {T:g}), label noise ς = 0, σ0 = {sigma0:g} (from integrate's default σ0 = 1 this mean map diverges; "
                f"see SIGMA0_SGDA in bench/run.py); one W0 (fixed seed) for SGD, its (M0, P0) for the "
                f"overlap dynamics; 12 save times on the η grid, log-spaced from η to T")


def merged_header(started):
    """The first lines of a section that --merge writes into an existing results file (none without a start time)."""
    if started is None:
        return []
    return [f"Generated by `{' '.join(shlex.quote(a) for a in ['bench/run.py'] + sys.argv[1:])}` on "
            f"{started:%Y-%m-%d %H:%M UTC} and merged into this file (the sections above are from their own runs); "
            "same machine as above.", ""]


def sgd_aware_lines(p, args, tally=None, started=None):
    """The Markdown section of one SGD-aware problem (self-contained: it lists its own commands)."""
    L = ["", f"## {p['name']} (SGD-aware dynamics, issue 16)", ""] + merged_header(started)
    L += [p["spec"] + ".", "",
          "RiccatiKit times are the in-process `stats.solveSeconds` (`riccati sgd`: `stats.seconds`); numpy/scipy times "
          "are the map loop / `solve_ivp` call / SGD loop alone inside a subprocess, inputs loaded, with "
          "`OPENBLAS_NUM_THREADS=1` (RiccatiKit's OpenBLAS is single-threaded too). Medians after one warm-up. "
          f"1-minute load average on the {os.cpu_count()} logical cores: {p['load'][0]:.1f} at the start of this section, "
          f"{p['load'][1]:.1f} at its end (above 1–2, other processes shared the cores and the times are inflated).", "",
          "### Mean map (2000 steps) and the SGD it replaces" if p["name"] == "SGDA-M" else "### Mean map and the SGD it replaces", "",
          "| implementation | time | n | map / SGD steps | final risk | max rel. risk difference from the numpy map (12 save times) | note |",
          "|---|---|---|---|---|---|---|"]
    for r in p["mm"] + p["sgd"]:
        L.append(f"| {r['label']} | {fmt_t(r['t'])} | {r['n']} | {r.get('steps', '—')} | "
                 f"{(format(r['risk'], '.6g') if r.get('risk') is not None else '—')} | {fmt_e(r.get('diff'))} | {r['note']} |")
        if r in p["sgd"] and isinstance(r["t"], float):
            L.append(f"| → {p['seeds']} seeds of it ({p['seeds']} × one seed, this machine) | {fmt_t(p['seeds'] * r['t'])} | — | "
                     f"{p['seeds']} × {r.get('steps', '—')} | — | — | estimated, not run: {p['seeds']} × the median above |")
    fast = next((r for r in p["mm"] if r["label"] == "RiccatiKit sgd-mean-map" and isinstance(r["t"], float)), None)
    if fast:
        L.append("")
        for r in p["mm"] + p["sgd"]:
            if r is not fast and isinstance(r["t"], float):
                mult = p["seeds"] if r in p["sgd"] else 1
                L.append(f"- {r['label']}{f' × {mult}' if mult > 1 else ''}: {mult * r['t'] / fast['t']:.3g}× the RiccatiKit mean map's time")
    for lim in p["limits"]:
        L += ["", f"### Limit ODE (`--dynamics sgd-limit`, c = η·d/B = {p['c']:g}) to T = {lim['T']:g}", "",
              "Accuracy: maximum relative risk error over the save times against scipy DOP853 at rtol 1e-11, atol 1e-14 "
              "on the numpy limit ODE in (M, Q) (`bench/ode_rhs.py`)"
              + (f"; reference final risk {lim['ref_risk']:.6g}." if lim["ref_risk"] is not None else "; the reference failed."),
              "The peers integrate [M | Q], RiccatiKit [M | P]: the same tolerances act on slightly different state vectors.", "",
              "| solver | time | n | RHS evaluations | max rel. risk error | this / scipy RK45 | note |", "|---|---|---|---|---|---|---|"]
        base = next((r["t"] for r in lim["rows"] if r["label"].startswith("scipy RK45") and isinstance(r["t"], float)), None)
        for r in lim["rows"]:
            ratio = f"{r['t'] / base:.3g}" if isinstance(r["t"], float) and base else "—"
            L.append(f"| {r['label']} | {fmt_t(r['t'])} | {r['n']} | {r.get('nfev', '—')} | {fmt_e(r.get('err'))} | {ratio} | {r['note']} |")
    L += ["", "Commands (paths relative to the checkout):", "", "```sh"] + [scrub(c) for c in p["cmds"]] + ["```"]
    if tally is not None:
        L += ["", f"Timed cases of this run: {tally.passed} passed, {tally.failed} failed."] + [f"- {n}" for n in tally.notes]
    return L


def act_times(T, n, eta=None):
    """n log-spaced save times from T·1e-4 to T; with eta, each moved to the nearest point of the η grid (distinct)."""
    ts = save_times(T, n)
    if eta is None:
        return ts
    ks = sorted(set(max(1, int(round(t / eta))) for t in ts))
    return [float(f"{k * eta:.12g}") for k in ks]


def once_row(label, one, args, tally, why, **extra):
    """A row from a single run (no warm-up): for the runs that take minutes."""
    return timed_row(label, one, args, tally, once=why, **extra)


def late_step(times, nfev_at, evals_per_step=6):
    """Mean step over the last save interval from the evaluation counts at the save times (RK45: 6 per step)."""
    if not nfev_at or len(nfev_at) < len(times) or nfev_at[-1] <= nfev_at[-2]:
        return None
    return evals_per_step * (times[-1] - times[-2]) / (nfev_at[-1] - nfev_at[-2])


def bench_activation(prob, args, binary, tally, progress=None):
    """Issue 17, item 6: the ReLU overlap dynamics (Figure 4) in RiccatiKit against numpy/scipy and jax/diffrax peers.

    `progress(p)`, when given, is called with the partial section after every row (the runs take minutes each)."""
    name, alpha, d, sigma0, T, widths, nsave = prob
    # The smoke skips the jax peers: their start-up and compilation alone take longer than the whole smoke case.
    have_jax = peers_available() and not args.smoke
    peer = [sys.executable, os.path.join(HERE, "activation_peer.py")]
    rtol, atol = ACT_RTOL, ACT_ATOL
    cmds, sizes = [], []
    p = dict(name=name, kind="activation", sizes=sizes, cmds=cmds, load=[os.getloadavg()[0], None], jax=have_jax,
             spec=f"ReLU activation, 2-homogeneous student, population gradient flow `dW/dt = −½∇_W R` in (M, P); "
             f"α = {alpha:g} (λ_j ∝ j^−α, Σλ² = 1), r = r_s, d = {d:g}, σ0 = {sigma0:g} ((M0, P0) written by the "
             f"bench, P0 by Bartlett when d − r > 20000), T = {T:g}, {nsave} log-spaced save times from {T * 1e-4:g} to {T:g}")

    def cmd_str(cmd):
        return " ".join(shlex.quote(x) for x in cmd)

    def done():
        p["load"][1] = os.getloadavg()[0]
        if progress:
            progress(p)

    def run_row(label, one, slow_note="run once (over 30 s)", peer_row=False):
        """Once; repeated (median of 3 after that first run) when the first run took under 30 s."""
        row = once_row(label, one, args, tally, "", peer=peer_row)
        if isinstance(row["t"], float) and row["t"] < 30.0 and not args.smoke:
            again = timed_row(label, one, args, tally, reps=3, peer=peer_row)
            if isinstance(again["t"], float):
                row = again
        elif isinstance(row["t"], float) and not args.smoke:
            row["note"] = slow_note
        return row

    log(f"== {name}: ReLU, α={alpha:g} d={d:g} σ0={sigma0:g} T={T:g}, r = r_s ∈ {list(widths)}")
    for rs in widths:
        inp = os.path.join(args.inputs, f"{name}-{rs}")
        how = write_ode_inputs(inp, alpha, rs, rs, d, sigma0, SEED)
        times = act_times(T, nsave)
        tcsv = ",".join(repr(t) for t in times)
        model = [binary, "integrate", "--activation", "relu", "--lambdas", f"{inp}/lambda.npy", "--init-m", f"{inp}/m0.npy",
                 "--init-p", f"{inp}/p0.npy", "--format", "json", "--no-escape-times"]
        size = dict(rs=rs, how=how, rhs=[], runs=[], gd=[], eta=None, eta_how="", stiff=None)
        sizes.append(size)
        log(f"-- r = r_s = {rs} (P0 by {how})")

        # (a) One RHS evaluation: numpy and jax directly; RiccatiKit as solveSeconds / rhsEvaluations of a short run.
        for kind in ("numpy", "jax"):
            if kind == "jax" and not have_jax:
                continue
            cmd = peer + ["rhs", kind, inp, "200"]
            cmds.append(cmd_str(cmd))
            size["rhs"].append(timed_row(f"{kind} ({'jit, float64' if kind == 'jax' else 'float64'}; median of 200 calls)",
                                         peer_run(cmd, args), args, tally, reps=min(args.reps, 3), peer=True))
        t_short = T / 1000.0
        short = model + ["--t-end", repr(t_short), "--save-at", repr(t_short), "--method", "dopri5", "--rtol", repr(rtol),
                         "--atol", repr(atol)]
        cmds.append(cmd_str(short))
        row = timed_row("RiccatiKit (dopri5 to t = T/1000: solveSeconds / rhsEvaluations)",
                        riccati_json_run(short, args), args, tally, reps=min(args.reps, 3), peer=False)
        if row["payload"]:
            st = row["payload"]["stats"]
            row["evals"] = st["rhsEvaluations"]
            row["t"] = row["t"] / max(1, st["rhsEvaluations"])
        size["rhs"].append(row)
        done()

        # (b) The flow to T. RiccatiKit dopri5 also writes its states (--npy-dir, after the timed solve), at which a jax
        # peer finds the extreme eigenvalues of the Jacobian (ARPACK on jax.jvp products): the most negative one sets
        # the explicit methods' stability and the GD step below.
        runs = size["runs"]
        stiff_at = sorted(set([len(times) // 4, len(times) // 2, (3 * len(times)) // 4, len(times) - 4, len(times) - 1]))
        label = f"RiccatiKit dopri5 (rtol {rtol:g}, atol {atol:g})"
        npy_dir = os.path.join(inp, "npy-dopri5")
        os.makedirs(npy_dir, exist_ok=True)
        cmd = model + ["--t-end", repr(T), "--save-at", tcsv, "--method", "dopri5", "--rtol", repr(rtol), "--atol", repr(atol),
                       "--npy-dir", npy_dir]
        cmds.append(cmd_str(cmd))
        runs.append(run_row(label, riccati_json_run(cmd, args)))
        done()
        if have_jax and isinstance(runs[0]["t"], float):
            cmd = peer + ["stiffness", npy_dir, ",".join(map(str, stiff_at))]
            cmds.append(cmd_str(cmd))
            try:
                j = json.loads(run_cmd(cmd, args.cap, env=PEER_ENV)[0].strip().splitlines()[-1])
                size["stiff"] = list(zip(j["times"], j["largestMagnitude"], j["smallestReal"]))
                tally.ok()
            except Exception as e:
                tally.fail(f"{name} r_s = {rs} Jacobian eigenvalues", e)
            done()
        label = f"scipy RK45 (rtol {rtol:g}, atol {atol:g})"
        cmd = peer + ["scipy", "RK45", inp, repr(T), tcsv, repr(rtol), repr(atol), repr(args.cap)]
        cmds.append(cmd_str(cmd[:6]) + f" … ({label})")
        runs.append(once_row(label, peer_run(cmd, args, T=T), args, tally, "run once" if not args.smoke else "",
                             peer=True))
        done()
        # The reference: RiccatiKit dop853 at ACT_REF_TOL at ACT_REF_WIDTHS (the peers, with their own right-hand
        # side, are compared against it too, so a wrong RiccatiKit field would show in their column); scipy DOP853 in
        # the smoke; elsewhere the differences are taken from RiccatiKit dopri5.
        ref_row = None
        if args.smoke:
            ref_label = f"scipy DOP853 (rtol {ACT_REF_TOL[0]:g}, atol {ACT_REF_TOL[1]:g}): the reference"
            ref_cmd = peer + ["scipy", "DOP853", inp, repr(T), tcsv, repr(ACT_REF_TOL[0]), repr(ACT_REF_TOL[1])]
            cmds.append(cmd_str(ref_cmd[:6]) + f" … ({ref_label})")
            ref_row = once_row(ref_label, peer_run(ref_cmd, args, T=T), args, tally, "", peer=True)
        elif rs in ACT_REF_WIDTHS:
            ref_label = f"RiccatiKit dop853 (rtol {ACT_REF_TOL[0]:g}, atol {ACT_REF_TOL[1]:g}): the reference"
            ref_cmd = model + ["--t-end", repr(T), "--save-at", tcsv, "--method", "dop853",
                               "--rtol", repr(ACT_REF_TOL[0]), "--atol", repr(ACT_REF_TOL[1])]
            cmds.append(cmd_str(ref_cmd))
            ref_row = once_row(ref_label, riccati_json_run(ref_cmd, args), args, tally, "run once")
        if ref_row is not None:
            runs.append(ref_row)
            size["ref_label"] = "the reference row"
        else:
            ref_row = runs[0]
            size["ref_label"] = (f"RiccatiKit dopri5 at rtol {rtol:g} (no tighter reference at this width: "
                                 "it would take longer than the run)")
        done()

        # diffrax after the RiccatiKit and scipy runs: at r_s = 128 it is the longest one.
        if have_jax:
            label = f"diffrax Dopri5, PID controller (rtol {rtol:g}, atol {atol:g})"
            cmd = peer + ["diffrax", "Dopri5", inp, repr(T), tcsv, repr(rtol), repr(atol)]
            cmds.append(cmd_str(cmd[:6]) + f" … ({label})")
            runs.insert(2, run_row(label, peer_run(cmd, args, T=T), peer_row=True))
            done()

        # (c) Population GD. Its step is explicit Euler of the flow to first order (M exactly), so it is stable while
        # η·|μ| < 2 for the most negative Jacobian eigenvalue μ: η = 1.9/max|μ| over the sampled states, rounded to
        # two digits. Without the estimate (no jax, or the smoke) the fixed η = 0.05 is used.
        mu = max((-sr for _, _, sr in size["stiff"] or [] if np.isfinite(sr) and sr < 0), default=None)
        if mu:
            eta = float(f"{1.9 / mu:.2g}")
            while eta * mu >= 2.0:
                eta = float(f"{eta * 0.99:.2g}")
            size["eta_how"] = (f"η = {eta:g}: 1.9/max|μ| rounded to two digits, μ the most negative eigenvalue of the "
                               f"Jacobian at the sampled states (max|μ| = {mu:.3g}, so η·|μ| = {eta * mu:.3g} < 2)")
        else:
            eta = 0.05
            size["eta_how"] = "η = 0.05 (no Jacobian estimate: jax not importable, or the smoke)"
        size["eta"] = eta
        gtimes = act_times(T, nsave, eta)
        gcsv = ",".join(repr(t) for t in gtimes)
        gd_cmd = model + ["--t-end", repr(gtimes[-1]), "--save-at", gcsv, "--dynamics", "gradient-descent", "--lr", repr(eta)]
        cmds.append(cmd_str(gd_cmd))
        gd = size["gd"]
        gd.append(run_row(f"RiccatiKit gradient descent (η = {eta:g})", riccati_json_run(gd_cmd, args)))
        done()
        if rs in ACT_NUMPY_GD_WIDTHS or args.smoke:
            cmd = peer + ["numpy-gd", inp, repr(eta), gcsv]
            cmds.append(cmd_str(cmd[:4]) + f" … (numpy gradient descent, η = {eta:g})")
            gd.append(once_row(f"numpy gradient descent (η = {eta:g})", peer_run(cmd, args), args, tally,
                               "run once" if not args.smoke else "", peer=True))
            done()
        numpy_risk = gd[1]["payload"]["risk"] if len(gd) > 1 and gd[1]["payload"] else None
        if mu and not args.smoke and rs in ACT_NUMPY_GD_WIDTHS:
            # One run past the bound, to show it: η·|μ| ≈ 2.4.
            over = float(f"{2.4 / mu:.2g}")
            otimes = act_times(T, nsave, over)
            ocmd = model + ["--t-end", repr(otimes[-1]), "--save-at", ",".join(repr(t) for t in otimes),
                            "--dynamics", "gradient-descent", "--lr", repr(over)]
            cmds.append(cmd_str(ocmd))
            failed_before = tally.failed
            orow = once_row(f"RiccatiKit gradient descent (η = {over:g}, η·|μ| = {over * mu:.2g} > 2)",
                            riccati_json_run(ocmd, args), args, tally, "run once")
            if tally.failed > failed_before:  # diverging past the bound is the expected outcome, not a failure
                tally.failed, tally.passed = failed_before, tally.passed + 1
                tally.notes.pop()
                orow["note"] = "stopped (expected past the bound): " + str(orow["note"])[:200]
            gd.append(orow)
        for row in gd:
            j = row.get("payload")
            if j:
                row["risk"] = j["risk"]
                row["steps"] = j["stats"].get("acceptedSteps") if "stats" in j else j["nfev"]
                row["final"] = j["risk"][-1]
                same_eta = f"(η = {eta:g})" in row["label"]  # the run past the bound has its own save times
                row["vs_numpy"] = max_rel_err(j["risk"], numpy_risk) if numpy_risk and row is not gd[1] and same_eta \
                    else None
        done()

        ref = ref_row["payload"]["risk"] if ref_row.get("payload") else None
        for row in runs:
            j = row.get("payload")
            if not j:
                continue
            if "stats" in j:
                row["nfev"] = j["stats"]["rhsEvaluations"]
                row["message"] = j["stats"].get("message", "")
            else:
                row["nfev"] = j["nfev"]
                row["h_late"] = late_step(times, j.get("nfevAt"))
            row["risk"] = j["risk"]
            row["err"] = max_rel_err(row["risk"], ref) if ref and row is not ref_row else None
            row["final"] = row["risk"][-1]
            if row is ref_row and "reference" not in row["label"]:
                row["note"] = (row["note"] + "; " if row["note"] else "") + "the differences are taken from this row"
        for row in size["rhs"] + runs + gd:
            row.pop("payload", None)
        size["times"] = (times[0], times[-1], len(times))
        done()
    return p


def activation_lines(p, args, tally=None, started=None):
    """The Markdown section of the general-activation problem (self-contained: it lists its own commands)."""
    L = ["", f"## {p['name']} (general activations: ReLU, Figure 4; issue 17)", ""] + merged_header(started)
    end_load = f"{p['load'][1]:.1f}" if p["load"][1] is not None else "—"
    L += [p["spec"] + ".", "",
          "Peers: `bench/activation_rhs.py` (right-hand side, risk and GD map written from MODEL.md's "
          "\"General activations\", numpy and jax) driven by `bench/activation_peer.py`. `bench/activation_check.py` "
          "checks those formulas against a d-dimensional flow of W with `jax.grad` of R(W) written from W (d = 12, "
          "r_s = 3, r = 2: the (M, P) flow reproduces its risk to 3e-12 relative from σ0 = 1 and to 8e-11 from "
          "σ0 = 1e-3, DOP853 at rtol 1e-12; the (M, P) GD map reproduces W-space GD to 1e-14) and κ, κ′ against a "
          "quadrature and a difference quotient. "
          "RiccatiKit times are the in-process `stats.solveSeconds`; peer times are the `solve_ivp`/`diffeqsolve` call "
          "or the GD loop alone inside a subprocess, inputs loaded, numpy/scipy with `OPENBLAS_NUM_THREADS=1`; "
          "diffrax is compiled ahead of time, outside the timing. Runs over 30 s ran once (n = 1); shorter ones are the "
          "median of 3 after a first run. "
          f"1-minute load average on the {os.cpu_count()} logical cores: {p['load'][0]:.1f} at the start of this section, "
          f"{end_load} at its end (above 2, other processes shared the cores and every time is inflated).", "",
          "### One right-hand-side evaluation (at the initial state)", "",
          "| implementation | " + " | ".join(f"r = r_s = {s['rs']}" for s in p["sizes"]) + " | note |",
          "|---|" + "---|" * len(p["sizes"]) + "---|"]
    labels = []
    for s in p["sizes"]:
        for r in s["rhs"]:
            if r["label"] not in labels:
                labels.append(r["label"])
    for label in labels:
        cells, notes = [], []
        for s in p["sizes"]:
            r = next((x for x in s["rhs"] if x["label"] == label), None)
            cells.append(fmt_t(r["t"]) if r else "—")
            if r and r.get("evals"):
                notes.append(f"{r['evals']} evaluations at r_s = {s['rs']}")
            if r and r["note"]:
                notes.append(r["note"])
        L.append(f"| {label} | " + " | ".join(cells) + f" | {'; '.join(notes)} |")
    for s in p["sizes"]:
        if not s["runs"]:
            continue
        ref = next((r for r in s["runs"] if "reference" in r["label"]), None)
        L += ["", f"### Flow to T = {p['spec'].split('T = ')[1].split(',')[0]} at r = r_s = {s['rs']}", "",
              f"Max rel. risk difference: over the save times, from {s.get('ref_label', 'the reference row')}.", "",
              "| solver | time | n | RHS evaluations | time / evaluation | max rel. risk difference | final risk | "
              "scipy RK45 / this (time) | note |", "|---|---|---|---|---|---|---|---|---|"]
        base = next((r["t"] for r in s["runs"] if r["label"].startswith("scipy RK45") and isinstance(r["t"], float)), None)
        for r in s["runs"]:
            per = fmt_t(r["t"] / r["nfev"]) if isinstance(r["t"], float) and r.get("nfev") else "—"
            ratio = f"{base / r['t']:.3g}" if base and isinstance(r["t"], float) else "—"
            fin = f"{r['final']:.6g}" if r.get("final") is not None else "—"
            L.append(f"| {r['label']} | {fmt_t(r['t'])} | {r['n']} | {r.get('nfev', '—')} | {per} | {fmt_e(r.get('err'))} | "
                     f"{fin} | {ratio} | {r['note']} |")
        fast = next((r for r in s["runs"] if r["label"].startswith("RiccatiKit dopri5 (rtol 1e-06")
                     and isinstance(r["t"], float)), None)
        if fast:
            L.append("")
            for r in s["runs"]:
                if r is not fast and isinstance(r["t"], float) and r is not ref and r.get("nfev"):
                    L.append(f"- {r['label']}: {r['t'] / fast['t']:.3g}× RiccatiKit dopri5's time, "
                             f"{r['nfev'] / fast['nfev']:.3g}× its evaluations")
            if fast.get("rhs_seconds"):
                L.append(f"- RHS share of RiccatiKit dopri5's solve time: {100 * fast['rhs_seconds'] / fast['t']:.0f}% "
                         "(`stats.rhsSeconds` / `stats.solveSeconds`)")
            if fast.get("message"):
                L.append(f"- RiccatiKit dopri5's own message: \"{fast['message']}\"")
        if s["stiff"]:
            rk = next((r for r in s["runs"] if r["label"].startswith("scipy RK45") and r.get("h_late")), None)
            L.append("- Jacobian of the (M, P) field at RiccatiKit dopri5's states (ARPACK on jax.jvp): largest-magnitude / "
                     "most negative eigenvalue " + ", ".join(f"{lm:.3g} / {sr:.3g} at t = {t:.3g}" for t, lm, sr in s["stiff"])
                     + "." + (f" scipy RK45's mean step over the last save interval is h = {rk['h_late']:.3g} "
                              f"(6 evaluations per step), so h·|μ| = {rk['h_late'] * abs(s['stiff'][-1][2]):.3g} at the end "
                              "(μ the most negative eigenvalue), against ≈ 3.3 where Dormand–Prince 5(4)'s stability region "
                              "meets the negative real axis." if rk else ""))
        if s["gd"]:
            L += ["", f"### Population gradient descent at r = r_s = {s['rs']}", "", s["eta_how"] + ".", "",
                  "| implementation | time | n | steps | time / step | final risk | max rel. risk difference from numpy GD | "
                  "note |", "|---|---|---|---|---|---|---|---|"]
            for r in s["gd"]:
                per = fmt_t(r["t"] / r["steps"]) if isinstance(r["t"], float) and r.get("steps") else "—"
                fin = f"{r['final']:.6g}" if r.get("final") is not None else "—"
                L.append(f"| {r['label']} | {fmt_t(r['t'])} | {r['n']} | {r.get('steps', '—')} | {per} | {fin} | "
                         f"{fmt_e(r.get('vs_numpy'))} | {r['note']} |")
    L += ["", "Commands (paths relative to the checkout):", "", "```sh"] + [scrub(c) for c in p["cmds"]] + ["```"]
    if tally is not None:
        L += ["", f"Timed cases of this run: {tally.passed} passed, {tally.failed} failed."] + [f"- {n}" for n in tally.notes]
    return L


class RowStopped(Exception):
    """A run that ended early with a result of its own: args (time cell, note, dict with nfev, tReached[, stats])."""


def compact_phases(phases, T):
    """auto's phases in one line: the first switch, the number of phases and the share of [0, T] per method."""
    if not phases:
        return "—"
    segs = [(ph["startTime"], phases[i + 1]["startTime"] if i + 1 < len(phases) else T, ph["method"])
            for i, ph in enumerate(phases)]
    if len(segs) == 1:
        return f"{segs[0][2]} only"
    share = {}
    for a, b, m in segs:
        share[m] = share.get(m, 0.0) + (b - a)
    first = next(a for a, _, m in segs if m != segs[0][2])
    shares = ", ".join(f"{m} {100 * v / T:.3g}%" for m, v in share.items())
    return f"{segs[0][2]} → {segs[1][2]} at t = {first:.3g}; {len(segs)} phases; {shares} of [0, T]"


def rock_priority(key, method, rt, is_peer):
    """The order in which the ROCK rows run (lower first): the rows the issue's reading needs first, the expensive and
    the foreseeably hopeless ones last, so that --rock-budget drops those. A case's reference runs before its first row."""
    loose = rt != ROCK_TOL[0]
    if key in ("relu-64", "relu-8"):
        if is_peer:
            return 25 if method == "RK45" else 50
        return 12 if method == "dop853" else (11 if loose else 10)
    if key in ("ode-m", "ode"):
        if is_peer:
            return 56
        return {"dopri5": 20, "auto": 20, "rock4": 40, "dop853": 41}.get(method, 55)
    if key == "sgd-limit":
        return 26 if is_peer else 24
    if key == "relu-128":
        if is_peer:
            return 70 if method == "LSODA" else 71
        if loose:
            return 60
        return 30 if method in ("dopri5", "auto", "rock4") else 45
    return 100


def bench_rock(prob, args, binary, tally, progress=None):
    """Issue 18: rock2, rock4 and auto against dopri5, dop853 and scipy RK45/LSODA on three problems (see ROCK_PROBLEMS).

    All rows of all cases run in the order of rock_priority; `progress(p)` is called with the partial section after
    every row. With --rock-budget, a row is not started once the section's elapsed wall time plus the row's expected
    cost would exceed the budget; it is reported as not run."""
    name, cases = prob
    t_section = time.perf_counter()
    rtol, atol = ROCK_TOL
    p = dict(name=name, kind="rock", cases=[], cmds=[], load=[os.getloadavg()[0], None], budget=args.rock_budget,
             skipped=[], order=[])

    def cmd_str(cmd):
        return " ".join(shlex.quote(x) for x in cmd)

    def done():
        p["load"][1] = os.getloadavg()[0]
        p["elapsed"] = time.perf_counter() - t_section
        if progress:
            progress(p)

    def over_budget(cost):
        return args.rock_budget is not None and time.perf_counter() - t_section + cost > args.rock_budget

    def riccati_one(cmd, timeout):
        """A riccati run; one that ends with a status of the method (e.g. spectrumNotReal: ROCK's power iteration found
        no real dominant eigenvalue) is an outcome of the row, reported with its stats, not a harness failure."""
        def one():
            try:
                p_ = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=PEER_ENV)
            except subprocess.TimeoutExpired:
                raise TimeoutError(f"> {timeout:g} s")
            try:
                j = json.loads(p_.stdout)
            except ValueError:
                raise RuntimeError(f"exit {p_.returncode}: {p_.stderr.strip()[-300:]}")
            st = j["stats"]
            if st.get("status", "success") != "success":
                reached = j["times"][-1] if j.get("times") else 0.0
                raise RowStopped(f"stopped ({st['status']})",
                                 f"**stopped ({st['status']})**: {st.get('message', '')} (last save time reached "
                                 f"{reached:.4g}, {st['rhsEvaluations']} RHS evaluations, {st['solveSeconds']:.3g} s)",
                                 dict(nfev=st["rhsEvaluations"], tReached=reached, stats=st))
            return st["solveSeconds"], j
        return one

    def peer_one(cmd, wall, T):
        def one():
            j = json.loads(run_cmd(cmd, wall + 120, env=PEER_ENV)[0].strip().splitlines()[-1])
            if j["status"] == "stopped":
                jac = (f"; its first finite-difference Jacobian (BDF) at t = {j['firstJacobianAt']:.4g}"
                       if "firstJacobianAt" in j else "")
                raise RowStopped(f"> {wall:g} s", f"stopped after {j['seconds']:.3g} s at t = {j['tReached']:.4g} of "
                                 f"{T:g} ({j['nfev']} RHS evaluations{jac}; stopped by the "
                                 f"{j.get('stoppedBy', 'wall limit')})", j)
            if j["status"] != "success":
                raise RuntimeError(j["status"])
            return j["seconds"], j
        return one

    def measured(label, one, cap_note, ref_row=False):
        """Once; the median of 3 when that run took under ROCK_REPEAT_BELOW seconds (not in the smoke, not references)."""
        row = dict(t=None, n=0, payload=None, note="")
        try:
            sec, j = one()
            secs = [sec]
            if sec < ROCK_REPEAT_BELOW and not args.smoke and not ref_row:
                for _ in range(2):
                    secs.append(one()[0])
            row.update(t=statistics.median(secs), n=len(secs), payload=j,
                       note="" if len(secs) > 1 or args.smoke else
                       ("one run (the reference)" if ref_row else f"one run (over {ROCK_REPEAT_BELOW:g} s)"))
            tally.ok()
        except RowStopped as e:
            row["t"], row["note"], row["stopped"] = e.args
            # A method's own status (spectrumNotReal, ...) is a result; a peer's wall limit in the smoke is not.
            (tally.ok() if not args.smoke or str(e.args[0]).startswith("stopped (") else tally.fail(label, e))
        except TimeoutError as e:
            row["t"], row["note"] = str(e.args[0]), cap_note
            (tally.ok() if not args.smoke else tally.fail(label, e))
        except Exception as e:
            row["t"], row["note"] = "failed", str(e)[:200]
            tally.fail(label, e)
        log(f"   {label}: {fmt_t(row['t'])} {row['note']}")
        return row

    def process_row(case, row):
        """The row's statistics from its payload (or its stopped run), and its accuracy against the case's reference."""
        j = row.pop("payload", None)
        st = (row.get("stopped") or {}).get("stats")
        if j is None and st is not None:  # a RiccatiKit run that ended with its method's status: its stats
            row.update(acc=st.get("acceptedSteps"), rej=st.get("rejectedSteps"), sst=st.get("stabilizedSteps", 0),
                       sstages=st.get("stabilizedStages", 0), maxstages=st.get("largestStageCount", 0),
                       rho_n=st.get("spectralRadiusEstimates", 0), rho=st.get("largestSpectralRadius", 0.0))
            row["stopped"] = {k: v for k, v in row["stopped"].items() if k != "stats"}
        if j is None:
            return None
        if "stats" in j:
            st = j["stats"]
            row.update(nfev=st["rhsEvaluations"], acc=st.get("acceptedSteps"), rej=st.get("rejectedSteps"),
                       sst=st.get("stabilizedSteps", 0), sstages=st.get("stabilizedStages", 0),
                       maxstages=st.get("largestStageCount", 0), rho_n=st.get("spectralRadiusEstimates", 0),
                       rho=st.get("largestSpectralRadius", 0.0),
                       phases=compact_phases(st.get("phases") or [], case["T"]) if row["method"] == "auto" else None,
                       message=st.get("message", ""))
        else:
            row.update(nfev=j["nfev"], njev=j.get("njev"), nlu=j.get("nlu"))
            if j.get("njev"):
                row["note"] = (row["note"] + "; " if row["note"] else "") + \
                    f"{j['njev']} finite-difference Jacobians and LU factorisations (BDF)"
        row["err"] = max_rel_err(j["risk"], case["ref_risk"]) if case["ref_risk"] and not row.get("reference") else None
        return j

    # 1. Inputs, commands and the planned rows of every case.
    tasks = []
    for key, kind, prm in cases:
        case = dict(key=key, kind=kind, rows=[], prm=prm, ref=None, ref_risk=None, loads=[])
        p["cases"].append(case)
        inp = os.path.join(args.inputs, f"{name}-{key}")
        if kind == "relu":
            rs, T = prm["rs"], prm["T"]
            how = write_ode_inputs(inp, prm["alpha"], rs, rs, prm["d"], prm["sigma0"], SEED)
            times = act_times(T, prm["nsave"])
            base = [binary, "integrate", "--activation", "relu", "--lambdas", f"{inp}/lambda.npy", "--init-m",
                    f"{inp}/m0.npy", "--init-p", f"{inp}/p0.npy", "--format", "json", "--no-escape-times"]
            peer = [sys.executable, os.path.join(HERE, "activation_peer.py"), "scipy"]
            case["title"] = f"(a) ReLU, r = r_s = {rs}, T = {T:g}"
            case["spec"] = (f"ReLU flow of ACT-R: α = {prm['alpha']:g}, d = {prm['d']:g}, σ0 = {prm['sigma0']:g}, r = r_s = "
                            f"{rs} ((M0, P0) written by the bench with ACT-R's seed, P0 by {how}), T = {T:g}, "
                            f"{len(times)} log-spaced save times from {times[0]:g} to {T:g}")
        elif kind == "sgd-limit":
            _, alpha, d, r, rs, B, eta, steps, sigma0, t_long = prm["sgda"]
            write_sgd_inputs(inp, alpha, d, r, rs, sigma0, SEED)
            W0 = np.load(f"{inp}/w0.npy")
            np.save(f"{inp}/m0.npy", np.ascontiguousarray(W0[:, :r]))
            np.save(f"{inp}/p0.npy", np.ascontiguousarray(W0[:, r:] @ W0[:, r:].T))
            T = t_long
            times = save_times(T)
            base = [binary, "integrate", "--lambdas", f"{inp}/lambda.npy", "--init-m", f"{inp}/m0.npy", "--init-p",
                    f"{inp}/p0.npy", "--d", str(d), "--lr", repr(eta), "--batch", str(B), "--format", "json",
                    "--dynamics", "sgd-limit", "--no-escape-times"]
            peer = [sys.executable, os.path.join(HERE, "peer_solve.py"), "--sgd", f"{eta!r},{d},{B},0", "scipy"]
            case["title"] = f"(b) SGD-aware limit ODE (`--dynamics sgd-limit`), T = {T:g}"
            case["spec"] = (f"{prm['sgda'][0]}'s limit ODE: α = {alpha:g}, r = {r}, r_s = {rs}, d = {d}, B = {B}, η = {eta:g} "
                            f"(η·d/B = {eta * d / B:g}), σ0 = {sigma0:g}, (M0, P0) from {prm['sgda'][0]}'s W0, T = {T:g}, "
                            f"{len(times)} log-spaced save times from {times[0]:g} to {T:g}; the scipy peers integrate "
                            "[M | Q] (`bench/ode_rhs.py`), RiccatiKit [M | P]")
        else:
            _, alpha, r, rs, d, T = prm["ode"]
            how = write_ode_inputs(inp, alpha, r, rs, d, SIGMA0_ODE, SEED)
            times = save_times(T)
            base = [binary, "integrate", "--lambdas", f"{inp}/lambda.npy", "--init-m", f"{inp}/m0.npy", "--init-p",
                    f"{inp}/p0.npy", "--format", "json", "--no-escape-times"]
            peer = [sys.executable, os.path.join(HERE, "peer_solve.py"), "scipy"]
            case["title"] = f"(c) quadratic gradient flow ({prm['ode'][0]}), T = {T:g}"
            case["spec"] = (f"{prm['ode'][0]}: α = {alpha:g}, r = {r}, r_s = {rs}, d = {d}, σ0 = {SIGMA0_ODE:g}, P0 by {how}, "
                            f"T = {T:g}, {len(times)} log-spaced save times from {times[0]:g} to {T:g}")
        tcsv = ",".join(repr(t) for t in times)
        base += ["--t-end", repr(T), "--save-at", tcsv]
        case.update(T=T, wall=prm["wall"], cap=prm.get("swift_cap", args.ref_timeout), base=base, peer=peer, inp=inp,
                    tcsv=tcsv)
        plan = [(m, rtol, False) for m in ("dopri5", "dop853", "rock2", "rock4", "auto")]
        plan += [(m, ROCK_LOOSE_RTOL, False) for m in ("dopri5", "rock2", "rock4", "auto")]
        plan += [("RK45", rtol, True), ("LSODA", rtol, True)]
        for i, (method, rt, is_peer) in enumerate(plan):
            label = (f"scipy {method}" if is_peer else f"RiccatiKit {method}") + f" (rtol {rt:g}, atol {atol:g})"
            if selected(label, args):
                row = dict(label=label, method=method, rtol=rt, peer=is_peer, t=None, n=0, note="", shown=i + 1)
                case["rows"].append(row)
                tasks.append((rock_priority(key, method, rt, is_peer), len(tasks), case, row))

    def run_reference(case):
        prm, ref = case["prm"], case["prm"]["ref"]
        if ref[0] == "exact":
            label, cmd = "RiccatiKit exact (LQ, adaptive): the reference", case["base"] + ["--method", "exact"]
        else:
            label = f"RiccatiKit {ref[0]} (rtol {ref[1]:g}, atol {ref[2]:g}): the reference"
            cmd = case["base"] + ["--method", ref[0], "--rtol", repr(ref[1]), "--atol", repr(ref[2])]
        row = dict(label=label, method=ref[0], rtol=ref[1] if len(ref) > 1 else None, peer=False, reference=True,
                   shown=0, t=None, n=0, note="")
        case["ref"] = row
        case["rows"].insert(0, row)
        if over_budget(prm.get("ref_cost", 0.0)):
            row.update(t="not run", note=f"not run: the section's machine-time budget (--rock-budget {args.rock_budget:g} s) "
                       "was spent, and with it every row of this case")
            return
        p["cmds"].append(cmd_str(cmd))
        log(f"== {name} {case['key']}: {case['spec']}")
        row.update(measured(label, riccati_one(cmd, args.ref_timeout), f"stopped at {args.ref_timeout:g} s", ref_row=True))
        row["load"] = os.getloadavg()[0]
        p["order"].append(f"{case['key']}: reference")
        j = process_row(case, row)
        case["ref_risk"] = j["risk"] if j else None

    # 2. The rows, by priority.
    for _, _, case, row in sorted(tasks, key=lambda x: (x[0], x[1])):
        prm, T, method, rt = case["prm"], case["T"], row["method"], row["rtol"]
        if case["ref"] is None:
            run_reference(case)
            done()
        if case["ref"]["t"] == "not run":
            row.update(t="not run", note="not run: the case's reference was not run (budget)")
            p["skipped"].append(f"{case['title']}: {row['label']}")
            continue
        if row["peer"] and method == "RK45" and case["key"] == "relu-128" and not args.rock_rk45_128:
            row.update(t="not run", recorded=ACT_R_RK45_128,
                       note="not rerun here (machine time; `--rock-rk45-128` runs it); ACT-R's recorded run with the same "
                       f"field, tolerances and save times: stopped by its {ACT_R_RK45_128['seconds']:g} s wall limit at t = "
                       f"{ACT_R_RK45_128['tReached']:g} of {T:g} after {ACT_R_RK45_128['nfev']} RHS evaluations "
                       f"({1e3 * ACT_R_RK45_128['seconds'] / ACT_R_RK45_128['nfev']:.3g} ms each, load 3–5)")
            log(f"   {row['label']}: {row['note']}")
            continue
        cost = (prm.get("peer_cost", {}).get(method, case["wall"]) if row["peer"] else prm.get("row_cost", 0.0))
        if over_budget(cost):
            row.update(t="not run", note=f"not run: the section's machine-time budget (--rock-budget {args.rock_budget:g} s) "
                       "was spent before this row's turn")
            p["skipped"].append(f"{case['title']}: {row['label']}")
            log(f"   {row['label']}: {row['note']}")
            done()
            continue
        if row["peer"]:
            cmd = case["peer"] + [method, case["inp"], repr(T), case["tcsv"], repr(rt), repr(atol), repr(case["wall"])]
            p["cmds"].append(cmd_str(cmd[:cmd.index(case["inp"]) + 2]) + f" … ({row['label']}, wall limit {case['wall']:g} s)")
            got = measured(row["label"], peer_one(cmd, case["wall"], T), "killed by the harness")
        else:
            cmd = case["base"] + ["--method", method, "--rtol", repr(rt), "--atol", repr(atol)]
            p["cmds"].append(cmd_str(cmd))
            got = measured(row["label"], riccati_one(cmd, case["cap"]),
                           f"stopped by this case's per-run cap of {case['cap']:g} s")
        row.update(got)
        process_row(case, row)
        row["load"] = os.getloadavg()[0]
        p["order"].append(f"{case['key']}: {row['label']}")
        done()

    # 3. The cases' load ranges; the working fields dropped.
    for case in p["cases"]:
        loads = [r["load"] for r in case["rows"] if r.get("load") is not None]
        case["load"] = (min(loads), max(loads)) if loads else None
        for k in ("prm", "ref", "ref_risk", "base", "peer", "inp", "tcsv"):
            case.pop(k, None)
    p["cases"] = [c for c in p["cases"] if c["rows"]]
    if args.smoke:
        # The parent-side kill of bench/wall_limit.py (taken for real only when LSODA sits in its dense LU).
        import wall_limit

        def hang(progress):
            progress[wall_limit.START], progress[wall_limit.T], progress[wall_limit.NFEV] = time.perf_counter(), 1.5, 3
            while True:
                pass
        j = wall_limit.run_limited(hang, 0.2, grace=0.2)
        if j.get("status") == "stopped" and j.get("tReached") == 1.5 and j.get("nfev") == 3:
            tally.ok()
        else:
            tally.fail(f"{name} wall-limit kill", f"expected a stopped child, got {j}")
    p["elapsed"] = time.perf_counter() - t_section
    p["done"] = True
    done()
    return p


def rock_lines(p, args, tally=None, started=None):
    """The Markdown section ROCK (issue 18), with its generated reading and its commands."""
    L = ["", f"## {p['name']} (stabilised explicit methods ROCK2/ROCK4 and auto; issue 18)", ""] + merged_header(started)
    end_load = f"{p['load'][1]:.1f}" if p["load"][1] is not None else "—"
    rtol, atol = ROCK_TOL
    L += [f"RiccatiKit `integrate --method rock2|rock4|auto` against `dopri5`, `dop853` and scipy `solve_ivp` RK45 and "
          f"LSODA. Every method at rtol {rtol:g}, atol {atol:g} (ACT-R's atol: the ReLU state starts at ~1e-6); rock2, "
          f"rock4, auto and dopri5 also at rtol {ROCK_LOOSE_RTOL:g}. `auto` is dopri5 while not stiff and ROCK4 "
          "(rtol ≤ 1e-5, so at both tolerances here) once dopri5 is stability-bound. Accuracy: the maximum relative "
          "risk error over the save times against the case's reference row; \"≤ 1e-5\" marks equal accuracy "
          f"(≤ {ROCK_EQUAL:g} at every save). Time: `stats.solveSeconds` for RiccatiKit, the `solve_ivp` call for "
          "scipy (inside a subprocess, inputs loaded); every process with `OPENBLAS_NUM_THREADS=1` (RiccatiKit's "
          "`--threads 2` default: its field runs on two threads of its own from r_s·r ≥ 16384, i.e. at r = r_s = 128 and "
          f"ODE-M). Runs under {ROCK_REPEAT_BELOW:g} s: median of 3; longer runs (and the references): one run, n = 1. "
          "Stages / step is stabilizedStages / stabilizedSteps (the ROCK steps only; auto's dopri5 steps are not in it); "
          "ρ estimates: the power-iteration spectral-radius estimates and the largest ρ found. The scipy peers have a wall "
          "limit per case (in the case's heading); a peer still running there is stopped — inside LSODA's Fortran too, "
          "by its parent process (`bench/wall_limit.py`) — and reported with how far it got. Peer evaluations count "
          "every right-hand-side call (LSODA's finite-difference Jacobian columns included).", "",
          f"1-minute load average on the {os.cpu_count()} logical cores: {p['load'][0]:.1f} at the start of this section, "
          f"{end_load} at its end; per case below. Machine time of the section: {p.get('elapsed', 0) / 60:.1f} min"
          + (f" (budget `--rock-budget {p['budget']:g}` s)" if p.get("budget") else "")
          + ". The rows ran by priority (`rock_priority` in `bench/run.py`: ReLU r_s = 64 first, the r_s = 128 width "
          "and the foreseeably stopped peers last), not in table order; each case's reference ran before its first row."]
    for c in p["cases"]:
        dopri = {r["rtol"]: r for r in c["rows"] if r.get("method") == "dopri5" and not r.get("reference")
                 and r.get("nfev")}
        ld = c.get("load")
        ld = f" 1-minute load over its rows {ld[0]:.1f}–{ld[1]:.1f}." if isinstance(ld, tuple) else ""
        cap = f" RiccatiKit runs capped at {c['cap']:g} s." if c.get("cap", 1e9) < 3600 else ""
        L += ["", f"### {c['title']}", "", c["spec"] + f". Peer wall limit {c['wall']:g} s.{cap}{ld}",
              "", "| solver | wall time | n | RHS evaluations | evals / dopri5 (same rtol) | accepted / rejected | "
              "stages / step (max) | ρ estimates (largest ρ) | auto's phases | max rel. risk error | ≤ 1e-5 | note |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for r in c["rows"]:
            nfev = r.get("nfev")
            if nfev is None and r.get("stopped"):
                nfev_s = f"{r['stopped']['nfev']} (to t = {r['stopped']['tReached']:.4g})"
            elif nfev is None and r.get("recorded"):
                nfev_s = f"{r['recorded']['nfev']} (to t = {r['recorded']['tReached']:g}; ACT-R)"
            else:
                nfev_s = str(nfev) if nfev is not None else "—"
            d = dopri.get(r.get("rtol"))
            ratio = f"{nfev / d['nfev']:.3g}" if nfev and d and not r.get("reference") else "—"
            acc = f"{r['acc']} / {r['rej']}" if r.get("acc") is not None else "—"
            stages = f"{r['sstages'] / r['sst']:.3g} ({r['maxstages']})" if r.get("sst") else "—"
            rho = f"{r['rho_n']} ({r['rho']:.3g})" if r.get("rho_n") else "—"
            err = r.get("err")
            eq = "—" if err is None or np.isnan(err) else ("yes" if err <= ROCK_EQUAL else "no")
            L.append(f"| {r['label']} | {fmt_t(r['t'])} | {r['n']} | {nfev_s} | {ratio} | {acc} | {stages} | {rho} | "
                     f"{r.get('phases') or '—'} | {fmt_e(err)} | {eq} | {r['note'].replace('|', '∣')} |")
        msgs = [f"{r['label']}: \"{r['message']}\"" for r in c["rows"] if r.get("message") and "stiff" in r["message"]]
        if msgs:
            L += ["", "Messages: " + "; ".join(msgs) + "."]
    L += ["", "### Reading (generated from the rows above)", ""] + rock_reading(p)
    if p.get("skipped"):
        L += ["", "Not run (machine-time budget): " + "; ".join(p["skipped"]) + "."]
    L += ["", "Commands (paths relative to the checkout):", "", "```sh"] + [scrub(c) for c in p["cmds"]] + ["```"]
    if tally is not None:
        L += ["", f"Timed cases of this run: {tally.passed} passed, {tally.failed} failed."] + [f"- {n}" for n in tally.notes]
    return L


def rock_reading(p):
    """The ratios issue 18 asks about, from the rows: rock2/rock4/auto against dopri5 on the ReLU flow at the first
    width and on the quadratic flow, and auto against dopri5 everywhere (at most 1.10× on non-stiff problems; a case
    where dopri5 itself reports stiffness is not one)."""
    import re
    L = []
    relu = next((c for c in p["cases"] if c["kind"] == "relu"), None)
    ode = next((c for c in p["cases"] if c["kind"] == "ode"), None)

    def row(c, method, rt):
        return next((r for r in c["rows"] if r.get("method") == method and r.get("rtol") == rt and not r.get("reference")
                     and r.get("nfev")), None)
    for c in (relu, ode):
        if c is None:
            continue
        for rt in (ROCK_TOL[0], ROCK_LOOSE_RTOL):
            d = row(c, "dopri5", rt)
            if d is None:
                continue
            parts = []
            for m in ("rock2", "rock4", "auto"):
                r = row(c, m, rt)
                if r is None:
                    continue
                err = r.get("err")
                agree = "—" if err is None else (f"agrees to ≤ 1e-5 at every save ({err:.1e})" if err <= ROCK_EQUAL
                                                 else f"does not agree to 1e-5 ({err:.1e})")
                tr = f", time {r['t'] / d['t']:.3g}×" if isinstance(r["t"], float) and isinstance(d["t"], float) else ""
                parts.append(f"{m} {r['nfev'] / d['nfev']:.3g}× ({r['nfev']} evaluations{tr}; {agree})")
            derr = d.get("err")
            dnote = f"dopri5 {d['nfev']} evaluations, error {fmt_e(derr)}" + \
                    ("" if derr is None else (" (≤ 1e-5)" if derr <= ROCK_EQUAL else " (> 1e-5)"))
            L.append(f"- {c['title']}, rtol {rt:g}: evaluations / dopri5's: " + ("; ".join(parts) or "no rows")
                     + f". [{dnote}]")
    checks = []
    for c in p["cases"]:
        for rt in (ROCK_TOL[0], ROCK_LOOSE_RTOL):
            d, a = row(c, "dopri5", rt), row(c, "auto", rt)
            if d is None or a is None:
                continue
            m = re.search(r"stiff at t = ([0-9.eE+-]+)", d.get("message") or "")
            ratio = a["nfev"] / d["nfev"]
            verdict = "within 1.10" if ratio <= 1.10 else ("above 1.10, but dopri5 is stiff here" if m else
                                                         "**above 1.10 on a problem dopri5 finds non-stiff**")
            checks.append(f"{c['title']}, rtol {rt:g}: {ratio:.3g}× ("
                          + (f"dopri5 reports stiffness from t = {float(m.group(1)):.3g}" if m else
                             "dopri5 reports no stiffness") + f"; {verdict})")
    if checks:
        L.append("- auto / dopri5 evaluations (issue 18: at most 1.10× on non-stiff problems): " + "; ".join(checks) + ".")
    return L or ["(no rows)"]


def section_lines(p, args, tally=None, started=None):
    if p.get("kind") == "rock":
        return rock_lines(p, args, tally, started)
    return (activation_lines if p.get("kind") == "activation" else sgd_aware_lines)(p, args, tally, started)


def merge_results(path, sections, args, tally, started):
    """--merge: replace (or append) this run's `## name` sections in an existing results file, keep the rest."""
    text = open(path).read() if os.path.exists(path) else "# RiccatiKit benchmarks\n"
    for p in sections:
        new = "\n".join(section_lines(p, args, tally, started)).strip("\n") + "\n"
        head = f"\n## {p['name']} "
        start = text.find(head)
        if start < 0:
            text = text.rstrip("\n") + "\n\n" + new
            continue
        end = text.find("\n## ", start + len(head))
        text = text[:start + 1] + new + ("\n" + text[end + 1:] if end >= 0 else "")
    with open(path, "w") as f:
        f.write(text)


def scrub(cmd):
    """A command line for the report: paths relative to the checkout, the Python interpreter by name."""
    return cmd.replace(ROOT + os.sep, "").replace(sys.executable, "python3")


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=60).stdout.strip()
    except Exception as e:
        return f"({e})"


def machine():
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    try:
        b = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{b.get('name')} {b.get('version')} (bundled with numpy; {' '.join(str(b.get('openblas configuration', '')).split())})"
    except Exception as e:
        blas = f"unknown ({e})"
    sysblas = sh("dpkg-query -W -f='${Package} ${Version}\\n' 'libopenblas0*' 'libopenblas-dev' 2>/dev/null | grep -v ' $'")
    threads = {k: os.environ.get(k, "unset") for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    return [
        f"- CPU: {cpu}, {os.cpu_count()} logical cores ({platform.machine()}, {platform.system()} {platform.release()})",
        f"- numpy {np.__version__} BLAS: {blas}",
        f"- system OpenBLAS (RiccatiKit links it): {'; '.join(sysblas.splitlines()) or 'unknown'}",
        f"- scipy {__import__('scipy').__version__}, Python {platform.python_version()}, "
        f"jax/diffrax: {'available' if peers_available() else 'not installed'}",
        f"- {sh('swift --version 2>&1 | head -1')}",
        f"- threads: environment {threads}. `riccati integrate` (`--threads 2`, the default): dopri5 and rk4 run their "
        f"two parts on two threads of their own from r_s·r ≥ 16384 (ODE-M), OpenBLAS single-threaded; the exact "
        f"propagator (LQ) runs LAPACK single-threaded and splits its work on two threads of its own from r_s = 128 (ODE-L); "
        f"otherwise 1 OpenBLAS thread for r_s < 128. `riccati sgd` uses `--threads 2` (default) with OpenBLAS "
        f"single-threaded; numpy/scipy use OpenBLAS's default (all cores).",
    ]


def write_results(path, ode, sgd, cmds, args, tally, started, sgda=(), acts=(), rocks=()):
    if args.merge:
        return merge_results(path, list(sgda) + list(acts) + list(rocks), args, tally, started)
    L = ["# RiccatiKit benchmarks", "",
         f"Generated by `{' '.join(shlex.quote(a) for a in ['bench/run.py'] + sys.argv[1:])}` on "
         f"{started:%Y-%m-%d %H:%M UTC}. Times are medians after one warm-up; `n` is the number of timed runs.",
         "RiccatiKit ODE times are the in-process `stats.solveSeconds` (no process start-up, no JSON);",
         "peer times are the `solve_ivp`/`diffeqsolve` call alone, timed inside a subprocess with inputs already",
         f"loaded. A run still going after the cap ({args.cap:g} s) is stopped and reported as `> cap`.",
         "Every side computes the same thing, the states at the 12 save times: RiccatiKit runs with `--no-escape-times`,",
         "except the row marked `+ escape times`, which is `riccati integrate`'s default and also locates each direction's",
         "escape time (G_jj first reaching λ_j/2) to 1e-12 relative; the peers have no such output.",
         f"Accuracy: maximum relative risk error over the 12 save times against `riccati integrate --method exact "
         f"--factorization symmetricRoot --step {args.ref_step:g}`; for ODE-L (r_s = 256) `--method exact --factorization cholesky --step {args.ref_step_large:g}`.", "", "## Machine", ""]
    L += machine()
    for p in ode:
        L += ["", f"## {p['name']}", "", p["spec"], "",
              "| solver | time | n | RHS evaluations | max rel. risk error | this / scipy RK45 | scipy RK45 / this | note |",
              "|---|---|---|---|---|---|---|---|"]
        base = next((r["t"] for r in p["rows"] if r["label"].startswith("scipy RK45")), None)
        base_cap = float(base[2:].split()[0]) if isinstance(base, str) and base.startswith("> ") else None
        for r in p["rows"]:
            if isinstance(r["t"], float) and isinstance(base, float):
                a, b = f"{r['t'] / base:.3g}", f"{base / r['t']:.3g}"
            elif isinstance(r["t"], float) and base_cap:
                a, b = f"< {r['t'] / base_cap:.3g}", f"> {base_cap / r['t']:.3g}"
            else:
                a = b = "—"
            L.append(f"| {r['label']} | {fmt_t(r['t'])} | {r['n']} | {r['nfev'] if r['nfev'] is not None else '—'} | "
                     f"{fmt_e(r['err'])} | {a} | {b} | {r['note']} |")
        # Non-default settings are shown for information but never credited as the fastest.
        best = [r for r in p["rows"] if not r["peer"] and isinstance(r["t"], float) and "non-default" not in r["label"]]
        peers = [r for r in p["rows"] if r["peer"]]
        if best and peers:
            fb = min(best, key=lambda r: r["t"])
            L += ["", f"Fastest RiccatiKit method: {fb['label']} ({fmt_t(fb['t'])})."]
            for q in peers:
                if isinstance(q["t"], float):
                    L.append(f"- vs {q['label']}: RiccatiKit/peer = {fb['t'] / q['t']:.3g}, peer/RiccatiKit = {q['t'] / fb['t']:.3g}")
                else:
                    L.append(f"- vs {q['label']}: peer {q['t']} (did not finish)")
    for p in sgd:
        bare_lines = []
        if p.get("bare"):
            for prec, key in (("double", "dgemm"), ("float", "sgemm")):
                best_bare = max(p["bare"][f"{key}Threads1"], p["bare"][f"{key}Threads2"])
                own = next((r["gflops"] for r in p["rows"] if r["label"].endswith(prec) and r["gflops"]), None)
                bare_lines.append(
                    f"- {prec}: bare `cblas_{key}` (system OpenBLAS, same shapes, the pair `X Wᵀ` and `Zᵀ X`) "
                    f"{p['bare'][f'{key}Threads1']:.3g} GFLOP/s on 1 thread, {p['bare'][f'{key}Threads2']:.3g} on 2; "
                    + (f"inside the SGD step {own:.3g} GFLOP/s = **{100 * own / best_bare:.0f}%** of the better bare figure."
                       if own else "no SGD figure to compare."))
        L += ["", f"## {p['name']}", "", p["spec"], "",
              "| implementation | steps/s | n | RNG ns/sample | GEMM GFLOP/s (RiccatiKit's own count) | final risk | RiccatiKit double / this (time) | this / RiccatiKit double (time) | note |",
              "|---|---|---|---|---|---|---|---|---|"]
        base = next((r["sps"] for r in p["rows"] if r["label"].endswith("double")), None)
        for r in p["rows"]:
            num = r["sps"] and base
            L.append(f"| {r['label']} | {r['sps']:.3g} | {r['n']} | " if r["sps"] else f"| {r['label']} | — | 0 | ")
            L[-1] += (f"{r['rng']:.3g} | " if r["rng"] is not None else "— | ") + \
                     (f"{r['gflops']:.3g} | " if r["gflops"] is not None else "— | ") + \
                     (f"{r['risk']:.4g} | " if r["risk"] is not None else "— | ") + \
                     (f"{r['sps'] / base:.3g} | {base / r['sps']:.3g} | " if num else "— | — | ") + f"{r['note']} |"
        if bare_lines:
            L += ["", "GEMM throughput inside the step against a bare GEMM call (`GEMMBaseline`, median of 10 pairs):", ""] + bare_lines
        if p["gemm"]:
            L += ["", "numpy/OpenBLAS dgemm on the step's two GEMM shapes (float64, 2 flops per multiply-add, "
                  "median of 10-call averages; this is numpy's bundled OpenBLAS, not the system one RiccatiKit links): " + ", ".join(f"`{k}` {v:.3g} GFLOP/s" for k, v in p["gemm"].items()) + "."]
    for p in sgda:
        L += sgd_aware_lines(p, args)
    for p in acts:
        L += activation_lines(p, args)
    for p in rocks:
        L += rock_lines(p, args)
    # Paths relative to the checkout: no machine's absolute paths in the report.
    L += ["", "## Commands", "", "```sh"] + [scrub(c) for c in cmds] + ["```", "",
          f"Reference runs: {', '.join(refs) or 'none'}.", "",
          f"Timed cases: {tally.passed} passed, {tally.failed} failed."]
    L += [f"- {n}" for n in tally.notes]
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--results", default=None)
    ap.add_argument("--cap", type=float, default=600.0, help="seconds before a run is stopped")
    ap.add_argument("--ref-timeout", type=float, default=3600.0)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rk4-step", default=RK4_STEP,
                    help="comma-separated fixed steps; h = 0.01 matches dopri5's accuracy on ODE-S (h = 0.05: ~1e-4)")
    ap.add_argument("--ref-step", type=float, default=REF_STEP)
    ap.add_argument("--ref-step-large", type=float, default=1.0)
    ap.add_argument("--case-budget", type=float, default=None,
                    help="limit the timed repeats of one case to about this many seconds (at least one run)")
    ap.add_argument("--only", default=None, help="comma-separated problem names")
    ap.add_argument("--methods", default=None,
                    help="comma-separated parts of case labels to run (e.g. 'dop853,scipy RK45'); the reference always runs; "
                         "SGD problems are skipped when given")
    ap.add_argument("--merge", action="store_true",
                    help="write only the SGD-aware, activation and ROCK sections of this run (SGDA-M, ACT-R, ROCK) into the existing results "
                         "file, replacing sections of the same name and keeping all others (needs --only with those only)")
    ap.add_argument("--act-widths", default=None, help="comma-separated widths r = r_s of ACT-R (default: 64,128)")
    ap.add_argument("--rock-budget", type=float, default=None,
                    help="ROCK: seconds of machine time for the section; rows that would start past it are reported as not run")
    ap.add_argument("--rock-rk45-128", action="store_true",
                    help="ROCK: also run scipy RK45 at r = r_s = 128 (else ACT-R's recorded run is shown)")
    ap.add_argument("--skip-explicit-large", action=argparse.BooleanOptionalAction, default=True,
                    help="skip riccati's dopri5/rk4 on ODE-L (r_s = 256); default on")
    args = ap.parse_args()
    CASE_BUDGET[0] = args.case_budget
    args.rk4_steps = [float(h) for h in str(args.rk4_step).split(",")]
    args.methods = [m for m in args.methods.split(",") if m] if args.methods else None
    started = datetime.datetime.now(datetime.timezone.utc)
    tmp = None
    if args.smoke:
        tmp = tempfile.mkdtemp(prefix="riccati-bench-smoke-")
        args.inputs = os.path.join(tmp, "inputs")
        args.results = args.results or os.path.join(tmp, "RESULTS.md")
        args.reps, args.cap = 2, min(args.cap, 60.0)
        odes, sgds, sgdas, acts, rocks = SMOKE_ODE, SMOKE_SGD, SMOKE_SGDA, SMOKE_ACT, SMOKE_ROCK
    else:
        args.inputs = os.path.join(HERE, "inputs")
        args.results = args.results or os.path.join(HERE, "RESULTS.md")
        odes, sgds, sgdas, acts, rocks = ODE_PROBLEMS, SGD_PROBLEMS, SGDA_PROBLEMS, ACT_PROBLEMS, ROCK_PROBLEMS
    if args.only:
        keep = set(args.only.split(","))
        odes = [p for p in odes if p[0] in keep]
        sgds = [p for p in sgds if p[0] in keep]
        sgdas = [p for p in sgdas if p[0] in keep]
        acts = [p for p in acts if p[0] in keep]
        rocks = [p for p in rocks if p[0] in keep]
    if args.act_widths:
        acts = [p[:5] + (tuple(int(w) for w in args.act_widths.split(",")),) + p[6:] for p in acts]
    if args.merge and (odes or sgds or not (sgdas or acts or rocks)):
        ap.error("--merge writes the SGD-aware, activation and ROCK sections only: select them alone with --only "
                 "(e.g. --only SGDA-M, --only ACT-R or --only ROCK)")
    if args.methods:
        sgds = []
    binary = riccati_binary()
    if not (os.path.exists(binary) and os.path.exists(gemm_baseline_binary())):
        subprocess.run(["swift", "build", "-c", "release"], cwd=ROOT, check=True)
    tally, cmds = Tally(), []
    # The large ODE problem runs last, so that everything else is measured even if it is slow;
    # the results file is rewritten after every problem, so an interrupted run still leaves numbers.
    ode, sgd, sgda, act, rock = [], [], [], [], []
    for p in [p for p in odes if p[0] != "ODE-L"]:
        ode.append(bench_ode(p, args, binary, tally, cmds))
        write_results(args.results, ode, sgd, cmds, args, tally, started, sgda)
    for p in sgds:
        sgd.append(bench_sgd(p, args, binary, tally, cmds))
        write_results(args.results, ode, sgd, cmds, args, tally, started, sgda)
    for p in sgdas:
        sgda.append(bench_sgd_aware(p, args, binary, tally))
        write_results(args.results, ode, sgd, cmds, args, tally, started, sgda, act)
    for p in acts:
        act.append(None)

        def progress(part):
            act[-1] = part
            write_results(args.results, ode, sgd, cmds, args, tally, started, sgda, act)
        act[-1] = bench_activation(p, args, binary, tally, progress)
        write_results(args.results, ode, sgd, cmds, args, tally, started, sgda, act)
    for p in rocks:
        rock.append(None)

        def rock_progress(part):
            rock[-1] = part
            write_results(args.results, ode, sgd, cmds, args, tally, started, sgda, act, rock)
        rock[-1] = bench_rock(p, args, binary, tally, rock_progress)
        write_results(args.results, ode, sgd, cmds, args, tally, started, sgda, act, rock)
    for p in [p for p in odes if p[0] == "ODE-L"]:
        ode.append(bench_ode(p, args, binary, tally, cmds))
    write_results(args.results, ode, sgd, cmds, args, tally, started, sgda, act, rock)
    log(f"results: {args.results}")
    name = "bench-smoke" if args.smoke else "bench"
    print(f"{name}: {tally.passed} passed, {tally.failed} failed")
    sys.exit(1 if tally.failed else 0)


if __name__ == "__main__":
    main()
