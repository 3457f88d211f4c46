package dev.ostium.crm.query;

import dev.ostium.crm.Field;
import dev.ostium.crm.FieldType;
import dev.ostium.crm.ModuleDescription;
import dev.ostium.crm.Modules;
import dev.ostium.crm.Sql;
import dev.ostium.crm.Viewer;
import dev.ostium.crm.Visibility;
import dev.ostium.crm.query.QueryAst.And;
import dev.ostium.crm.query.QueryAst.Compare;
import dev.ostium.crm.query.QueryAst.Expr;
import dev.ostium.crm.query.QueryAst.FieldRef;
import dev.ostium.crm.query.QueryAst.In;
import dev.ostium.crm.query.QueryAst.IsNull;
import dev.ostium.crm.query.QueryAst.Like;
import dev.ostium.crm.query.QueryAst.Literal;
import dev.ostium.crm.query.QueryAst.Not;
import dev.ostium.crm.query.QueryAst.Op;
import dev.ostium.crm.query.QueryAst.Or;
import dev.ostium.crm.query.QueryAst.Select;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a syntax tree into one parameterised statement over the module descriptions: every table and
 * column name comes from a description, every value the client wrote becomes a bind parameter, and
 * the viewer's visibility condition is always ANDed in — for the module queried and for every
 * referenced module a condition reaches into.
 */
public final class QueryTranslator {

    /** Largest magnitude accepted for a number in a condition: beyond any column's range. */
    private static final BigDecimal MAX_NUMBER = new BigDecimal("1e15");

    /**
     * A statement ready to run.
     *
     * @param columns   the fields of the result rows, in order (empty for count)
     * @param pageSize  rows to return; the statement asks for one more to know whether a next page exists
     * @param continuation the query text before its LIMIT, to write the next page's query
     */
    public record Translated(ModuleDescription module, Sql sql, List<Field> columns, boolean count, long offset,
                             int pageSize, String continuation) {

        /** The query that returns the page after this one. */
        public String next(int returned) {
            return continuation + " LIMIT " + (offset + returned) + ", " + pageSize + ";";
        }
    }

    private final Visibility visibility;
    private final Viewer viewer;
    private final ModuleDescription module;
    /** reference field name -> join alias, in order of first use */
    private final Map<String, String> joins = new LinkedHashMap<>();

    private QueryTranslator(Visibility visibility, Viewer viewer, ModuleDescription module) {
        this.visibility = visibility;
        this.viewer = viewer;
        this.module = module;
    }

    public static Translated translate(String text, Select q, Visibility visibility, Viewer viewer, int maxRows) {
        ModuleDescription module = Modules.named(q.module().text()).orElseThrow(() -> new QueryError(
                "unknown module '" + q.module().text() + "'", q.module().pos(),
                hintOr(Suggestions.didYouMean(q.module().text(), Modules.names()), "modules: " + String.join(", ", Modules.names()))));
        return new QueryTranslator(visibility, viewer, module).build(text, q, maxRows);
    }

    private Translated build(String text, Select q, int maxRows) {
        List<Field> columns = new ArrayList<>();
        for (FieldRef f : q.fields()) {
            if (f.via() != null) throw new QueryError("only the fields of " + module.name() + " can be selected", f.pos(),
                    "filter on '" + f.display() + "' in WHERE instead");
            columns.add(field(module, f.field()));
        }
        if (columns.isEmpty() && !q.count()) columns.addAll(module.fields());

        Sql where = q.where() == null ? null : expr(q.where());
        Sql sql = new Sql().sql("select ");
        if (q.count()) {
            sql.sql("count(*)");
        } else {
            for (int i = 0; i < columns.size(); i++) sql.sql(i == 0 ? "" : ", ").sql("t0." + columns.get(i).column());
        }
        sql.sql(" from " + module.table() + " t0");
        for (Map.Entry<String, String> j : joins.entrySet()) {
            Field ref = module.field(j.getKey()).orElseThrow();
            ModuleDescription target = Modules.named(ref.reference()).orElseThrow();
            String alias = j.getValue();
            sql.sql(" left join " + target.table() + " " + alias + " on " + alias + ".id = t0." + ref.column() + " and ")
                    .append(visibility.readable(target, alias, viewer));
        }
        sql.sql(" where ").append(visibility.readable(module, "t0", viewer));
        if (where != null) sql.sql(" and (").append(where).sql(")");

        if (q.count()) {
            if (!q.orderBy().isEmpty() || q.limit() != null) {
                throw new QueryError("count(*) takes no ORDER BY or LIMIT", q.limitPos() != null ? q.limitPos()
                        : q.orderBy().get(0).field().pos());
            }
            return new Translated(module, sql, List.of(), true, 0, 1, null);
        }
        sql.sql(" order by ");
        for (QueryAst.Order o : q.orderBy()) {
            if (o.field().via() != null) throw new QueryError("ORDER BY takes fields of " + module.name(), o.field().pos());
            Field f = field(module, o.field().field());
            sql.sql("t0." + f.column() + (o.descending() ? " desc nulls last, " : " asc nulls first, "));
        }
        sql.sql("t0.id asc");
        long offset = q.offset() == null ? 0 : q.offset();
        int pageSize = (int) Math.min(q.limit() == null ? maxRows : q.limit(), maxRows);
        sql.sql(" limit ").value((long) pageSize + 1).sql(" offset ").value(offset);
        String continuation = text.substring(0, q.bodyEnd()).strip();
        return new Translated(module, sql, List.copyOf(columns), false, offset, pageSize, continuation);
    }

    // ---- conditions ------------------------------------------------------------------------------

    private Sql expr(Expr e) {
        return switch (e) {
            case And a -> join(a.parts(), " and ");
            case Or o -> join(o.parts(), " or ");
            case Not n -> new Sql().sql("not (").append(expr(n.inner())).sql(")");
            case IsNull n -> new Sql().sql(column(n.field()).sql + (n.negated() ? " is not null" : " is null"));
            case Compare c -> compare(c);
            case In in -> in(in);
            case Like l -> like(l);
        };
    }

    private Sql join(List<Expr> parts, String op) {
        Sql s = new Sql().sql("(");
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) s.sql(op);
            s.append(expr(parts.get(i)));
        }
        return s.sql(")");
    }

    private Sql compare(Compare c) {
        Resolved r = column(c.field());
        if (c.value().value() == null) {
            throw new QueryError("a comparison with NULL is never true", c.value().pos(),
                    "write '" + c.field().display() + (c.op() == Op.NE ? " IS NOT NULL'" : " IS NULL'"));
        }
        if (r.field.type() == FieldType.BOOLEAN && c.op() != Op.EQ && c.op() != Op.NE) {
            throw new QueryError("'" + c.field().display() + "' is a boolean: compare it with = or !=", c.field().pos());
        }
        return new Sql().sql(r.sql + " " + c.op().sql + " ").value(value(r, c.value(), c.op() == Op.EQ || c.op() == Op.NE));
    }

    private Sql in(In in) {
        Resolved r = column(in.field());
        if (r.field.type() == FieldType.BOOLEAN) throw new QueryError("IN does not apply to the boolean '" + in.field().display() + "'", in.field().pos());
        Sql s = new Sql().sql(r.sql + (in.negated() ? " not in (" : " in ("));
        for (int i = 0; i < in.values().size(); i++) {
            Literal v = in.values().get(i);
            if (v.value() == null) throw new QueryError("NULL cannot be listed in IN", v.pos(), "add OR " + in.field().display() + " IS NULL");
            s.sql(i == 0 ? "" : ", ").value(value(r, v, true));
        }
        return s.sql(")");
    }

    private Sql like(Like l) {
        Resolved r = column(l.field());
        if (!r.field.type().textual()) {
            throw new QueryError("LIKE applies to text fields; '" + l.field().display() + "' is " + r.field.type().apiName(), l.field().pos());
        }
        if (!(l.pattern().value() instanceof String p)) {
            throw new QueryError("LIKE takes a 'quoted pattern'", l.pattern().pos());
        }
        // Backslash escapes % _ and itself; anything else after it (or nothing) is a mistake, on every database.
        for (int i = 0; i < p.length(); i++) {
            if (p.charAt(i) == '\\') {
                if (i + 1 >= p.length() || "%_\\".indexOf(p.charAt(i + 1)) < 0) {
                    throw new QueryError("in a LIKE pattern the escape character \\ must be followed by %, _ or \\",
                            l.pattern().pos());
                }
                i++;
            }
        }
        // The statement escapes with '!' rather than '\': a backslash inside a quoted literal in the SQL text
        // would be read as an escape by the statement parser and hide the placeholders after it.
        StringBuilder pattern = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c == '\\') {
                char escaped = p.charAt(++i);
                if (escaped == '\\') pattern.append('\\');
                else pattern.append('!').append(escaped);
            } else if (c == '!') {
                pattern.append("!!");
            } else {
                pattern.append(c);
            }
        }
        return new Sql().sql(r.sql + (l.negated() ? " not like " : " like ")).value(pattern.toString()).sql(" escape '!'");
    }

    /** A literal checked against the field's type and converted to what its column holds. */
    private Object value(Resolved r, Literal lit, boolean equality) {
        Field f = r.field;
        Object v = lit.value();
        String where = "'" + r.display + "'";
        switch (f.type()) {
            case TEXT, EMAIL, PHONE, PICKLIST -> {
                if (!(v instanceof String s)) throw typeError(r, lit, "text: write the value in 'single quotes'");
                if (f.type() == FieldType.PICKLIST && equality && !f.picklist().contains(s)) {
                    throw new QueryError("'" + s + "' is not a value of " + where, lit.pos(),
                            hintOr(Suggestions.didYouMean(s, f.picklist()), "values: " + String.join(", ", f.picklist())));
                }
                return s;
            }
            case NUMBER, MONEY -> {
                if (!(v instanceof BigDecimal n)) throw typeError(r, lit, "a number: write it without quotes");
                if (n.abs().compareTo(MAX_NUMBER) >= 0) throw new QueryError("the number is out of range for " + where, lit.pos());
                if (f.type() == FieldType.NUMBER && f.scale() == 0) {
                    if (n.stripTrailingZeros().scale() > 0) {
                        throw new QueryError(where + " holds whole numbers", lit.pos());
                    }
                    return n.longValueExact();
                }
                return n;
            }
            case REFERENCE, USER, GROUP -> {
                if (!(v instanceof BigDecimal n)) throw typeError(r, lit, "a record id: write it as a number without quotes");
                if (n.abs().compareTo(MAX_NUMBER) >= 0 || n.stripTrailingZeros().scale() > 0) {
                    throw new QueryError(where + " holds whole record ids", lit.pos());
                }
                return n.longValueExact();
            }
            case DATE -> {
                if (!(v instanceof String s)) throw typeError(r, lit, "a date: write it as 'YYYY-MM-DD'");
                try {
                    return LocalDate.parse(s);
                } catch (DateTimeParseException e) {
                    throw new QueryError("'" + s + "' is not a valid date for " + where, lit.pos(), "write it as 'YYYY-MM-DD'");
                }
            }
            case DATETIME -> {
                if (!(v instanceof String s)) throw typeError(r, lit, "a time: write it as 'YYYY-MM-DDThh:mm:ssZ'");
                try {
                    return s.length() == 10 ? LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli()
                            : Instant.parse(s).toEpochMilli();
                } catch (DateTimeParseException e) {
                    throw new QueryError("'" + s + "' is not a valid time for " + where, lit.pos(),
                            "write it as 'YYYY-MM-DDThh:mm:ssZ' or 'YYYY-MM-DD'");
                }
            }
            case BOOLEAN -> {
                if (!(v instanceof Boolean b)) throw typeError(r, lit, "a boolean: write TRUE or FALSE");
                return b;
            }
        }
        throw new IllegalStateException("unhandled type " + f.type());
    }

    private static QueryError typeError(Resolved r, Literal lit, String expected) {
        return new QueryError("'" + r.display + "' is " + expected, lit.pos());
    }

    // ---- names -----------------------------------------------------------------------------------

    private record Resolved(Field field, String sql, String display) {}

    private Resolved column(FieldRef ref) {
        Field f = field(module, ref.field());
        if (ref.via() == null) return new Resolved(f, "t0." + f.column(), f.name());
        if (f.type() != FieldType.REFERENCE) {
            throw new QueryError("'" + f.name() + "' is not a reference to another module", ref.field().pos(),
                    "only reference fields can be followed with '.'");
        }
        ModuleDescription target = Modules.named(f.reference()).orElseThrow();
        Field sub = field(target, ref.via());
        String alias = joins.computeIfAbsent(f.name(), k -> "j" + (joins.size() + 1));
        return new Resolved(sub, alias + "." + sub.column(), f.name() + "." + sub.name());
    }

    private static Field field(ModuleDescription m, QueryAst.Name name) {
        return m.field(name.text()).orElseThrow(() -> new QueryError("unknown field '" + name.text() + "'",
                name.pos(), hintOr(Suggestions.didYouMean(name.text(), m.fieldNames()),
                        "fields of " + m.name() + ": " + String.join(", ", m.fieldNames()))));
    }

    private static String hintOr(String hint, String otherwise) {
        return hint != null ? hint : otherwise;
    }
}
