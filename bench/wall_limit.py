"""A wall limit for a peer solve that holds even inside compiled code (bench/run.py, section ROCK).

The peers stop themselves at their wall limit from inside the right-hand side (`WallLimitReached`), which only
works while the solver calls it. scipy's LSODA, once it has switched to BDF, forms a dense finite-difference
Jacobian and factors it in ODEPACK's Fortran (n = 8192 at r = r_s = 64, 32768 at 128: an n×n LU without a single
right-hand-side call), so there the check never runs. `run_limited` therefore runs the solve in a forked child that
reports its progress in shared memory; the parent waits for its result and, once the child has been solving for
`wall_limit + grace` seconds, kills it and reports how far it got (status "stopped", tReached, nfev, and the time
of the first finite-difference Jacobian when one was seen).

Progress slots (doubles): START (perf_counter when the solve started; the monotonic clock is shared by parent and
child), T (largest t the right-hand side was called at), NFEV (right-hand-side calls), JAC_T (t of the first run of
same-t calls as long as the state, i.e. a finite-difference Jacobian; nan before), RUN_T, RUN_N (the current run of
calls at one t).
"""
import json
import math
import os
import resource
import select
import signal
import time

START, T, NFEV, JAC_T, RUN_T, RUN_N = range(6)


class WallLimitReached(Exception):
    pass


def new_progress():
    import multiprocessing
    p = multiprocessing.RawArray("d", 6)
    p[JAC_T] = math.nan
    p[RUN_T] = math.nan
    return p


def counting(rhs, progress, wall_limit, n):
    """rhs wrapped: counts calls and records progress; raises WallLimitReached past the wall limit."""
    def f(t, y):
        progress[NFEV] += 1
        if t > progress[T]:
            progress[T] = t
        if t == progress[RUN_T]:
            progress[RUN_N] += 1
            if progress[RUN_N] >= n // 2 and math.isnan(progress[JAC_T]):
                progress[JAC_T] = t
        else:
            progress[RUN_T], progress[RUN_N] = t, 1
        if wall_limit is not None and time.perf_counter() - progress[START] > wall_limit:
            raise WallLimitReached()
        return rhs(t, y)
    return f


def stopped(progress, seconds, why="wall limit"):
    out = {"seconds": seconds, "nfev": int(progress[NFEV]), "status": "stopped", "tReached": progress[T], "risk": [],
           "stoppedBy": why}
    if not math.isnan(progress[JAC_T]):
        out["firstJacobianAt"] = progress[JAC_T]
    return out


def run_limited(solve, wall_limit, grace=5.0, memory_limit=None):
    """solve(progress) -> result dict, in a forked child; the parent enforces wall_limit (seconds of solving).

    `solve` must set progress[START] = time.perf_counter() when its timed part begins. memory_limit (bytes), when
    given, is the child's address-space limit: a solve that would need more fails with MemoryError instead of
    pressing on the shared machine. Returns the child's dict, or stopped(...) when it was killed."""
    progress = new_progress()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        code = 0
        try:
            if memory_limit:
                resource.setrlimit(resource.RLIMIT_AS, (int(memory_limit), int(memory_limit)))
            try:
                out = solve(progress)
            except MemoryError:
                out = {"seconds": time.perf_counter() - progress[START] if progress[START] else 0.0,
                       "nfev": int(progress[NFEV]), "status": f"MemoryError (address space limited to "
                       f"{memory_limit / 2**30:.0f} GiB)", "tReached": progress[T], "risk": []}
            data = json.dumps(out).encode()
            while data:
                data = data[os.write(w, data):]
        except BaseException as e:  # noqa: BLE001 (the child must always exit here)
            try:
                os.write(w, json.dumps({"status": f"child failed: {e!r}"[:300], "risk": []}).encode())
            except Exception:
                pass
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([r], [], [], 0.2)
            if ready:
                b = os.read(r, 1 << 16)
                if not b:
                    break
                chunks.append(b)
                continue
            if progress[START] and time.perf_counter() - progress[START] > wall_limit + grace:
                seconds = time.perf_counter() - progress[START]
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return stopped(progress, seconds, "parent process (the solve was inside compiled code past the wall limit)")
    finally:
        os.close(r)
    os.waitpid(pid, 0)
    if not chunks:
        return {"status": "child exited without a result", "risk": []}
    return json.loads(b"".join(chunks))


def memory_limit(cap=16 * 2**30, share=0.7):
    """The address-space limit of a limited child: 16 GiB or 70% of the machine's memory, whichever is less
    (LSODA's dense Jacobian alone is 8·n² bytes, 8.6 GB at n = 32768)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError):
        return cap
    return int(min(cap, share * total))
