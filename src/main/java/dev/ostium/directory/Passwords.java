package dev.ostium.directory;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import dev.ostium.web.TryLater;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Argon2id password hashing with the OWASP profile: 19 MiB, 2 passes, 1 lane.
 *
 * <p>Hashes run on a small pool of platform threads of their own, never on the request's virtual thread:
 * a virtual thread computing Argon2 holds its carrier, and on a small machine a handful of logins would
 * hold every carrier and stall the token endpoint. The pool leaves at least one core to everything else,
 * and its queue is short: when it is full the check is refused at once (503) instead of piling up.
 */
public final class Passwords {

    private static final Argon2Function ARGON2 = Argon2Function.getInstance(19456, 2, 1, 32, Argon2.ID);
    private static final int THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    /** About a second of work at ~30 ms a hash per thread: waiting longer than that is worse than a retry. */
    private static final int QUEUE = 32 * THREADS;
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUE), r -> {
                Thread t = new Thread(r, "ostium-passwords");
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.AbortPolicy());
    // A valid hash of a random password, checked when the user is unknown so both paths cost the same.
    private static final String DUMMY = hashNow("dummy-" + System.nanoTime());

    private Passwords() {}

    public static String hash(String password) {
        return onPool(() -> hashNow(password));
    }

    public static boolean verify(String password, String storedHash) {
        if (password == null) return false;
        String hash = storedHash == null ? DUMMY : storedHash;
        return onPool(() -> {
            try {
                return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    private static String hashNow(String password) {
        return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
    }

    private static <T> T onPool(Callable<T> work) {
        try {
            return POOL.submit(work).get();
        } catch (RejectedExecutionException e) {
            throw TryLater.busy("password checking");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking a password", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("password hashing failed", e.getCause());
        }
    }
}
