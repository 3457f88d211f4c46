package dev.ostium.crm.query;

import dev.ostium.crm.query.QueryError.Pos;
import java.util.List;

/** The syntax tree of a query, exactly as written: names are not yet checked against any module. */
public final class QueryAst {

    private QueryAst() {}

    /**
     * @param fields     the selected fields; empty for {@code *}
     * @param count      {@code count(*)} was selected
     * @param limit      null when the query has no LIMIT
     * @param bodyEnd    where the text before LIMIT (or the closing ';') ends, to write the continuation
     */
    public record Select(List<FieldRef> fields, boolean count, Name module, Expr where, List<Order> orderBy,
                         Long offset, Long limit, Pos limitPos, int bodyEnd) {}

    public record Name(String text, Pos pos) {}

    /** A field, or with {@code via} a field of the record a reference field points to ({@code account_id.accountname}). */
    public record FieldRef(Name field, Name via) {
        public Pos pos() {
            return field.pos();
        }

        public String display() {
            return via == null ? field.text() : field.text() + "." + via.text();
        }
    }

    public record Order(FieldRef field, boolean descending) {}

    /** A value written in the query: a String, a BigDecimal, a Boolean, or null for NULL. */
    public record Literal(Object value, Pos pos) {}

    public enum Op {
        EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");
        public final String sql;

        Op(String sql) {
            this.sql = sql;
        }
    }

    public sealed interface Expr permits Compare, In, IsNull, Like, And, Or, Not {}

    public record Compare(FieldRef field, Op op, Literal value) implements Expr {}

    public record In(FieldRef field, boolean negated, List<Literal> values) implements Expr {}

    public record IsNull(FieldRef field, boolean negated) implements Expr {}

    public record Like(FieldRef field, boolean negated, Literal pattern) implements Expr {}

    /** All of the parts hold (kept flat, so a long chain does not make a deep tree). */
    public record And(List<Expr> parts) implements Expr {}

    public record Or(List<Expr> parts) implements Expr {}

    public record Not(Expr inner) implements Expr {}
}
