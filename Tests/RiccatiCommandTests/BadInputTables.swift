import Foundation
import NumPyFormat
import Testing

enum BadInputTables {
    static let destinations = ["--output", "OUT/report.txt", "--npy-dir", "OUT", "--plot", "OUT/figure.svg"]

    // MARK: integrate

    static let integrate: [BadInputCase] = {
        var t = BadInputTable(["integrate"], base: ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "1"], outputs: destinations)
        // --alpha: 0 (a flat spectrum) and 1e300 (λ = e_1 after normalisation) are valid.
        t.values("--alpha", ["-1", "nan", "inf", "-inf"])
        t.values("--r", ["0", "-1", "nan", "inf", "1000000000", ""])
        t.bad(["--r", "20"], "--r")                                   // r > d = 16
        t.bad(["--r", "16"], "--r")                                   // r = d
        t.values("--rs", ["0", "-1", "nan", "inf", "1000000000"])
        t.bad(["--rs", "20"], "--rs")                                 // r_s > d
        // --d: 1e15 is valid (d enters only the initial state); 1e17 exceeds 2^53.
        t.values("--d", ["0", "-16", "nan", "inf", "1e400", "1e17", "16.5", "abc", ""])
        t.values("--sigma0", ["0", "-1", "nan", "inf", "1e300"])
        // --seed: every UInt64, 0 included, is valid.
        t.values("--seed", ["-1", "nan", "1.5", "18446744073709551616"])
        t.values("--t-end", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--save-count", ["0", "-1", "nan", "10000000"])
        t.bad(["--r", "2000", "--rs", "2000", "--d", "1e6", "--save-count", "100"], "--save-count")   // 6 GB of saved states
        t.values("--save-at", ["nan", "-1", "inf", "0.5,0.2", "0.5,2", "a", "0.1,,0.2", ",", ""])
        // --step: a huge step is valid (it is only a cap); a tiny one needs too many steps.
        t.values("--step", ["0", "-1", "nan", "inf"])
        t.bad(["--method", "rk4", "--step", "1e-300"], "--step")
        t.bad(["--step", "1e-300"], "--step")
        // --rtol lies in (0, 1); --atol has the state's units, so a huge one is valid.
        t.values("--rtol", ["0", "-1", "nan", "inf", "10"], extra: ["--method", "dopri5"])
        t.values("--atol", ["0", "-1", "nan", "inf"], extra: ["--method", "dopri5"])
        t.bad(["--method", "euler"], "--method")
        t.bad(["--factorization", "lu"], "--factorization")
        t.bad(["--format", "xml"], "--format")
        // Conflicting flags.
        t.alone(["--lambdas", "IN/lambda2.npy", "--alpha", "1", "--t-end", "1"], "--alpha")
        t.alone(["--lambdas", "IN/lambda2.npy", "--unnormalized", "--t-end", "1"], "--unnormalized")
        t.alone(["--lambdas", "IN/lambda2.npy", "--r", "3", "--rs", "2", "--d", "16", "--t-end", "1"], "--r")
        t.bad(["--save-at", "0.5", "--save-count", "3"], "--save-at")
        t.bad(["--rtol", "1e-6"], "--rtol")                            // with --method exact
        t.bad(["--method", "rk4", "--step", "0.1", "--factorization", "cholesky"], "--factorization")
        t.bad(["--method", "rk4"], "--step")
        t.bad(["--init-p", "IN/p2x2.npy"], "--init-p")
        let fromFile = ["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x2.npy", "--t-end", "1"]
        t.alone(fromFile + ["--d", "16"], "--d")
        t.alone(fromFile + ["--rs", "2"], "--rs")
        t.alone(fromFile + ["--sigma0", "1"], "--sigma0")
        t.alone(fromFile + ["--seed", "1"], "--seed")
        t.alone(fromFile + ["--small-init"], "--small-init")
        // --lambdas files.
        for (file, fragment) in [("missing.npy", "missing.npy"), ("folder.npy", "folder.npy"), ("garbage.npy", "garbage.npy"),
                                 ("empty.npy", "empty.npy"), ("truncated.npy", "truncated.npy"), ("float32.npy", "float32.npy"),
                                 ("lambda_2d.npy", "--lambdas"), ("lambda_negative.npy", "--lambdas"), ("lambda_nan.npy", "--lambdas"),
                                 ("lambda_inf.npy", "--lambdas"), ("lambda_empty.npy", "--lambdas")] {
            t.alone(["--lambdas", "IN/\(file)", "--rs", "2", "--d", "16", "--t-end", "1"], fragment)
        }
        // --init-m and --init-p files (λ has r = 2).
        for file in ["missing.npy", "garbage.npy", "folder.npy", "m_1d.npy", "m2x3.npy", "m_nan.npy", "m_huge.npy", "m_norows.npy"] {
            t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/\(file)", "--t-end", "1"], file.hasPrefix("m") ? "--init-m" : file)
        }
        for file in ["missing.npy", "garbage.npy", "p3x3.npy", "p_nonsym.npy", "p_notpsd.npy", "p_nan.npy"] {
            t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x2.npy", "--init-p", "IN/\(file)", "--t-end", "1"],
                    file.hasPrefix("p") ? "--init-p" : file)
        }
        t.badDestinations()
        t.bad(["--save-at", "0"], "--plot")                           // a log-time plot needs t > 0
        // --dynamics and the SGD-aware forms (issue 16).
        t.bad(["--dynamics", "sgd"], "--dynamics")
        for dynamics in ["sgd-mean-map", "sgd-limit"] {
            let sgd = ["--dynamics", dynamics]
            t.values("--lr", ["0", "-1", "nan", "inf", ""], extra: sgd)
            t.values("--batch", ["0", "-1", "nan", "1.5", ""], extra: sgd)
            t.values("--noise", ["-0.5", "nan", "inf", ""], extra: sgd)
            t.bad(sgd + ["--d", "3"], "--d")                          // d < r = 4
            t.bad(sgd + ["--method", "exact"], "--method exact")
            t.bad(sgd + ["--lr", "1e300", "--d", "1e15"], "--lr")     // η·d/B overflows
            t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x2.npy", "--t-end", "1", "--dynamics", dynamics], "--d")
        }
        t.bad(["--dynamics", "sgd-mean-map", "--lr", "0.01", "--save-at", "0.015"], "--save-at")   // off the grid k·η
        t.bad(["--dynamics", "sgd-mean-map", "--lr", "0.3"], "--t-end")                           // T = 1 is not k·0.3
        t.bad(["--dynamics", "sgd-mean-map", "--method", "dopri5"], "--method")
        t.bad(["--dynamics", "sgd-mean-map", "--rtol", "1e-3"], "--rtol")
        t.bad(["--dynamics", "sgd-mean-map", "--step", "0.1"], "--step")
        for flag in [["--lr", "0.01"], ["--batch", "8"], ["--noise", "0.1"]] { t.bad(flag, flag[0]) }   // gradient flow has none
        // General activations (issue 17).
        t.bad(["--activation", "tanh"], "--activation")
        t.bad(["--activation", "hermite"], "--hermite-coefficients")
        t.values("--hermite-coefficients", ["", "nan,1", "1,inf", "0,0", "a", "1,,2", "1e200,1e200"], extra: ["--activation", "hermite"])
        t.bad(["--activation", "hermite", "--hermite-coefficients", Array(repeating: "1", count: 65).joined(separator: ",")], "--hermite-coefficients")
        t.bad(["--activation", "relu", "--hermite-coefficients", "1,2"], "--hermite-coefficients")
        t.bad(["--activation", "relu", "--method", "exact"], "exact")
        t.bad(["--activation", "erf", "--dynamics", "sgd-limit"], "--dynamics")
        t.bad(["--dynamics", "gradient-descent"], "--lr")
        t.bad(["--dynamics", "gradient-descent", "--lr", "0.1", "--method", "dopri5"], "--method")
        t.bad(["--dynamics", "gradient-descent", "--lr", "0.3"], "--t-end")                       // T = 1 is not k·0.3
        // Stabilised methods and auto (issue 18).
        t.bad(["--method", "rock5"], "--method")
        t.values("--max-stages", ["1", "2", "201", "-3", "nan", ""], extra: ["--method", "rock2"])
        t.bad(["--method", "rock4", "--max-stages", "143"], "--max-stages")
        t.bad(["--method", "auto", "--max-stages", "10"], "--max-stages")
        t.bad(["--method", "dopri5", "--stabilized", "rock4"], "--stabilized")
        t.bad(["--method", "auto", "--stabilized", "rock3"], "--stabilized")
        t.bad(["--method", "rock2", "--rtol", "1"], "--rtol")
        t.bad(["--method", "auto", "--atol", "0"], "--atol")
        t.bad(["--method", "rk4", "--step", "0.1", "--rtol", "1e-3"], "--rtol")
        // Diverging SGD-aware dynamics: one line, exit 1, nothing written.
        t.bad(["--dynamics", "sgd-mean-map", "--lr", "0.5", "--batch", "1", "--t-end", "50"], "diverged", status: 1)
        t.bad(["--dynamics", "sgd-limit", "--lr", "0.5", "--batch", "1", "--t-end", "50"], "diverged", status: 1)
        return t.cases
    }()

    // MARK: monotonicity

    static let monotonicity: [BadInputCase] = {
        var t = BadInputTable(["monotonicity"], base: ["--r", "2", "--rs", "2", "--d", "16", "--t-end", "0.5"],
                              outputs: destinations + ["--figure", "OUT"])
        t.values("--alpha", ["-1", "nan", "inf"])
        t.values("--r", ["0", "-1", "nan", "1000000000"])
        t.bad(["--r", "20"], "--r")
        t.values("--rs", ["0", "-1", "nan", "1000000000"])
        t.bad(["--rs", "20"], "--rs")
        t.values("--d", ["0", "-16", "nan", "inf", "1e17", "16.5"])
        t.values("--sigma0", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--seed", ["-1", "18446744073709551616"])
        t.values("--t-end", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--save-count", ["0", "-1", "10000000"])
        t.bad(["--r", "2000", "--rs", "2000", "--d", "1e6", "--save-count", "100"], "--save-count")
        t.values("--save-at", ["nan", "0.2,0.1", "0.1,2"])
        // --scale c ≥ 1 (c = 1 is valid: B = A); a huge c makes B's state overflow.
        t.values("--scale", ["0", "-1", "0.5", "nan", "inf", "1e300"])
        t.values("--perturb", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--rtol", ["0", "-1", "nan", "inf", "10"])
        t.values("--atol", ["0", "-1", "nan", "inf"])
        // --tolerance 0 is valid (an exact comparison); 1 or more would accept everything.
        t.values("--tolerance", ["-1", "nan", "inf", "10"])
        t.values("--ellipse-times", ["nan", "-1", "5", "", ",", "0,,0.25", "a"])
        t.bad(["--figure", "OUT/missing"], "--figure")
        t.bad(["--figure", "IN/file.txt"], "--figure")
        t.bad(["--r", "3"], "--figure")                               // Figure 3 needs r = 2
        t.bad(["--rs", "1"], "--figure")                              // G0 of rank 1 has no level-set ellipse
        t.bad(["--format", "xml"], "--format")
        t.bad(["--scale", "2", "--perturb", "0.1"], "--perturb")
        t.bad(["--save-at", "0.1", "--save-count", "3"], "--save-at")
        t.bad(["--init-p", "IN/p2x2.npy"], "--init-p")
        t.alone(["--lambdas", "IN/lambda2.npy", "--alpha", "1", "--t-end", "0.5"], "--alpha")
        t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x2.npy", "--seed", "3", "--t-end", "0.5"], "--seed")
        for (file, fragment) in [("missing.npy", "missing.npy"), ("garbage.npy", "garbage.npy"), ("folder.npy", "folder.npy"),
                                 ("lambda_negative.npy", "--lambdas"), ("lambda_nan.npy", "--lambdas")] {
            t.alone(["--lambdas", "IN/\(file)", "--rs", "2", "--d", "16", "--t-end", "0.5"], fragment)
        }
        t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x3.npy", "--t-end", "0.5"], "--init-m")
        t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m_huge.npy", "--t-end", "0.5"], "--init-m")
        t.alone(["--lambdas", "IN/lambda2.npy", "--init-m", "IN/m2x2.npy", "--init-p", "IN/p_notpsd.npy", "--t-end", "0.5"], "--init-p")
        t.badDestinations()
        return t.cases
    }()

    // MARK: sgd and compare

    /// The cases shared by `sgd` and `compare` (the same flags, `SGDOptions`).
    static func sgdCases(_ command: String) -> BadInputTable {
        var t = BadInputTable([command], base: ["--d", "16", "--r", "2", "--rs", "2", "--batch", "8", "--lr", "0.05"],
                              outputs: destinations)
        // --d: SGD stores B×d and r_s×d matrices, so d is bounded by 1e8 (1e15 is invalid here).
        t.values("--d", ["0", "-16", "nan", "inf", "1e15", "16.5", "abc"])
        t.values("--r", ["0", "-1", "nan", "1000000000"])
        t.bad(["--r", "16"], "--r")                                   // r = d
        t.values("--rs", ["0", "-1", "nan", "1000000000"])
        t.bad(["--rs", "20"], "--rs")                                 // r_s > d
        t.values("--alpha", ["-1", "nan", "inf"])
        t.values("--sigma0", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--batch", ["0", "-1", "nan", "1000000000"])
        // --lr: a huge rate rounds T/η to 0 steps.
        t.values("--lr", ["0", "-1", "nan", "inf", "1e10"])
        t.values("--steps", ["0", "-1", "nan", "1000000000000"])
        t.values("--t-end", ["0", "-1", "nan", "inf", "1e300"])
        // --noise 0 (the default) is valid.
        t.values("--noise", ["-1", "nan", "inf", "1e300"])
        t.values("--seed", ["-1", "18446744073709551616"])
        t.values("--save-count", ["0", "-1", "1000000000"])
        t.bad(["--d", "100000", "--r", "2000", "--rs", "2000", "--batch", "1", "--save-count", "100"], "--save-count")
        t.values("--save-at", ["-1", "nan", "100", "a", "0.1,,0.2", ",", ""])
        t.values("--threads", ["0", "-1", "1000"])
        t.bad(["--precision", "half"], "--precision")
        t.bad(["--teacher", "rotated"], "--teacher")
        t.bad(["--save-spacing", "cubic"], "--save-spacing")
        t.bad(["--format", "xml"], "--format")
        // --activation and its Hermite coefficients (issue 17).
        t.bad(["--activation", "tanh"], "--activation")
        t.bad(["--activation", "hermite"], "--hermite-coefficients")                      // no coefficients
        t.values("--hermite-coefficients", ["nan", "inf", "0,0,0", "0", ",", "1,,2", "a"], extra: ["--activation", "hermite"])
        t.bad(["--activation", "hermite", "--hermite-coefficients", (0..<65).map { _ in "1" }.joined(separator: ",")], "--hermite-coefficients")
        t.bad(["--activation", "relu", "--hermite-coefficients", "0,1"], "--hermite-coefficients")
        t.bad(["--hermite-coefficients", "0,0,1"], "--hermite-coefficients")             // with the default he2
        // Conflicting flags.
        t.bad(["--lambdas", "IN/lambda2.npy", "--alpha", "1"], "--alpha")
        t.bad(["--theta", "IN/theta2x16.npy", "--teacher", "random"], "--theta")
        t.bad(["--steps", "10", "--t-end", "1"], "--steps")
        t.bad(["--save-at", "1", "--save-spacing", "log"], "--save-spacing")
        t.bad(["--save-at", "1", "--save-count", "3"], "--save-count")
        t.bad(["--init-w", "IN/w2x16.npy", "--sigma0", "0.3"], "--sigma0")
        t.bad(["--lambdas", "IN/lambda2.npy", "--r", "3"], "--r")
        // Files.
        for (file, fragment) in [("lambda_negative.npy", "--lambdas"), ("lambda_nan.npy", "--lambdas"), ("lambda_inf.npy", "--lambdas"),
                                 ("lambda_empty.npy", "--lambdas"), ("lambda_2d.npy", "--lambdas"), ("missing.npy", "missing.npy"),
                                 ("garbage.npy", "garbage.npy"), ("folder.npy", "folder.npy")] {
            t.bad(["--lambdas", "IN/\(file)"], fragment)
        }
        for file in ["w2x8.npy", "w3x16.npy", "w_1d.npy", "w_nan.npy", "missing.npy", "truncated.npy"] {
            t.bad(["--init-w", "IN/\(file)"], file.hasPrefix("w") ? "--init-w" : file)
        }
        for file in ["theta2x8.npy", "theta3x16.npy", "theta_skew.npy", "theta_nan.npy", "float32.npy"] {
            t.bad(["--theta", "IN/\(file)"], file.hasPrefix("theta") ? "--theta" : file)
        }
        t.badDestinations()
        return t
    }

    static let sgd: [BadInputCase] = sgdCases("sgd").cases

    static let compare: [BadInputCase] = {
        var t = sgdCases("compare")
        // --lr-sweep: each rate must give 1 … 1e9 steps over the horizon T = 12.
        t.values("--lr-sweep", ["0", "-1", "nan", "inf", "1e-12", "1e10", "", ",", "0.05,,0.1", "a"])
        t.values("--seeds", ["0", "-1", "nan", "100000"], extra: ["--lr-sweep", "0.02,0.05"])
        // --seeds without --lr-sweep: a seed ensemble, --jobs runs at a time.
        t.values("--seeds", ["0", "-1", "nan", "1.5", "10001", "100000"])
        t.values("--jobs", ["0", "-1", "nan", "65"], extra: ["--seeds", "2"])
        t.bad(["--jobs", "2"], "--jobs")                               // --jobs without --seeds
        t.bad(["--jobs", "2", "--seeds", "2", "--lr-sweep", "0.02"], "--jobs")
        // The backend's flags (checked before any work; nothing is created or submitted).
        t.bad(["--backend", "cloud"], "--backend")
        t.bad(["--work-dir", "OUT/plan"], "--work-dir")               // a Slurm flag with the local backend
        t.bad(["--dry-run", "--seeds", "2"], "--dry-run")
        t.bad(["--backend", "slurm", "--lr-sweep", "0.02"], "--work-dir")   // Slurm without a work directory
        t.bad(["--backend", "slurm", "--work-dir", "IN/file.txt/plan", "--dry-run", "--seeds", "2"], "--work-dir")
        t.bad(["--backend", "slurm", "--work-dir", "OUT/plan", "--dry-run", "--array-limit", "0"], "--array-limit")
        t.bad(["--backend", "slurm", "--work-dir", "OUT/plan", "--dry-run", "--slurm-args", "--dependency=afterok:1"], "--slurm-args")
        t.values("--poll-interval", ["0", "nan", "1e9"], extra: ["--backend", "slurm", "--work-dir", "OUT/plan", "--dry-run"])
        // A bad run is refused before its plan is written.
        t.bad(["--backend", "slurm", "--work-dir", "OUT/plan", "--dry-run", "--lr-sweep", "1e10"], "--lr-sweep")
        t.bad(["--backend", "slurm", "--work-dir", "OUT/plan", "--dry-run", "--seeds", "10001"], "--seeds")
        t.bad(["--backend", "slurm", "--work-dir", "OUT/plan", "--dry-run", "--seeds", "2", "--jobs", "65"], "--jobs")
        return t.cases
    }()

    // MARK: scaling

    static let predict: [BadInputCase] = {
        var t = BadInputTable(["scaling", "predict"], base: ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "10", "--save-count", "3"],
                              outputs: destinations)
        // --alpha 0 and 1e300 are valid, as for integrate.
        t.values("--alpha", ["-1", "nan", "inf"])
        t.values("--r", ["0", "-1", "nan", "1000000000"])
        t.bad(["--r", "20"], "--r")
        t.values("--rs", ["0", "-1", "nan", "1000000000"])
        t.bad(["--rs", "20"], "--rs")
        t.values("--d", ["0", "-16", "nan", "inf", "1e17", "16.5", "abc"])
        // --sigma0 1e300 is valid here (every T_j is then infinite), and so is a huge --t-end
        // (one formula per time, no integration).
        t.values("--sigma0", ["0", "-1", "nan", "inf"])
        t.values("--t-end", ["0", "-1", "nan", "inf"])
        t.values("--save-count", ["0", "-1", "nan", "10000000"])
        t.bad(["--format", "xml"], "--format")
        t.bad(["--lambdas", "IN/lambda2.npy"], "--lambdas")           // not a flag of predict
        t.badDestinations()
        return t.cases
    }()

    static let sweep: [BadInputCase] = {
        var t = BadInputTable(["scaling", "sweep"],
                              base: ["--alphas", "1", "--r", "4", "--widths", "2", "--dims", "16", "--seeds", "0", "--t-end", "1", "--save-count", "3"],
                              outputs: destinations)
        t.values("--alphas", ["-1", "nan", "inf", "", ",", "1,,2", "a"])
        t.values("--r", ["0", "-1", "nan", "2.5", "1000000000"])
        t.values("--widths", ["0", "-1", "nan", "1000000000", "20"])  // 20 > --dims 16
        // --dims 1e15 is valid (as --d of integrate).
        t.values("--dims", ["0", "-16", "nan", "inf", "1e17", "16.5"])
        t.bad(["--r", "16"], "--r")                                   // r = d
        t.values("--seeds", ["-1", "nan", "1.5", ",", ""])
        t.values("--sigma0", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--jobs", ["0", "-1", "1000"])
        t.values("--t-end", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--save-count", ["0", "1", "-1", "10000000"])
        t.bad(["--save-count", "100000", "--alphas", (1...20).map(String.init).joined(separator: ","),
               "--seeds", (0..<50).map(String.init).joined(separator: ",")], "--save-count")   // 1000 points × 3 curves × 1e5 values
        t.values("--window-ranks", ["3", "0,4", "4,3", "a,b", "nan,4"])
        t.bad(["--activation", "sigmoid"], "--activation")
        t.values("--hermite-coefficients", ["", "nan", "0,0"], extra: ["--activation", "hermite"])
        t.bad(["--rtol", "1e-8"], "--rtol")                            // he2 points use the exact propagator
        t.values("--rtol", ["0", "nan", "2"], extra: ["--activation", "relu"])
        t.values("--atol", ["0", "-1", "inf"], extra: ["--activation", "relu"])
        t.bad(["--factorization", "lu"], "--factorization")
        t.bad(["--format", "xml"], "--format")
        let many = (0..<101).map { String(Double($0) / 100) }.joined(separator: ","), seeds = (0..<100).map(String.init).joined(separator: ",")
        t.bad(["--alphas", many, "--seeds", seeds], "at most 10000")  // 10100 grid points
        t.badBackendFlags()
        t.alone(["--activation", "relu", "--r", "4", "--widths", "2", "--dims", "16"], "--t-end")   // no default horizon for ReLU
        t.badDestinations()
        return t.cases
    }()

    static let compute: [BadInputCase] = {
        var t = BadInputTable(["scaling", "compute"],
                              base: ["--d", "16", "--r", "4", "--widths", "1,2", "--batch", "8", "--lr", "0.02", "--t-end", "0.2",
                                     "--save-count", "3", "--grid-count", "5"],
                              outputs: destinations)
        t.values("--d", ["0", "-1", "nan", "1000000000"])
        t.bad(["--d", "4"], "--d")                                    // d = r
        t.values("--r", ["0", "-1", "nan", "1000000000"])
        t.bad(["--r", "16"], "--r")
        t.values("--alpha", ["-1", "nan", "inf"])
        t.values("--widths", ["0", "-1", "nan", "", ",", "1,,2", "1000000000", "20"])
        t.bad(["--d", "100000000", "--batch", "1", "--widths", "64"], "--widths")   // r_s×d = 6.4e9 entries
        t.values("--batch", ["0", "-1", "1000000000"])
        t.values("--lr", ["0", "-1", "nan", "inf", "1e10"])
        t.values("--t-end", ["0", "-1", "nan", "inf", "1e300"])
        t.bad(["--t-end", "0.02", "--widths", "2"], "--t-end")        // one step, one width: no frontier
        t.bad(["--activation", "softplus"], "--activation")
        t.values("--hermite-coefficients", ["", "inf", "0"], extra: ["--activation", "hermite"])
        t.bad(["--activation", "erf", "--hermite-coefficients", "1"], "--hermite-coefficients")
        t.values("--sigma0", ["0", "-1", "nan", "inf", "1e300"])
        t.values("--seed", ["-1"])
        t.values("--save-count", ["0", "-1", "10000000"])
        t.bad(["--t-end", "100000", "--save-count", "1000000", "--r", "12", "--widths", "15,16"], "--save-count")  // ~5e8 doubles of records
        t.values("--grid-count", ["0", "1", "-1", "1000000"])
        t.values("--threads", ["0", "-1", "1000"])
        t.bad(["--precision", "half"], "--precision")
        t.badBackendFlags()
        t.bad(["--format", "xml"], "--format")
        t.badDestinations()
        return t.cases
    }()

    /// A valid run of each command with every output flag, to show the bases are good.
    static let controls: [BadInputCase] = [
        BadInputCase(command: ["integrate"], arguments: ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "1"] + destinations, fragment: "", status: 0),
        BadInputCase(command: ["monotonicity"], arguments: ["--r", "2", "--rs", "2", "--d", "16", "--t-end", "0.5", "--figure", "OUT"] + destinations,
                     fragment: "", status: 0),
        BadInputCase(command: ["sgd"], arguments: ["--d", "16", "--r", "2", "--rs", "2", "--batch", "8", "--lr", "0.05"] + destinations,
                     fragment: "", status: 0),
        BadInputCase(command: ["compare"], arguments: ["--d", "16", "--r", "2", "--rs", "2", "--batch", "8", "--lr", "0.05", "--lr-sweep", "0.02,0.05"]
                     + destinations, fragment: "", status: 0),
        BadInputCase(command: ["compare"], arguments: ["--d", "16", "--r", "2", "--rs", "2", "--batch", "8", "--lr", "0.05", "--seeds", "3"]
                     + destinations, fragment: "", status: 0),
        BadInputCase(command: ["scaling", "predict"], arguments: ["--r", "4", "--rs", "2", "--d", "16", "--t-end", "10", "--save-count", "3"] + destinations,
                     fragment: "", status: 0),
        BadInputCase(command: ["scaling", "sweep"], arguments: ["--alphas", "1", "--r", "4", "--widths", "2", "--dims", "16", "--seeds", "0",
                                                                "--t-end", "1", "--save-count", "3"] + destinations, fragment: "", status: 0),
        BadInputCase(command: ["scaling", "compute"], arguments: ["--d", "16", "--r", "4", "--widths", "1,2", "--batch", "8", "--lr", "0.02",
                                                                  "--t-end", "0.2", "--save-count", "3", "--grid-count", "5"] + destinations,
                     fragment: "", status: 0),
    ]
}
