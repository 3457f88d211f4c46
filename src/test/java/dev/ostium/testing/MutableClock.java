package dev.ostium.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** The system clock, moved forward on demand, so tests can see tokens and apps expire without waiting. */
public final class MutableClock extends Clock {

    private final AtomicLong offsetMillis = new AtomicLong();
    /** When not -1, the system time the clock stands still at (so a test is not at the mercy of a slow machine). */
    private final AtomicLong frozenAt = new AtomicLong(-1);

    public void advance(Duration d) {
        offsetMillis.addAndGet(d.toMillis());
    }

    /** Stops the clock where it is; {@link #advance} still moves it, {@link #reset} lets it run again. */
    public void freeze() {
        frozenAt.set(System.currentTimeMillis());
    }

    public void reset() {
        offsetMillis.set(0);
        frozenAt.set(-1);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public long millis() {
        long frozen = frozenAt.get();
        return (frozen >= 0 ? frozen : System.currentTimeMillis()) + offsetMillis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis());
    }
}
