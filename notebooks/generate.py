"""Writes the four notebooks (run once by hand when their text changes; `make notebooks` executes them).

Each notebook runs its example binary (built by `make notebooks`), reads the CSV files it wrote,
plots them with matplotlib and prints the numbers behind every claim it makes.
"""
import nbformat as nbf
from pathlib import Path

HERE = Path(__file__).parent

SETUP = '''import csv, os, subprocess, math
from pathlib import Path
import matplotlib
import matplotlib.pyplot as plt
import numpy as np

ROOT = Path(os.environ.get("RICCATIKIT_ROOT", "..")).resolve()
BIN = Path(os.environ.get("RICCATIKIT_BIN", ROOT / ".build" / "release"))
OUT = Path(os.environ.get("RICCATIKIT_OUT", ROOT / "out" / "{name}")).resolve()
OUT.mkdir(parents=True, exist_ok=True)
run = subprocess.run([str(BIN / "{name}"), str(OUT)], capture_output=True, text=True)
print(run.stdout)
assert run.returncode == 0, run.stderr

def table(file):
    with open(OUT / file) as handle:
        return list(csv.DictReader(handle))
'''


def notebook(name, title, intro, cells):
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbf.v4.new_markdown_cell(f"# {title}\n\n{intro}"))
    nb.cells.append(nbf.v4.new_code_cell(SETUP.replace("{name}", name)))
    for kind, text in cells:
        nb.cells.append(nbf.v4.new_markdown_cell(text) if kind == "md" else nbf.v4.new_code_cell(text))
    nbf.write(nb, HERE / f"{name}.ipynb")


notebook("Figure3Monotonicity", "Figure 3: matrix monotonicity of the Riccati flow",
         "λ = (2, 1), r_s = 2, d = 1024. The paper's comparison principle says that a larger initial "
         "overlap in Loewner order stays larger for all times (`G0 ⪯ G0'` ⇒ `G(t) ⪯ G'(t)`), while "
         "`t ↦ G(t)` itself need not be monotone. The example `examples/Figure3Monotonicity` integrates "
         "both with the exact propagator and with Dormand–Prince.", [
    ("code", '''ellipses = table("ellipses.csv")
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
colors = {"0.0": "C0", "0.25": "C1", "0.5": "C2"}
for when in ["0.0", "0.25", "0.5"]:
    for trajectory, style in [("A", "-"), ("B", "--")]:
        pts = [(float(r["x"]), float(r["y"])) for r in ellipses if r["t"] == when and r["trajectory"] == trajectory]
        label = f"{'G(t)' if trajectory == 'A' else 'G(t) from 1.25·G0'}, t = {when}"
        left.plot(*zip(*pts), style, color=colors[when], label=label)
left.set_aspect("equal"); left.set_xlabel("v1"); left.set_ylabel("v2"); left.legend(fontsize=7)
left.set_title("level sets vᵀG(t)v = 1")
entries = table("entries_sigma2.csv")
t = np.array([float(r["t"]) for r in entries])
for key in ["G_11", "G_22", "G_12"]:
    right.plot(t, [float(r[key]) for r in entries], label=key)
right.set_xlabel("t"); right.set_title("entries of G(t), σ0 = 2"); right.legend()
plt.tight_layout(); plt.show()'''),
    ("md", "**Nesting.** The dashed ellipse of the larger initial condition lies inside the solid one at each time "
           "(a larger `G` has a smaller level set). The numbers below are the minimum over all saved times of "
           "`λ_min(G_B(t) − G_A(t))` for each method, and the point of each ellipse pair where they are closest."),
    ("code", '''verdicts = table("verdicts.csv")
for row in verdicts:
    print({k: row[k] for k in ["case", "method", "orderPreserved", "minMargin", "monotoneInTime", "firstViolationStart", "firstViolationEnd"]})
for when in ["0.0", "0.25", "0.5"]:
    a = np.array([(float(r["x"]), float(r["y"])) for r in ellipses if r["t"] == when and r["trajectory"] == "A"])
    b = np.array([(float(r["x"]), float(r["y"])) for r in ellipses if r["t"] == when and r["trajectory"] == "B"])
    ratio = (np.linalg.norm(b, axis=1) / np.linalg.norm(a, axis=1)).max()
    print(f"t = {when}: the B ellipse reaches at most {ratio:.4f} of A's radius along the same angle (< 1 means nested)")'''),
    ("md", "**Not monotone in time.** With σ0 = 2 the orthogonal part of the initialisation (`P0 ≈ 4I`) exceeds λ, "
           "so every overlap first shrinks; `G_22` has an interior minimum before it rises to `λ_2 = 1`:"),
    ("code", '''g22 = np.array([float(r["G_22"]) for r in entries])
k = int(np.argmin(g22))
print(f"G_22 falls from {g22[0]:.3e} to {g22[k]:.3e} at t = {t[k]:.3f}, then rises to {g22[-1]:.4f}")
sigma2 = [r for r in verdicts if r["case"].startswith("sigma0")][0]
correlated = [r for r in verdicts if r["case"].startswith("correlated")][0]
print("σ0 = 2: time monotonicity", sigma2["monotoneInTime"], "; first Loewner violation on [", sigma2["firstViolationStart"], ",", sigma2["firstViolationEnd"], "]")
print("correlated small initialisation: time monotonicity", correlated["monotoneInTime"], "; first violation on [", correlated["firstViolationStart"], ",", correlated["firstViolationEnd"], "]")'''),
])

notebook("Figure2RiskCurves", "Figure 2: risk curves and their power laws",
         "Gradient flow (exact propagator) with teacher `λ_j ∝ j^{-α}`, r = 128, d = 1e12 and small initialisation, "
         "for α ∈ {0.75, 1, 1.5} and student widths r_s ∈ {16, 64, 128}. The paper's additive picture predicts "
         "`R(t) ≈ 2 Σ_{j>J(t)} λ_j²` with escape times `T_j ≈ ln(λ_j d/(r_s σ0²))/(8λ_j)`, a power law "
         "`R ∝ t^{(1−2α)/α}` as r grows, and a floor `2 Σ_{j>r_s} λ_j²`.", [
    ("code", '''rows = table("risk_curves.csv")
alphas = sorted({r["alpha"] for r in rows}, key=float)
fig, axes = plt.subplots(1, len(alphas), figsize=(15, 4.2), sharey=True)
for ax, alpha in zip(axes, alphas):
    for i, rs in enumerate(sorted({r["rs"] for r in rows if r["alpha"] == alpha}, key=int)):
        sel = [r for r in rows if r["alpha"] == alpha and r["rs"] == rs]
        t = [float(r["t"]) for r in sel]
        ax.loglog(t, [float(r["risk"]) for r in sel], color=f"C{i}", label=f"r_s = {rs}")
        additive = [(float(r["t"]), float(r["riskAdditive"])) for r in sel if float(r["riskAdditive"]) > 0]
        ax.loglog(*zip(*additive), "--", color=f"C{i}")
        floor = float(sel[0]["floor"])
        if floor > 0: ax.axhline(floor, color=f"C{i}", ls=":")
    ax.set_ylim(1e-5, 3)   # r_s = r drives the risk to round-off level (~1e-28); the power law lives above 1e-5
    ax.set_title(f"α = {alpha} (dashed: additive model, dotted: floor)"); ax.set_xlabel("t")
axes[0].set_ylabel("risk"); axes[0].legend(); plt.tight_layout(); plt.show()'''),
    ("md", "**Exponents.** Fitted log-log slopes over the window `[T_3, T_{⌊min(r,r_s)/4⌋}]`, against the additive model "
           "on the same window and the asymptotic `(1−2α)/α`. The ODE follows the additive model; the gap to the "
           "asymptote is the finite-r correction, which shrinks as r grows (see the README's sweep table)."),
    ("code", '''for row in table("exponents.csv"):
    if row["fittedSlope"]:
        print(f"α = {row['alpha']:>4}, r_s = {row['rs']:>3}: window [{float(row['windowStart']):.3g}, {float(row['windowEnd']):.3g}], "
              f"ODE slope {float(row['fittedSlope']):.3f}, additive {float(row['additiveSlope']):.3f}, asymptotic {float(row['asymptoticSlope']):.3f}, "
              f"|ODE − additive| = {abs(float(row['fittedSlope']) - float(row['additiveSlope'])):.3f}")
    else:
        print(f"α = {row['alpha']:>4}, r_s = {row['rs']:>3}: window undefined (⌊min(r, r_s)/4⌋ ≤ 3)")'''),
])

notebook("Figure1bComputeFrontier", "Figure 1(b): population risk against compute",
         "Online SGD with batch d on a teacher with r/d = 0.75 and α = 1 (the paper uses d = 3200, r = 2400; here "
         "d = 256, r = 192), for student widths 4 … 128. Compute after k steps is `k·B·d·r_s` multiply-adds of the "
         "forward pass. Narrow students plateau early at their width floor; the best width grows with the budget, "
         "and the lower envelope over widths is a power law in compute.", [
    ("code", '''curves = table("curves.csv"); frontier = table("frontier.csv")
fig, ax = plt.subplots(figsize=(8, 5))
for i, rs in enumerate(sorted({r["rs"] for r in curves}, key=int)):
    sel = [r for r in curves if r["rs"] == rs and float(r["compute"]) > 0]
    ax.loglog([float(r["compute"]) for r in sel], [float(r["risk"]) for r in sel], color=f"C{i}", label=f"r_s = {rs}")
c = np.array([float(r["compute"]) for r in frontier]); R = np.array([float(r["risk"]) for r in frontier])
ax.loglog(c, R, "k--", lw=2.5, label="frontier")
ax.set_xlabel("compute (multiply-adds)"); ax.set_ylabel("population risk"); ax.legend(); plt.show()'''),
    ("code", '''start = int(np.argmax(R < 0.5 * R[0]))
slope = np.polyfit(np.log(c[start:]), np.log(R[start:]), 1)[0]
print(f"frontier exponent (least squares after the envelope halves, c ≥ {c[start]:.3g}): {slope:.3f}")
widths = [int(r["rs"]) for r in frontier]
changes = [(c[i], widths[i]) for i in range(1, len(widths)) if widths[i] != widths[i - 1]]
print("the width on the frontier changes to", ", ".join(f"r_s = {w} at {x:.2e}" for x, w in changes))'''),
])

notebook("SGDMatchesODE", "Online SGD follows the overlap ODE",
         "The paper's third claim: online SGD on the d-dimensional network tracks the population gradient flow "
         "when `η d / B ≪ 1`. The example runs SGD (d = 256, r = 8, r_s = 4, B = 1024) and the exact propagator from "
         "the SGD's own initial overlaps, at three learning rates over three seeds.", [
    ("code", '''traj = table("trajectories.csv"); dev = table("deviations.csv")
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
for i, lr in enumerate(sorted({r["lr"] for r in traj}, key=float, reverse=True)):
    sel = [r for r in traj if r["lr"] == lr and r["seed"] == "0"]
    t = [float(r["t"]) for r in sel]
    left.semilogy(t, [float(r["riskSGD"]) for r in sel], "o-", ms=3, color=f"C{i}", label=f"SGD, η = {lr}")
    left.semilogy(t, [float(r["riskODE"]) for r in sel], "--", color=f"C{i}")
left.set_xlabel("t = η·step"); left.set_ylabel("population risk"); left.legend(); left.set_title("seed 0 (dashed: ODE)")
eta = np.array([float(r["lr"]) for r in dev]); mean = np.array([float(r["meanMaxRelativeDeviation"]) for r in dev])
right.loglog(eta, mean, "o-"); right.set_xlabel("η"); right.set_ylabel("mean max relative deviation"); plt.tight_layout(); plt.show()'''),
    ("code", '''slope = np.polyfit(np.log(eta), np.log(mean), 1)[0]
for e, m in zip(eta, mean):
    print(f"η = {e:g}: mean max |R_SGD − R_ODE|/R_ODE = {m:.4f}")
print(f"log-log slope of the deviation against η: {slope:.2f} (the deviation shrinks as η → 0)")'''),
])

notebook("SGDAwareDynamics", "Where SGD leaves the gradient flow: the SGD-aware mean map",
         "Online SGD follows the gradient flow only while `η·d/B` is small. Beyond that, minibatch noise adds a drift of "
         "order `η·d/B` to the student's Gram matrix, and label noise a floor; both are functions of the overlaps, "
         "computed exactly by the one-step mean of SGD (`QuadraticSGDMeanMap`, RiccatiKit's article *SGD-aware dynamics*). "
         "The example averages N SGD runs from one start (r = r_s = 4, α = 1) in three regimes and compares the mean, "
         "with its standard error, to the gradient flow and to the mean map.", [
    ("code", '''traj = table("trajectories.csv"); summary = table("summary.csv")
regimes = [r["regime"] for r in summary]
fig, axes = plt.subplots(1, len(regimes), figsize=(16, 4.5))
for axis, row in zip(axes, summary):
    sel = [r for r in traj if r["regime"] == row["regime"]]
    t = np.array([float(r["t"]) for r in sel])
    mean = np.array([float(r["riskSGDMean"]) for r in sel]); se = np.array([float(r["riskSGDStandardError"]) for r in sel])
    axis.fill_between(t, np.maximum(mean - 2 * se, 1e-12), mean + 2 * se, alpha=0.25, color="C0", label="± 2 SE")
    axis.semilogy(t, mean, "o-", ms=3, color="C0", label=f"SGD mean ({row['seeds']} seeds)")
    axis.semilogy(t, [max(float(r["riskGradientFlow"]), 1e-12) for r in sel], "--", color="C1", label="gradient flow")
    axis.semilogy(t, [float(r["riskSGDAware"]) for r in sel], "-", color="C2", label="SGD-aware mean map")
    axis.set_title(f"{row['regime']}: η·d/B = {float(row['etaDOverB']):.3g}, ς = {row['noise']}")
    axis.set_xlabel("t = η·step"); axis.legend(fontsize=8)
axes[0].set_ylabel("population risk"); plt.tight_layout(); plt.show()'''),
    ("md", "**The numbers.** The mean relative deviation of the SGD mean from each prediction over `t ≥ 1`, the largest "
           "deviation in units of the mean's standard error, and the final risks:"),
    ("code", '''for row in summary:
    print(f"{row['regime']:>12}: η·d/B = {float(row['etaDOverB']):.3f}, ς = {row['noise']}, {row['seeds']} seeds")
    print(f"    mean relative deviation (t ≥ 1): gradient flow {float(row['meanRelativeDeviationGradientFlow']):.3f}, "
          f"SGD-aware {float(row['meanRelativeDeviationSGDAware']):.3f}")
    print(f"    largest deviation in standard errors: gradient flow {float(row['maxStandardErrorsGradientFlow']):.1f}, "
          f"SGD-aware {float(row['maxStandardErrorsSGDAware']):.1f}")
    print(f"    final risk: SGD {float(row['finalRiskSGDMean']):.4g} ± {float(row['finalRiskSGDStandardError']):.2g}, "
          f"gradient flow {float(row['finalRiskGradientFlow']):.4g}, SGD-aware {float(row['finalRiskSGDAware']):.4g}")'''),
    ("md", "**Reading it.** At small `η·d/B` the three curves agree to a few percent. At `η·d/B = 0.08` the gradient "
           "flow learns far faster than SGD does and is many standard errors off, while the mean map follows the SGD mean "
           "to about a tenth; its residual is largest around the escape of the last direction, where the fluctuations "
           "of the overlaps (which the mean map neglects) are as large as the overlaps themselves and make SGD escape "
           "earlier. With label noise the flow goes to zero while SGD stalls at a floor of order `η·d/B·ς²`, which the "
           "mean map predicts."),
])
