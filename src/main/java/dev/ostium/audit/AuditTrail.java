package dev.ostium.audit;

import dev.ostium.db.Database;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail every feature writes to, stored in the shared database: recording, filtering (by app,
 * user, kind and time, newest first, paged by position), CSV export and expiry after the retention.
 * Every event is also logged on {@code ostium.events}. Recording never fails the action it describes:
 * a trail that cannot be written is reported in the log.
 */
public final class AuditTrail {

    private static final Logger events = LoggerFactory.getLogger("ostium.events");
    public static final int MAX_PAGE = 500;

    private static final RowMapper<AuditEvent> MAPPER = (rs, ctx) -> new AuditEvent(rs.getLong("id"),
            Instant.ofEpochMilli(rs.getLong("occurred_at")), rs.getString("kind"), rs.getString("actor"),
            rs.getString("client_id"), rs.getString("subject_user"), rs.getString("address"), rs.getString("detail"));

    /**
     * What to look for; null fields match everything.
     *
     * @param user   matches the actor or the user concerned
     * @param kind   an exact kind, or a family ending in a dot ({@code app.})
     * @param before only events older than this position (the id of the last event of the previous page)
     */
    public record Filter(String clientId, String user, String kind, Instant from, Instant to, Long before) {
        public static Filter all() {
            return new Filter(null, null, null, null, null, null);
        }
    }

    private final Database db;
    private final Clock clock;

    public AuditTrail(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void record(AuditEvent e) {
        long now = clock.millis();
        events.info("{} actor={} app={} user={} address={} {}", e.kind(), printable(e.actor()), printable(e.clientId()),
                printable(e.subjectUser()), printable(e.address()), e.detail() == null ? "" : e.detail());
        try {
            db.jdbi().useHandle(h -> h.createUpdate("""
                            insert into audit_events (occurred_at, kind, actor, client_id, subject_user, address, detail)
                            values (:at, :kind, :actor, :client, :subject, :address, :detail)""")
                    .bind("at", now).bind("kind", cut(e.kind(), 60)).bind("actor", cut(e.actor(), 200))
                    .bind("client", cut(e.clientId(), 100)).bind("subject", cut(e.subjectUser(), 100))
                    .bind("address", cut(e.address(), 64)).bind("detail", cut(e.detail(), 4000)).execute());
        } catch (RuntimeException ex) {
            events.warn("could not store audit event {}: {}", e.kind(), ex.toString());
        }
    }

    /** One page of events, newest first. */
    public List<AuditEvent> find(Filter f, int limit) {
        int n = Math.max(1, Math.min(MAX_PAGE, limit));
        return db.jdbi().withHandle(h -> query(h.createQuery(sql(f) + " order by id desc limit " + n), f).map(MAPPER).list());
    }

    /** Every matching event, newest first, as CSV (RFC 4180) with a header line. */
    public void csv(Filter f, Writer out) {
        try {
            out.write("id,time,kind,actor,app,user,address,detail\r\n");
            Consumer<AuditEvent> row = e -> {
                try {
                    out.write(e.id() + "," + e.occurredAt() + "," + csvField(e.kind()) + "," + csvField(e.actor()) + ","
                            + csvField(e.clientId()) + "," + csvField(e.subjectUser()) + "," + csvField(e.address()) + ","
                            + csvField(e.detail()) + "\r\n");
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            };
            db.jdbi().useHandle(h -> query(h.createQuery(sql(f) + " order by id desc"), f).setFetchSize(1000).map(MAPPER)
                    .useStream(s -> s.forEach(row)));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes events older than the retention; returns how many. */
    public int prune(Duration retention) {
        long cutoff = clock.millis() - retention.toMillis();
        return db.jdbi().withHandle(h -> h.createUpdate("delete from audit_events where occurred_at < :c").bind("c", cutoff).execute());
    }

    private static String sql(Filter f) {
        List<String> where = new ArrayList<>();
        if (f.clientId() != null) where.add("client_id = :client");
        if (f.user() != null) where.add("(actor = :user or subject_user = :user)");
        if (f.kind() != null) where.add(f.kind().endsWith(".") ? "kind like :kind escape '!'" : "kind = :kind");
        if (f.from() != null) where.add("occurred_at >= :from");
        if (f.to() != null) where.add("occurred_at < :to");
        if (f.before() != null) where.add("id < :before");
        return "select * from audit_events" + (where.isEmpty() ? "" : " where " + String.join(" and ", where));
    }

    private static Query query(Query q, Filter f) {
        Map<String, Object> binds = new LinkedHashMap<>();
        if (f.clientId() != null) binds.put("client", f.clientId());
        if (f.user() != null) binds.put("user", f.user());
        if (f.kind() != null) {
            String family = f.kind().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
            binds.put("kind", f.kind().endsWith(".") ? family : f.kind());
        }
        if (f.from() != null) binds.put("from", f.from().toEpochMilli());
        if (f.to() != null) binds.put("to", f.to().toEpochMilli());
        if (f.before() != null) binds.put("before", f.before());
        binds.forEach(q::bind);
        return q;
    }

    /** A CSV field: quoted when needed, and never read as a formula by a spreadsheet. */
    static String csvField(String s) {
        if (s == null) return "";
        String v = s;
        if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) v = "'" + v;
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r") || !v.equals(s)) {
            return "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    private static String printable(String s) {
        if (s == null) return "-";
        String t = s.length() > 200 ? s.substring(0, 200) : s;
        return t.replaceAll("[^\\x21-\\x7E]", "?");
    }
}
