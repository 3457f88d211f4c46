package dev.ostium.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The server's data directory (embedded database, generated master key) is readable by its owner alone:
 * created 0700, tightened if it was looser, and every file in it 0600 — from the first start on.
 */
public final class DataDirectory {

    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private DataDirectory() {}

    /** Creates the directory owner-only, or makes an existing one owner-only. */
    public static void prepare(Path dir) throws IOException {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        if (!Files.exists(dir)) {
            if (dir.getParent() != null) Files.createDirectories(dir.getParent());
            if (posix) Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR));
            else Files.createDirectory(dir);
        } else if (posix) {
            Files.setPosixFilePermissions(dir, DIR);
        }
        restrictFiles(dir);
    }

    /** Makes every file directly in the directory owner-only (the database creates its files with the default mode). */
    public static void restrictFiles(Path dir) throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix") || !Files.isDirectory(dir)) return;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) Files.setPosixFilePermissions(f, FILE);
        }
    }
}
