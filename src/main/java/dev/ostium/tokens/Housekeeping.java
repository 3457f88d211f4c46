package dev.ostium.tokens;

import dev.ostium.audit.AuditTrail;
import dev.ostium.db.ChangeFeed;
import dev.ostium.directory.LoginSessions;
import dev.ostium.keys.SigningKeys;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The background job: drops expired token records, spent assertion ids, old change rows, keys and login sessions. */
public final class Housekeeping implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Housekeeping.class);

    private final TokenStore tokens;
    private final TokenFamilies families;
    private final SigningKeys keys;
    private final ChangeFeed changes;
    private final LoginSessions sessions;
    private final Duration retention;
    private final AuditTrail audit;
    private final Duration auditRetention;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("ostium-housekeeping").unstarted(r));

    public Housekeeping(TokenStore tokens, TokenFamilies families, SigningKeys keys, ChangeFeed changes, AuditTrail audit,
                        LoginSessions sessions, Duration retention, Duration auditRetention) {
        this.audit = audit;
        this.auditRetention = auditRetention;
        this.tokens = tokens;
        this.families = families;
        this.keys = keys;
        this.changes = changes;
        this.sessions = sessions;
        this.retention = retention;
    }

    private final java.util.List<Runnable> sweeps = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Another feature's idempotent cleanup, run with every pass (e.g. expired one-time displays). */
    public void alsoSweep(Runnable sweep) {
        sweeps.add(sweep);
    }

    public void start() {
        scheduler.scheduleWithFixedDelay(this::runOnce, 1, 5, TimeUnit.MINUTES);
    }

    /** One pass; several nodes may run it at once, every statement is an idempotent delete. */
    public void runOnce() {
        try {
            int records = tokens.deleteExpired(retention.toMillis());
            records += families.deleteExpired(retention.toMillis());
            int keysDropped = keys.dropExpired();
            changes.prune();
            audit.prune(auditRetention);
            sessions.prune();
            sweeps.forEach(Runnable::run);
            if (records > 0 || keysDropped > 0) {
                log.info("housekeeping: removed {} expired token records, {} retired signing keys", records, keysDropped);
            }
        } catch (RuntimeException e) {
            log.warn("housekeeping failed, will retry: {}", e.toString());
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
