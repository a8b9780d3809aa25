import LinearAlgebra
import Riccati

/// Which symmetric matrix of a trajectory to compare.
public enum TrajectoryObservable: String, Sendable, CaseIterable, Codable {
    /// `G = MᵀM` (`r×r`), the signal block of `Q = WᵀW`; invariant under `M → UM`, so it can be
    /// compared across methods and initial conditions.
    case signalGram = "G"
    /// `K = MMᵀ + P` (`r_s×r_s`). `K → UKUᵀ` under a change of gauge, so its order is only
    /// meaningful between trajectories expressed in the same gauge.
    case studentGram = "K"

    func matrix(of state: OverlapState) -> Matrix {
        switch self {
        case .signalGram: return state.signalGram
        case .studentGram: return state.studentGram
        }
    }
}
