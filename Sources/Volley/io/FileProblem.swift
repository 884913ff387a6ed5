import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Plain-words reasons why a file could not be read or written (instead of Foundation's
/// "NSCocoaErrorDomain error 256"), found by looking at the path itself.
public enum FileProblem {
    /// Why `path` cannot be read (or, with `writing`, written); `fallback` is the error the
    /// attempt raised, used when the path itself shows nothing wrong.
    public static func describe(_ path: String, writing: Bool = false, fallback error: (any Error)? = nil) -> String {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = files.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue { return "it is a directory, expected a file" }
        if writing {
            let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
            var parentIsDirectory: ObjCBool = false
            if !files.fileExists(atPath: parent, isDirectory: &parentIsDirectory) { return "the directory '\(parent)' does not exist" }
            if !parentIsDirectory.boolValue { return "'\(parent)' is not a directory" }
            if exists && !files.isWritableFile(atPath: path) { return "permission denied" }
        } else {
            if !exists { return "no such file" }
            if !files.isReadableFile(atPath: path) { return "permission denied" }
        }
        if let nsError = error as NSError?, let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.map { "\($0.localizedDescription)" } ?? "unknown error"
    }

    /// Whether `path` exists and is something other than a regular file or a directory (a pipe,
    /// a socket, a device such as /dev/zero): reading one may never end, and writing one with an
    /// atomic rename would replace it.
    /// Symbolic links are followed.
    public static func isSpecialFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }

    /// The contents of `path`, or `VolleyError.fileError` with a plain reason. Only regular files
    /// are read.
    public static func read(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue {
            throw VolleyError.fileError(path: path, reason: "it is a directory, expected a file")
        }
        if isSpecialFile(path) {
            throw VolleyError.fileError(path: path, reason: "not a regular file (a pipe, socket or device), expected a file")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw VolleyError.fileError(path: path, reason: describe(path, fallback: error))
        }
    }
}
