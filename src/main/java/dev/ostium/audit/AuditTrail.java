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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
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
    /** The kinds this node knows to be listed in audit_kinds. */
    private final Set<String> kinds = ConcurrentHashMap.newKeySet();

    public AuditTrail(Database db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    public void record(AuditEvent e) {
        long now = clock.millis();
        events.info("{} actor={} app={} user={} address={} {}", e.kind(), printable(e.actor()), printable(e.clientId()),
                printable(e.subjectUser()), printable(e.address()), e.detail() == null ? "" : e.detail());
        String kind = cut(e.kind(), 60);
        try {
            db.jdbi().useHandle(h -> {
                if (!kinds.contains(kind)) {
                    registerKind(h, kind);
                    kinds.add(kind);
                }
                h.createUpdate("""
                                insert into audit_events (occurred_at, kind, actor, client_id, subject_user, address, detail)
                                values (:at, :kind, :actor, :client, :subject, :address, :detail)""")
                        .bind("at", now).bind("kind", kind).bind("actor", cut(e.actor(), 200))
                        .bind("client", cut(e.clientId(), 100)).bind("subject", cut(e.subjectUser(), 100))
                        .bind("address", cut(e.address(), 64)).bind("detail", cut(e.detail(), 4000)).execute();
            });
        } catch (RuntimeException ex) {
            events.warn("could not store audit event {}: {}", e.kind(), ex.toString());
        }
    }

    /** Every kind is listed once in audit_kinds, so a family filter ("app.") knows which kinds to walk. */
    private static void registerKind(Handle h, String kind) {
        try {
            h.createUpdate("insert into audit_kinds (kind) select :kind where not exists (select 1 from audit_kinds where kind = :kind)")
                    .bind("kind", kind).execute();
        } catch (RuntimeException ex) {
            if (!Database.isDuplicateKey(ex)) throw ex; // another node listed it first
        }
    }

    /** One page of events, newest first. */
    public List<AuditEvent> find(Filter f, int limit) {
        int n = Math.max(1, Math.min(MAX_PAGE, limit));
        return db.jdbi().withHandle(h -> {
            Where where = where(h, f);
            List<Lead> leads = leads(h, f);
            if (leads.isEmpty()) return List.<AuditEvent>of();
            StringBuilder sql = new StringBuilder();
            if (leads.size() == 1) {
                sql.append(walk(leads.getFirst(), 0, where)).append(" limit ").append(n);
            } else {
                // One walk per lead, each stopping after a page; the union is short and sorted again.
                for (int i = 0; i < leads.size(); i++) {
                    sql.append(i == 0 ? "" : " union ").append("select * from (").append(walk(leads.get(i), i, where))
                            .append(" limit ").append(n).append(") w").append(i);
                }
                sql.append(" order by occurred_at desc, id desc limit ").append(n);
            }
            Query q = h.createQuery(sql.toString());
            where.binds().forEach(q::bind);
            for (int i = 0; i < leads.size(); i++) if (leads.get(i).column() != null) q.bind("lead" + i, leads.get(i).value());
            return q.map(MAPPER).list();
        });
    }

    /** Every matching event, newest first, as CSV (RFC 4180) with a header line, written as it is read. */
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
            db.jdbi().useHandle(h -> {
                Where where = where(h, f);
                List<Lead> leads = leads(h, f);
                if (leads.isEmpty()) return;
                // An app or an exact kind leads the walk; otherwise the time index does, the rest being filters.
                Lead lead = leads.size() == 1 ? leads.getFirst() : new Lead(null, null);
                Query q = h.createQuery(walk(lead, 0, where));
                where.binds().forEach(q::bind);
                if (lead.column() != null) q.bind("lead0", lead.value());
                q.setFetchSize(1000).map(MAPPER).useStream(s -> s.forEach(row));
            });
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

    /**
     * The indexed column a query walks newest first, and the value it is walked for; a null column walks the
     * time index. Every audit index is (column, occurred_at), so a walk reads events in the order shown and
     * stops after a page, however many events the trail holds.
     */
    private record Lead(String column, String value) {}

    /** The other conditions, shared by every walk, with their values. */
    private record Where(String sql, Map<String, Object> binds) {}

    /**
     * Which index to walk: the app's, else the exact kind's, else the user's as actor and as the person
     * concerned (two walks), else one walk per kind of the family, else the time index. The other filters
     * are checked on the way; a walk is long only when its lead matches many events and the rest few.
     */
    private static List<Lead> leads(Handle h, Filter f) {
        if (f.clientId() != null) return List.of(new Lead("client_id", f.clientId()));
        boolean family = f.kind() != null && f.kind().endsWith(".");
        if (f.kind() != null && !family) return List.of(new Lead("kind", f.kind()));
        if (f.user() != null) return List.of(new Lead("actor", f.user()), new Lead("subject_user", f.user()));
        if (family) {
            return h.createQuery("select kind from audit_kinds where kind like :family escape '!' order by kind")
                    .bind("family", familyPattern(f.kind())).mapTo(String.class).list().stream()
                    .map(k -> new Lead("kind", k)).toList();
        }
        return List.of(new Lead(null, null));
    }

    private static String walk(Lead lead, int i, Where where) {
        String order = lead.column() == null ? " order by occurred_at desc, id desc"
                : " order by " + lead.column() + " desc, occurred_at desc, id desc";
        List<String> all = new ArrayList<>();
        if (lead.column() != null) all.add(lead.column() + " = :lead" + i);
        if (!where.sql().isEmpty()) all.add(where.sql());
        return "select * from audit_events" + (all.isEmpty() ? "" : " where " + String.join(" and ", all)) + order;
    }

    private static Where where(Handle h, Filter f) {
        List<String> where = new ArrayList<>();
        Map<String, Object> binds = new LinkedHashMap<>();
        if (f.clientId() != null) {
            where.add("client_id = :client");
            binds.put("client", f.clientId());
        }
        if (f.user() != null) {
            where.add("(actor = :user or subject_user = :user)");
            binds.put("user", f.user());
        }
        if (f.kind() != null) {
            boolean family = f.kind().endsWith(".");
            where.add(family ? "kind like :kind escape '!'" : "kind = :kind");
            binds.put("kind", family ? familyPattern(f.kind()) : f.kind());
        }
        if (f.from() != null) {
            where.add("occurred_at >= :from");
            binds.put("from", millis(f.from()));
        }
        if (f.to() != null) {
            where.add("occurred_at < :to");
            binds.put("to", millis(f.to()));
        }
        if (f.before() != null) {
            // Newest first means by time, then by id among events of the same millisecond; the position is
            // the id of the last event shown, so the next page starts just after its time and id.
            Long at = h.createQuery("select occurred_at from audit_events where id = :before").bind("before", f.before())
                    .mapTo(Long.class).findOne().orElse(null);
            if (at == null) {
                where.add("id < :before");
            } else {
                where.add("occurred_at <= :beforeAt and (occurred_at < :beforeAt or id < :before)");
                binds.put("beforeAt", at);
            }
            binds.put("before", f.before());
        }
        return new Where(String.join(" and ", where), binds);
    }

    /** Milliseconds of an instant, held to what a long can count: a date beyond it still selects by order. */
    private static long millis(Instant i) {
        if (i.isBefore(EARLIEST)) return Long.MIN_VALUE;
        if (i.isAfter(LATEST)) return Long.MAX_VALUE;
        return i.toEpochMilli();
    }

    private static final Instant EARLIEST = Instant.ofEpochMilli(Long.MIN_VALUE);
    private static final Instant LATEST = Instant.ofEpochMilli(Long.MAX_VALUE);

    private static String familyPattern(String family) {
        return family.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
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
