import Foundation

/// Quoting of words for the POSIX shell (the batch scripts and the messages that show commands).
public enum ShellQuoting {
    /// `word` in single quotes, each `'` written as `'\''`: the shell reads it back unchanged.
    public static func quote(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// `word` unchanged when it holds only characters the shell leaves alone, ``quote(_:)`` otherwise.
    public static func quoteIfNeeded(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { scalar in
            (scalar.value < 128) && (CharacterClass.plain.contains(Character(scalar)))
        }
        return plain ? word : quote(word)
    }

    enum CharacterClass {
        static let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+@%")
    }
}
