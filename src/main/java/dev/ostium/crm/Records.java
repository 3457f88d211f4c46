package dev.ostium.crm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ostium.crm.query.QueryAst;
import dev.ostium.crm.query.QueryParser;
import dev.ostium.crm.query.QueryTranslator;
import dev.ostium.crm.query.Suggestions;
import dev.ostium.db.Database;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Reads and writes CRM records as a given viewer may: every statement carries the viewer's visibility
 * condition, so a record the viewer may not see is simply not found. Writes are validated against the
 * module description, guarded by the record's version, and written to the change record in the same
 * transaction.
 */
public final class Records {

    public static final int MAX_LINES = 200;

    private final Database db;
    private final Visibility visibility;
    private final ChangeLog changes;
    private final Clock clock;
    private final int maxRows;

    /** A create's outcome: the record, and whether it was made by an earlier request with the same key. */
    public record Created(CrmRecord record, boolean replayed) {}

    public Records(Database db, Visibility visibility, ChangeLog changes, Clock clock, int maxRows) {
        this.db = db;
        this.visibility = visibility;
        this.changes = changes;
        this.clock = clock;
        this.maxRows = maxRows;
    }

    public int maxRows() {
        return maxRows;
    }

    // ---- reading ---------------------------------------------------------------------------------

    /** Runs a query of the query language. @throws dev.ostium.crm.query.QueryError when it cannot run */
    public QueryResult query(String text, Viewer viewer) {
        QueryAst.Select ast = QueryParser.parse(text);
        QueryTranslator.Translated t = QueryTranslator.translate(text, ast, visibility, viewer, maxRows);
        return db.jdbi().withHandle(h -> {
            var q = t.sql().bindTo(h.createQuery(t.sql().text()));
            if (t.count()) {
                long n = q.mapTo(Long.class).one();
                return new QueryResult(List.of(Map.of("count", n)), null);
            }
            List<Map<String, Object>> rows = q.map((rs, ctx) -> row(rs, t.columns(), 1)).list();
            String next = null;
            if (rows.size() > t.pageSize()) {
                rows = rows.subList(0, t.pageSize());
                if (t.pageSize() > 0) next = t.next(rows.size());
            }
            return new QueryResult(List.copyOf(rows), next);
        });
    }

    public Optional<CrmRecord> get(ModuleDescription m, long id, Viewer viewer) {
        return db.jdbi().withHandle(h -> load(h, m, id, visibility.readable(m, "t0", viewer)));
    }

    private Optional<CrmRecord> load(Handle h, ModuleDescription m, long id, Sql condition) {
        Sql sql = new Sql().sql("select " + columnList(m.fields()) + ", t0.version from " + m.table() + " t0 where t0.id = ")
                .value(id).sql(" and ").append(condition);
        Optional<CrmRecord> found = sql.bindTo(h.createQuery(sql.text())).map((rs, ctx) -> new CrmRecord(m, id,
                rs.getLong(m.fields().size() + 1), row(rs, m.fields(), 1), List.of())).findOne();
        if (found.isEmpty() || m.lines() == null) return found;
        ModuleDescription.LineItems li = m.lines();
        List<Map<String, Object>> lines = h.createQuery("select " + columnList(li.fields()) + " from " + li.table()
                        + " t0 where t0." + li.parentColumn() + " = ? order by t0.seq")
                .bind(0, id).map((rs, ctx) -> row(rs, li.fields(), 1)).list();
        CrmRecord r = found.get();
        return Optional.of(new CrmRecord(m, id, r.version(), r.values(), List.copyOf(lines)));
    }

    private static String columnList(List<Field> fields) {
        StringBuilder s = new StringBuilder();
        for (Field f : fields) s.append(s.isEmpty() ? "" : ", ").append("t0.").append(f.column());
        return s.toString();
    }

    private static Map<String, Object> row(ResultSet rs, List<Field> fields, int first) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < fields.size(); i++) row.put(fields.get(i).name(), FieldValues.read(rs, first + i, fields.get(i)));
        return row;
    }

    // ---- writing ---------------------------------------------------------------------------------

    /**
     * Creates a record. With an idempotency key, a repeat of the same request by the same app and user
     * returns the record the first one made; the same key with a different request is a conflict.
     */
    public Created create(ModuleDescription m, JsonNode body, Viewer viewer, String idempotencyKey) {
        String requestHash = idempotencyKey == null ? null : sha256(m.name() + "\n" + body);
        try {
            return db.jdbi().inTransaction(h -> {
                if (idempotencyKey != null) {
                    Optional<Created> earlier = replay(h, m, viewer, idempotencyKey, requestHash);
                    if (earlier.isPresent()) return earlier.get();
                }
                Input in = input(h, m, body, viewer, null);
                long now = clock.millis();
                if (!in.values.containsKey(owner(m, FieldType.USER)) && !in.values.containsKey(owner(m, FieldType.GROUP))) {
                    in.values.put(owner(m, FieldType.USER), viewer.userId());
                }
                checkOwner(in.values, m);
                Sql insert = new Sql().sql("insert into " + m.table() + " (");
                Sql values = new Sql();
                for (Map.Entry<Field, Object> e : in.values.entrySet()) {
                    insert.sql(e.getKey().column() + ", ");
                    values.value(e.getValue()).sql(", ");
                }
                insert.sql("created_at, modified_at, created_by, modified_by, version) values (").append(values)
                        .value(now).sql(", ").value(now).sql(", ").value(viewer.userId()).sql(", ").value(viewer.userId()).sql(", 1)");
                long id = insert.bindTo(h.createUpdate(insert.text())).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                if (in.lines != null) writeLines(h, m, id, in.lines);
                if (idempotencyKey != null) {
                    h.createUpdate("insert into crm_idempotency (app_id, user_id, idem_key, module, request_hash, record_id, created_at) "
                                    + "values (?, ?, ?, ?, ?, ?, ?)")
                            .bind(0, appKey(viewer)).bind(1, viewer.userId()).bind(2, idempotencyKey).bind(3, m.name())
                            .bind(4, requestHash).bind(5, id).bind(6, now).execute();
                }
                CrmRecord created = load(h, m, id, new Sql().sql("1 = 1")).orElseThrow();
                changes.record(h, m, id, "create", viewer, ChangeLog.diff(null, created));
                return new Created(created, false);
            });
        } catch (RuntimeException e) {
            // Two requests with the same key at once: the second insert of the key fails; answer as a replay.
            if (idempotencyKey != null && Database.isDuplicateKey(e)) {
                return db.jdbi().inTransaction(h -> replay(h, m, viewer, idempotencyKey, requestHash)).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    private Optional<Created> replay(Handle h, ModuleDescription m, Viewer viewer, String key, String requestHash) {
        Optional<Map.Entry<String, Long>> earlier = h.createQuery("select module, request_hash, record_id from crm_idempotency "
                        + "where app_id = ? and user_id = ? and idem_key = ?")
                .bind(0, appKey(viewer)).bind(1, viewer.userId()).bind(2, key)
                .map((rs, ctx) -> Map.entry(rs.getString(1) + "\n" + rs.getString(2), rs.getLong(3))).findOne();
        if (earlier.isEmpty()) return Optional.empty();
        if (!earlier.get().getKey().equals(m.name() + "\n" + requestHash)) {
            throw new RecordException(RecordException.Kind.CONFLICT,
                    "this Idempotency-Key was already used for a different request", null);
        }
        return load(h, m, earlier.get().getValue(), visibility.readable(m, "t0", viewer)).map(r -> new Created(r, true))
                .or(() -> {
                    throw new RecordException(RecordException.Kind.CONFLICT,
                            "this Idempotency-Key made a record that is no longer there", null);
                });
    }

    private static long appKey(Viewer viewer) {
        return viewer.appId() == null ? 0 : viewer.appId();
    }

    /** Changes the fields the body names (and replaces the line items when it has them). */
    public CrmRecord update(ModuleDescription m, long id, JsonNode body, Viewer viewer, String ifMatch) {
        return withConflicts(m, () -> db.jdbi().inTransaction(h -> {
            CrmRecord current = writableCurrent(h, m, id, viewer, ifMatch);
            Input in = input(h, m, body, viewer, current);
            Field user = owner(m, FieldType.USER);
            Field group = owner(m, FieldType.GROUP);
            // Naming one kind of owner moves the record to it: the other kind is cleared.
            if (in.values.get(user) != null && !in.values.containsKey(group)) in.values.put(group, null);
            if (in.values.get(group) != null && !in.values.containsKey(user)) in.values.put(user, null);
            Map<Field, Object> merged = new LinkedHashMap<>();
            merged.put(user, current.values().get(user.name()));
            merged.put(group, current.values().get(group.name()));
            merged.putAll(in.values);
            checkOwner(merged, m);
            if (in.values.isEmpty() && in.lines == null) return current;
            Sql update = new Sql().sql("update " + m.table() + " set ");
            for (Map.Entry<Field, Object> e : in.values.entrySet()) update.sql(e.getKey().column() + " = ").value(e.getValue()).sql(", ");
            update.sql("modified_at = ").value(clock.millis()).sql(", modified_by = ").value(viewer.userId())
                    .sql(", version = version + 1 where id = ").value(id).sql(" and version = ").value(current.version());
            if (update.bindTo(h.createUpdate(update.text())).execute() != 1) throw changedMeanwhile(ifMatch);
            if (in.lines != null) writeLines(h, m, id, in.lines);
            CrmRecord after = load(h, m, id, new Sql().sql("1 = 1")).orElseThrow();
            Map<String, Object> diff = ChangeLog.diff(current, after);
            if (!diff.isEmpty()) changes.record(h, m, id, "update", viewer, diff);
            return after;
        }));
    }

    public void delete(ModuleDescription m, long id, Viewer viewer, String ifMatch) {
        withConflicts(m, () -> db.jdbi().inTransaction(h -> {
            CrmRecord current = writableCurrent(h, m, id, viewer, ifMatch);
            if (h.createUpdate("delete from " + m.table() + " where id = ? and version = ?").bind(0, id).bind(1, current.version())
                    .execute() != 1) {
                throw changedMeanwhile(ifMatch);
            }
            changes.record(h, m, id, "delete", viewer, ChangeLog.diff(current, null));
            return null;
        }));
    }

    private CrmRecord writableCurrent(Handle h, ModuleDescription m, long id, Viewer viewer, String ifMatch) {
        CrmRecord current = load(h, m, id, visibility.readable(m, "t0", viewer)).orElseThrow(() -> RecordException.notFound(m, id));
        Sql writable = new Sql().sql("select count(*) from " + m.table() + " t0 where t0.id = ").value(id).sql(" and ")
                .append(visibility.writable(m, "t0", viewer));
        if (writable.bindTo(h.createQuery(writable.text())).mapTo(Long.class).one() == 0) {
            throw new RecordException(RecordException.Kind.FORBIDDEN,
                    m.name() + " are shared read-only: you may read this record but not change it", null);
        }
        if (ifMatch != null && !matches(ifMatch, current.etag())) {
            throw new RecordException(RecordException.Kind.PRECONDITION_FAILED,
                    "the record has changed since you read it (its ETag is now " + current.etag() + ")", null);
        }
        return current;
    }

    /** RFC 9110 §13.1.1: "*" or a list of entity tags, compared strongly. */
    static boolean matches(String ifMatch, String etag) {
        for (String t : ifMatch.split(",")) {
            String tag = t.strip();
            if (tag.equals("*") || tag.equals(etag)) return true;
        }
        return false;
    }

    private static RecordException changedMeanwhile(String ifMatch) {
        return new RecordException(ifMatch != null ? RecordException.Kind.PRECONDITION_FAILED : RecordException.Kind.CONFLICT,
                "the record was changed by someone else meanwhile; read it again and retry", null);
    }

    private static <T> T withConflicts(ModuleDescription m, java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql && "23503".equals(sql.getSQLState())) {
                    throw new RecordException(RecordException.Kind.CONFLICT,
                            "other records refer to this " + m.singular() + "; change or delete them first", null);
                }
            }
            throw e;
        }
    }

    // ---- validation ------------------------------------------------------------------------------

    private static final class Input {
        final Map<Field, Object> values = new LinkedHashMap<>();
        List<Map<Field, Object>> lines;
    }

    /** The body's values, checked against the description; all problems are reported at once. */
    private Input input(Handle h, ModuleDescription m, JsonNode body, Viewer viewer, CrmRecord current) {
        Map<String, String> errors = new LinkedHashMap<>();
        Input in = new Input();
        if (body == null || !body.isObject()) {
            throw RecordException.invalid(Map.of("body", "must be a JSON object of field names and values"));
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            if (m.lines() != null && name.equals(m.lines().name())) {
                in.lines = lines(h, m.lines(), e.getValue(), viewer, errors);
                continue;
            }
            Optional<Field> f = m.fields().stream().filter(x -> x.name().equals(name)).findFirst();
            if (f.isEmpty()) {
                List<String> known = new ArrayList<>(m.fieldNames());
                if (m.lines() != null) known.add(m.lines().name());
                String hint = Suggestions.didYouMean(name.length() > 64 ? name.substring(0, 64) : name, known);
                errors.put(shorten(name), "unknown field" + (hint == null ? "" : "; " + hint));
            } else if (f.get().readOnly()) {
                errors.put(name, "is read-only");
            } else {
                value(h, f.get(), e.getValue(), viewer, name, errors).ifPresent(v -> in.values.put(f.get(), v.orElse(null)));
            }
        }
        for (Field f : m.fields()) {
            if (!f.required() || f.readOnly() || errors.containsKey(f.name())) continue;
            boolean present = in.values.containsKey(f);
            if (current == null && (!present || in.values.get(f) == null)) errors.put(f.name(), "is required");
            if (current != null && present && in.values.get(f) == null) errors.put(f.name(), "is required and cannot be emptied");
        }
        if (current == null && m.lines() != null && in.lines == null && !errors.containsKey(m.lines().name())) {
            errors.put(m.lines().name(), "at least one line item is required");
        }
        if (!errors.isEmpty()) throw RecordException.invalid(errors);
        return in;
    }

    private static String shorten(String name) {
        return name.length() > 64 ? name.substring(0, 64) + "..." : name;
    }

    /** Empty: the value is wrong (the error is recorded); else the value, which may be null. */
    private Optional<Optional<Object>> value(Handle h, Field f, JsonNode json, Viewer viewer, String key, Map<String, String> errors) {
        Object v;
        try {
            v = FieldValues.parse(f, json);
        } catch (IllegalArgumentException e) {
            errors.put(key, e.getMessage());
            return Optional.empty();
        }
        if (v != null) {
            String problem = switch (f.type()) {
                case REFERENCE -> {
                    ModuleDescription target = Modules.named(f.reference()).orElseThrow();
                    Sql seen = new Sql().sql("select count(*) from " + target.table() + " t0 where t0.id = ").value(v).sql(" and ")
                            .append(visibility.readable(target, "t0", viewer));
                    yield seen.bindTo(h.createQuery(seen.text())).mapTo(Long.class).one() == 0
                            ? "no " + target.singular() + " with id " + v + " that you can see" : null;
                }
                case USER -> h.createQuery("select count(*) from users where id = ? and enabled = true").bind(0, v)
                        .mapTo(Long.class).one() == 0 ? "no active user with id " + v : null;
                case GROUP -> h.createQuery("select count(*) from user_groups where id = ?").bind(0, v)
                        .mapTo(Long.class).one() == 0 ? "no group with id " + v : null;
                default -> null;
            };
            if (problem != null) {
                errors.put(key, problem);
                return Optional.empty();
            }
        }
        return Optional.of(Optional.ofNullable(v));
    }

    private List<Map<Field, Object>> lines(Handle h, ModuleDescription.LineItems li, JsonNode json, Viewer viewer,
                                           Map<String, String> errors) {
        if (json == null || !json.isArray() || json.isEmpty() || json.size() > MAX_LINES) {
            errors.put(li.name(), "must be a list of 1 to " + MAX_LINES + " line items");
            return null;
        }
        List<Map<Field, Object>> out = new ArrayList<>();
        for (int i = 0; i < json.size(); i++) {
            JsonNode line = json.get(i);
            String prefix = li.name() + "[" + i + "]";
            if (!line.isObject()) {
                errors.put(prefix, "must be an object of line item fields");
                continue;
            }
            Map<Field, Object> values = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = line.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                Optional<Field> f = li.field(e.getKey());
                String key = prefix + "." + shorten(e.getKey());
                if (f.isEmpty()) errors.put(key, "unknown field");
                else if (f.get().readOnly()) errors.put(key, "is read-only");
                else value(h, f.get(), e.getValue(), viewer, key, errors).ifPresent(v -> values.put(f.get(), v.orElse(null)));
            }
            for (Field f : li.fields()) {
                if (f.required() && !f.readOnly() && values.get(f) == null && !errors.containsKey(prefix + "." + f.name())) {
                    errors.put(prefix + "." + f.name(), "is required");
                }
            }
            out.add(values);
        }
        return out;
    }

    private static Field owner(ModuleDescription m, FieldType type) {
        return m.fields().stream().filter(f -> f.type() == type && !f.readOnly()).findFirst().orElseThrow();
    }

    private static void checkOwner(Map<Field, Object> values, ModuleDescription m) {
        Object user = values.get(owner(m, FieldType.USER));
        Object group = values.get(owner(m, FieldType.GROUP));
        if (user != null && group != null) {
            throw RecordException.invalid(Map.of("assigned_user_id", "a record is assigned to a user or to a group, not both"));
        }
        if (user == null && group == null) {
            throw RecordException.invalid(Map.of("assigned_user_id", "a record must be assigned to a user or to a group"));
        }
    }

    /** Replaces the line items and sets the record's total to their sum. */
    private static void writeLines(Handle h, ModuleDescription m, long id, List<Map<Field, Object>> lines) {
        ModuleDescription.LineItems li = m.lines();
        h.createUpdate("delete from " + li.table() + " where " + li.parentColumn() + " = ?").bind(0, id).execute();
        BigDecimal total = BigDecimal.ZERO.setScale(2);
        int seq = 0;
        for (Map<Field, Object> line : lines) {
            BigDecimal qty = (BigDecimal) line.get(li.field("quantity").orElseThrow());
            BigDecimal price = (BigDecimal) line.get(li.field("listprice").orElseThrow());
            BigDecimal discount = (BigDecimal) line.get(li.field("discount_percent").orElseThrow());
            BigDecimal lineTotal = lineTotal(qty, price, discount);
            total = total.add(lineTotal);
            Sql insert = new Sql().sql("insert into " + li.table() + " (" + li.parentColumn() + ", seq, ");
            Sql values = new Sql().value(id).sql(", ").value(seq++).sql(", ");
            for (Map.Entry<Field, Object> e : line.entrySet()) {
                insert.sql(e.getKey().column() + ", ");
                values.value(e.getValue()).sql(", ");
            }
            insert.sql("line_total) values (").append(values).value(lineTotal).sql(")");
            insert.bindTo(h.createUpdate(insert.text())).execute();
        }
        h.createUpdate("update " + m.table() + " set total = ? where id = ?").bind(0, total).bind(1, id).execute();
    }

    /** quantity × price, less the discount, to the cent. */
    public static BigDecimal lineTotal(BigDecimal quantity, BigDecimal price, BigDecimal discountPercent) {
        BigDecimal gross = quantity.multiply(price);
        if (discountPercent != null) {
            gross = gross.multiply(BigDecimal.valueOf(100).subtract(discountPercent)).divide(BigDecimal.valueOf(100));
        }
        return gross.setScale(2, RoundingMode.HALF_EVEN);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean same(Object a, Object b) {
        return Objects.equals(a, b);
    }
}
