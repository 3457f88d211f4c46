package dev.ostium.crm.query;

import dev.ostium.crm.query.QueryAst.And;
import dev.ostium.crm.query.QueryAst.Compare;
import dev.ostium.crm.query.QueryAst.Expr;
import dev.ostium.crm.query.QueryAst.FieldRef;
import dev.ostium.crm.query.QueryAst.In;
import dev.ostium.crm.query.QueryAst.IsNull;
import dev.ostium.crm.query.QueryAst.Like;
import dev.ostium.crm.query.QueryAst.Literal;
import dev.ostium.crm.query.QueryAst.Name;
import dev.ostium.crm.query.QueryAst.Not;
import dev.ostium.crm.query.QueryAst.Op;
import dev.ostium.crm.query.QueryAst.Or;
import dev.ostium.crm.query.QueryAst.Order;
import dev.ostium.crm.query.QueryAst.Select;
import dev.ostium.crm.query.QueryError.Pos;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the query language into a {@link QueryAst.Select}:
 * <pre>
 * SELECT * | count(*) | field [, field ...] FROM Module
 *   [WHERE condition]              -- =, !=, &lt;&gt;, &lt;, &lt;=, &gt;, &gt;=, [NOT] LIKE, [NOT] IN (...), IS [NOT] NULL,
 *                                  -- AND, OR, NOT, parentheses; ref_field.field one level deep
 *   [ORDER BY field [ASC|DESC] [, ...]]
 *   [LIMIT [offset,] count] [;]
 * </pre>
 * Every error names the problem and its line and column.
 */
public final class QueryParser {

    public static final int MAX_LENGTH = 16_384;
    public static final int MAX_DEPTH = 32;
    public static final int MAX_IN_ITEMS = 1_000;
    public static final Set<String> KEYWORDS = Set.of("SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "NULL",
            "LIKE", "ORDER", "BY", "ASC", "DESC", "LIMIT", "COUNT", "TRUE", "FALSE");

    enum Kind { NAME, STRING, NUMBER, SYMBOL, END }

    record Token(Kind kind, String text, Pos pos) {
        boolean is(String s) {
            return (kind == Kind.SYMBOL && text.equals(s)) || (kind == Kind.NAME && text.equalsIgnoreCase(s));
        }

        String shown() {
            return kind == Kind.END ? "the end of the query" : "'" + text + "'";
        }
    }

    private final List<Token> tokens;
    private int pos;
    private int depth;

    private QueryParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** @throws QueryError naming the problem and its position */
    public static Select parse(String text) {
        if (text == null || text.isBlank()) throw new QueryError("the query is empty", null);
        if (text.length() > MAX_LENGTH) {
            throw new QueryError("the query is " + text.length() + " characters long; at most " + MAX_LENGTH + " are accepted", null);
        }
        return new QueryParser(tokenize(text)).select(text.length());
    }

    // ---- grammar --------------------------------------------------------------------------------

    private Select select(int textLength) {
        expect("SELECT");
        List<FieldRef> fields = new ArrayList<>();
        boolean count = false;
        if (accept("*")) {
            // all fields
        } else if (peek().is("COUNT")) {
            next();
            expect("(");
            expect("*");
            expect(")");
            count = true;
        } else {
            do {
                fields.add(fieldRef());
            } while (accept(","));
        }
        expect("FROM");
        Name module = name("a module name");
        Expr where = null;
        if (accept("WHERE")) where = or();
        List<Order> order = new ArrayList<>();
        if (accept("ORDER")) {
            expect("BY");
            do {
                FieldRef f = fieldRef();
                boolean desc = false;
                if (accept("DESC")) desc = true;
                else accept("ASC");
                order.add(new Order(f, desc));
            } while (accept(","));
        }
        Long offset = null;
        Long limit = null;
        Pos limitPos = null;
        int bodyEnd = textLength;
        if (peek().is("LIMIT")) {
            limitPos = peek().pos();
            bodyEnd = limitPos.offset();
            next();
            long first = whole("LIMIT");
            if (accept(",")) {
                offset = first;
                limit = whole("LIMIT");
            } else {
                limit = first;
            }
        }
        if (peek().is(";")) {
            if (limitPos == null) bodyEnd = peek().pos().offset();
            next();
        }
        Token end = peek();
        if (end.kind() != Kind.END) {
            throw new QueryError("unexpected " + end.shown() + " after the end of the query", end.pos(),
                    end.is(";") ? "only one statement is accepted" : null);
        }
        return new Select(List.copyOf(fields), count, module, where, List.copyOf(order), offset, limit, limitPos, bodyEnd);
    }

    private Expr or() {
        List<Expr> parts = new ArrayList<>();
        parts.add(and());
        while (accept("OR")) parts.add(and());
        return parts.size() == 1 ? parts.get(0) : new Or(List.copyOf(parts));
    }

    private Expr and() {
        List<Expr> parts = new ArrayList<>();
        parts.add(not());
        while (accept("AND")) parts.add(not());
        return parts.size() == 1 ? parts.get(0) : new And(List.copyOf(parts));
    }

    private Expr not() {
        Token t = peek();
        if (t.is("NOT")) {
            next();
            deeper(t);
            Expr inner = not();
            depth--;
            return new Not(inner);
        }
        if (t.is("(")) {
            next();
            deeper(t);
            Expr inner = or();
            depth--;
            expect(")");
            return inner;
        }
        return predicate();
    }

    private void deeper(Token t) {
        if (++depth > MAX_DEPTH) throw new QueryError("conditions are nested deeper than " + MAX_DEPTH + " levels", t.pos());
    }

    private Expr predicate() {
        FieldRef field = fieldRef();
        Token t = next();
        if (t.is("IS")) {
            boolean negated = accept("NOT");
            expect("NULL");
            return new IsNull(field, negated);
        }
        boolean negated = false;
        if (t.is("NOT")) {
            negated = true;
            t = next();
            if (!t.is("LIKE") && !t.is("IN")) throw new QueryError("expected LIKE or IN after NOT, found " + t.shown(), t.pos());
        }
        if (t.is("LIKE")) return new Like(field, negated, literal());
        if (t.is("IN")) {
            Token open = peek();
            expect("(");
            List<Literal> values = new ArrayList<>();
            do {
                if (values.size() == MAX_IN_ITEMS) {
                    throw new QueryError("IN lists at most " + MAX_IN_ITEMS + " values", open.pos());
                }
                values.add(literal());
            } while (accept(","));
            expect(")");
            return new In(field, negated, List.copyOf(values));
        }
        Op op = switch (t.kind() == Kind.SYMBOL ? t.text() : "") {
            case "=" -> Op.EQ;
            case "!=", "<>" -> Op.NE;
            case "<" -> Op.LT;
            case "<=" -> Op.LE;
            case ">" -> Op.GT;
            case ">=" -> Op.GE;
            default -> throw new QueryError("expected a comparison (=, !=, <, <=, >, >=, LIKE, IN, IS NULL) after '"
                    + field.display() + "', found " + t.shown(), t.pos());
        };
        return new Compare(field, op, literal());
    }

    private FieldRef fieldRef() {
        Name field = name("a field name");
        if (accept(".")) return new FieldRef(field, name("a field name after '" + field.text() + ".'"));
        return new FieldRef(field, null);
    }

    private Literal literal() {
        Token t = next();
        return switch (t.kind()) {
            case STRING -> new Literal(t.text(), t.pos());
            case NUMBER -> new Literal(new BigDecimal(t.text()), t.pos());
            case NAME -> {
                if (t.is("TRUE")) yield new Literal(Boolean.TRUE, t.pos());
                if (t.is("FALSE")) yield new Literal(Boolean.FALSE, t.pos());
                if (t.is("NULL")) yield new Literal(null, t.pos());
                throw new QueryError("expected a value (a 'quoted string', a number, TRUE, FALSE or NULL), found " + t.shown(),
                        t.pos(), "quote text values: '" + t.text() + "'");
            }
            default -> throw new QueryError("expected a value (a 'quoted string', a number, TRUE, FALSE or NULL), found "
                    + t.shown(), t.pos());
        };
    }

    private long whole(String clause) {
        Token t = next();
        if (t.kind() != Kind.NUMBER || !t.text().matches("\\d{1,9}")) {
            throw new QueryError(clause + " takes a whole number below 1000000000, found " + t.shown(), t.pos());
        }
        return Long.parseLong(t.text());
    }

    private Name name(String what) {
        Token t = next();
        if (t.kind() != Kind.NAME || KEYWORDS.contains(t.text().toUpperCase(Locale.ROOT))) {
            throw new QueryError("expected " + what + ", found " + t.shown(), t.pos());
        }
        return new Name(t.text(), t.pos());
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.kind() != Kind.END) pos++;
        return t;
    }

    private boolean accept(String s) {
        if (peek().is(s)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(String s) {
        Token t = peek();
        if (!t.is(s)) {
            String hint = t.kind() == Kind.NAME ? Suggestions.didYouMean(t.text(), List.of(s)) : null;
            throw new QueryError("expected " + (s.length() == 1 ? "'" + s + "'" : s) + ", found " + t.shown(), t.pos(), hint);
        }
        pos++;
    }

    // ---- tokens ---------------------------------------------------------------------------------

    static List<Token> tokenize(String s) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int line = 1;
        int lineStart = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            Pos p = new Pos(line, i - lineStart + 1, i);
            if (c == '\n') {
                line++;
                lineStart = i + 1;
                i++;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else if (isControl(c)) {
                throw new QueryError("control character " + codePoint(s, i) + " is not allowed", p);
            } else if (c == '\'') {
                StringBuilder value = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= s.length()) throw new QueryError("a quoted string is not closed", p, "close it with '");
                    char d = s.charAt(j);
                    if (d == '\'') {
                        if (j + 1 < s.length() && s.charAt(j + 1) == '\'') {
                            value.append('\'');
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    if (isControl(d) || d == '\n') {
                        throw new QueryError("control character " + codePoint(s, j) + " inside a quoted string", p);
                    }
                    value.append(d);
                    j++;
                }
                out.add(new Token(Kind.STRING, value.toString(), p));
                i = j + 1;
            } else if (isNameStart(c)) {
                int j = i;
                while (j < s.length() && (isNameStart(s.charAt(j)) || (s.charAt(j) >= '0' && s.charAt(j) <= '9'))) j++;
                if (j - i > 64) throw new QueryError("a name longer than 64 characters", p);
                out.add(new Token(Kind.NAME, s.substring(i, j), p));
                i = j;
            } else if ((c >= '0' && c <= '9') || (c == '-' && i + 1 < s.length() && s.charAt(i + 1) >= '0' && s.charAt(i + 1) <= '9')) {
                int j = i + 1;
                while (j < s.length() && s.charAt(j) >= '0' && s.charAt(j) <= '9') j++;
                if (j + 1 < s.length() && s.charAt(j) == '.' && s.charAt(j + 1) >= '0' && s.charAt(j + 1) <= '9') {
                    j++;
                    while (j < s.length() && s.charAt(j) >= '0' && s.charAt(j) <= '9') j++;
                }
                if (j - i > 40) throw new QueryError("a number longer than 40 characters", p);
                if (j < s.length() && isNameStart(s.charAt(j))) throw new QueryError("a number runs into a name", p);
                out.add(new Token(Kind.NUMBER, s.substring(i, j), p));
                i = j;
            } else if (c == '-' && i + 1 < s.length() && s.charAt(i + 1) == '-'
                    || c == '/' && i + 1 < s.length() && s.charAt(i + 1) == '*' || c == '#') {
                throw new QueryError("comments are not part of the query language", p);
            } else if (c == '"' || c == '`' || c == '[') {
                throw new QueryError("unexpected " + c, p, "write field and module names without quotes, and values in 'single quotes'");
            } else if (c == '<' || c == '>' || c == '!') {
                int j = i + 1;
                if (j < s.length() && (s.charAt(j) == '=' || (c == '<' && s.charAt(j) == '>'))) j++;
                String op = s.substring(i, j);
                if (op.equals("!")) throw new QueryError("unexpected '!'", p, "use != or NOT");
                out.add(new Token(Kind.SYMBOL, op, p));
                i = j;
            } else if ("*,;=().".indexOf(c) >= 0) {
                out.add(new Token(Kind.SYMBOL, String.valueOf(c), p));
                i++;
            } else {
                String hint = c > 127 && Character.isLetter(c) ? "names use only ASCII letters, digits and _" : null;
                throw new QueryError("unexpected character '" + new String(Character.toChars(s.codePointAt(i))) + "' ("
                        + codePoint(s, i) + ")", p, hint);
            }
        }
        out.add(new Token(Kind.END, "", new Pos(line, s.length() - lineStart + 1, s.length())));
        return out;
    }

    private static boolean isNameStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isControl(char c) {
        return (Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r') || Character.getType(c) == Character.FORMAT;
    }

    private static String codePoint(String s, int i) {
        return String.format("U+%04X", s.codePointAt(i));
    }
}
