package dev.ostium.directory;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;

/** Argon2id password hashing (RFC 9106 second recommended profile: 64 MiB, 3 passes, 1 lane). */
public final class Passwords {

    private static final Argon2Function ARGON2 = Argon2Function.getInstance(65536, 3, 1, 32, Argon2.ID);
    // A valid hash of a random password, verified against when the user is unknown so both paths cost the same.
    private static final String DUMMY = hash("dummy-" + System.nanoTime());

    private Passwords() {}

    public static String hash(String password) {
        return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
    }

    public static boolean verify(String password, String storedHash) {
        if (password == null) return false;
        String hash = storedHash == null ? DUMMY : storedHash;
        try {
            return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
        } catch (RuntimeException e) {
            return false;
        }
    }
}
