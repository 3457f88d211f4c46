package dev.ostium.web;

/**
 * A request refused for now, not for good: too many failed attempts (429) or a saturated resource (503).
 * Rendered in one place with a {@code Retry-After} header, before any expensive work was done.
 */
public final class TryLater extends RuntimeException {

    public final int status;
    public final long retryAfterSeconds;

    private TryLater(int status, long retryAfterSeconds, String message) {
        super(message, null, false, false);
        this.status = status;
        this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
    }

    /** 429: the caller failed too often lately. */
    public static TryLater throttled(long retryAfterSeconds) {
        return new TryLater(429, retryAfterSeconds, "too many failed attempts; try again in " + Math.max(1, retryAfterSeconds) + " s");
    }

    /** 503: the server is busy with this kind of work right now. */
    public static TryLater busy(String what) {
        return new TryLater(503, 1, what + " is busy; try again in a moment");
    }
}
