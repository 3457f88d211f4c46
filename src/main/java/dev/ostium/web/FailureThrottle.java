package dev.ostium.web;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;

/**
 * Slows down guessing: after {@code free} failures for one key (an account, a client, an address) within
 * the window, each further failure locks the key for twice as long as the one before, up to {@code maxLock}.
 * A locked key is refused at once, before any password or secret is checked. The cap keeps an attacker
 * from locking a real user out for long; the lock ends by itself and a success clears the key.
 * Per node and in memory: behind a load balancer each node counts on its own.
 */
public final class FailureThrottle {

    /** Failures of one key: how many in the current window, and until when it is locked. */
    private record Failures(int count, long windowStart, long lockedUntil) {}

    private final Clock clock;
    private final int free;
    private final long windowMillis;
    private final long firstLockMillis;
    private final long maxLockMillis;
    private final Cache<String, Failures> keys;

    public FailureThrottle(Clock clock, int free, Duration window, Duration firstLock, Duration maxLock) {
        this.clock = clock;
        this.free = free;
        this.windowMillis = window.toMillis();
        this.firstLockMillis = firstLock.toMillis();
        this.maxLockMillis = maxLock.toMillis();
        // Entries are dropped some time after their last failure; a bounded map keeps a spray of keys cheap.
        this.keys = Caffeine.newBuilder().executor(Runnable::run).maximumSize(200_000).expireAfterWrite(window.plus(maxLock)).build();
    }

    /** Refuses with 429 and the remaining wait when any of the keys is locked. */
    public void check(String... keysToCheck) {
        long now = clock.millis();
        long wait = 0;
        for (String k : keysToCheck) {
            Failures f = keys.getIfPresent(k);
            if (f != null && f.lockedUntil() > now) wait = Math.max(wait, f.lockedUntil() - now);
        }
        if (wait > 0) throw TryLater.throttled((wait + 999) / 1000);
    }

    /** Counts a failure for each key. */
    public void failed(String... failedKeys) {
        long now = clock.millis();
        for (String k : failedKeys) {
            keys.asMap().compute(k, (key, f) -> {
                if (f == null || now - f.windowStart() > windowMillis) f = new Failures(0, now, 0);
                int count = f.count() + 1;
                long lockedUntil = f.lockedUntil();
                if (count > free) {
                    int doublings = Math.min(30, count - free - 1);
                    lockedUntil = now + Math.min(maxLockMillis, firstLockMillis << doublings);
                }
                return new Failures(count, f.windowStart(), lockedUntil);
            });
        }
    }

    /** A success: the key starts afresh. */
    public void succeeded(String key) {
        keys.invalidate(key);
    }
}
