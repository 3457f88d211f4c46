package dev.ostium.cli;

import java.nio.file.Path;

/**
 * Relative paths on the command line mean the directory the command was run in. The launcher moves into
 * the checkout before it starts the JVM and names the caller's directory in {@code OSTIUM_CALLER_DIR}.
 */
final class CallerPaths {

    private CallerPaths() {}

    static Path resolve(String path) {
        return resolve(path, System.getenv("OSTIUM_CALLER_DIR"));
    }

    /** {@code path} as meant from {@code callerDir}; as given when it is absolute or no caller directory is known. */
    static Path resolve(String path, String callerDir) {
        Path p = Path.of(path);
        return p.isAbsolute() || callerDir == null || callerDir.isBlank() ? p : Path.of(callerDir).resolve(p).normalize();
    }
}
