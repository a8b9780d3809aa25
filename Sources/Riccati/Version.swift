/// The project's identity, recorded in every output of the command-line tool (with the seed,
/// the configuration and the BLAS library) so that any result can be traced to its code.
public enum RiccatiKitVersion {
    /// Semantic version of RiccatiKit. 0.x: the API may still change between minor versions.
    /// 0.4.0 added checkpoints, interruption handling and output provenance.
    public static let current = "0.4.0"
}
