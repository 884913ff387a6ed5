import Foundation
import Volley

#if canImport(Glibc)
    @preconcurrency import SwiftGlibc
#elseif canImport(Darwin)
    @preconcurrency import Darwin
#endif

/// Output files named by flags (`--save`, `--svg`, `--raster`, …), checked before any work
/// starts, so that a long run never ends in a file it cannot write. Nothing is created: the
/// parent directory must exist and accept a new file (probed with a temporary file, removed at
/// once), and the path must not be a directory.
public enum OutputPath {
    /// `path`, if a file can be written there; otherwise a usage error naming the flag.
    @discardableResult
    public static func check(_ path: String, flag: String) throws -> String {
        func fail(_ reason: String) -> VolleyError { .usage("option '--\(flag)': cannot write '\(path)': \(reason)") }
        guard !path.isEmpty else { throw fail("the path is empty") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue {
            throw fail("it is a directory, expected a file name")
        }
        if FileProblem.isSpecialFile(path) { throw fail("it is not a regular file (a pipe, socket or device)") }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) else {
            throw fail("the directory '\(parent)' does not exist (it is not created)")
        }
        guard isDirectory.boolValue else { throw fail("'\(parent)' is not a directory") }
        let probe = URL(fileURLWithPath: parent).appendingPathComponent(".volley-write-probe-\(getpid())").path
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw fail("the directory '\(parent)' does not accept new files (\(String(cString: strerror(errno))))")
        }
        close(fd)
        unlink(probe)
        if FileManager.default.fileExists(atPath: path) && access(path, W_OK) != 0 {
            throw fail("the file exists and is not writable (\(String(cString: strerror(errno))))")
        }
        return path
    }
}
