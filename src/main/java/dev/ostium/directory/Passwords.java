package dev.ostium.directory;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import java.util.concurrent.Semaphore;

/** Argon2id password hashing with the OWASP profile: 19 MiB, 2 passes, 1 lane. */
public final class Passwords {

    private static final Argon2Function ARGON2 = Argon2Function.getInstance(19456, 2, 1, 32, Argon2.ID);
    /**
     * At most two hashes at a time: each takes 19 MiB and a core, so a burst of logins queues here instead
     * of exhausting the heap or starving the token endpoint.
     */
    private static final Semaphore SLOTS = new Semaphore(2, true);
    // A valid hash of a random password, checked when the user is unknown so both paths cost the same.
    private static final String DUMMY = hash("dummy-" + System.nanoTime());

    private Passwords() {}

    public static String hash(String password) {
        SLOTS.acquireUninterruptibly();
        try {
            return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
        } finally {
            SLOTS.release();
        }
    }

    public static boolean verify(String password, String storedHash) {
        if (password == null) return false;
        String hash = storedHash == null ? DUMMY : storedHash;
        SLOTS.acquireUninterruptibly();
        try {
            return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
        } catch (RuntimeException e) {
            return false;
        } finally {
            SLOTS.release();
        }
    }
}
