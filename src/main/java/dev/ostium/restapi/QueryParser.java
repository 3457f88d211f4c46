package dev.ostium.restapi;

import dev.ostium.crm.Module;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses the REST API's query language:
 * {@code SELECT * | f1, f2 FROM Module [WHERE f op value [AND ...]] [ORDER BY f [ASC|DESC]] [LIMIT n] [;]}.
 * Field and module names are checked against the module's list; values become bind parameters.
 */
public final class QueryParser {

    public static final int MAX_LIMIT = 500;
    private static final Set<String> OPERATORS = Set.of("=", "!=", "<>", "<", ">", "<=", ">=", "LIKE");

    private final List<String> tokens;
    private int pos;

    private QueryParser(List<String> tokens) {
        this.tokens = tokens;
    }

    /** @throws QueryException with a message that says what is wrong and where */
    public static Query parse(String text) {
        if (text == null || text.isBlank()) throw new QueryException("the query is empty");
        if (text.length() > 4000) throw new QueryException("the query is longer than 4000 characters");
        return new QueryParser(tokenize(text)).query();
    }

    private Query query() {
        expectKeyword("SELECT");
        List<String> selected = new ArrayList<>();
        if (peekIs("*")) {
            pos++;
        } else {
            do {
                selected.add(identifier("a field name"));
            } while (accept(","));
        }
        expectKeyword("FROM");
        String moduleName = identifier("a module name");
        Module module = Module.named(moduleName).orElseThrow(() -> new QueryException("unknown module '" + moduleName
                + "'; known: " + String.join(", ", java.util.Arrays.stream(Module.values()).map(Enum::name).toList())));
        List<String> fields = new ArrayList<>();
        for (String f : selected) fields.add(field(module, f));
        if (fields.isEmpty()) fields.addAll(module.fields.keySet());

        List<Query.Condition> where = new ArrayList<>();
        if (acceptKeyword("WHERE")) {
            do {
                String f = field(module, identifier("a field name"));
                String op = operator();
                where.add(new Query.Condition(f, op, literal()));
            } while (acceptKeyword("AND"));
        }
        String orderBy = null;
        boolean desc = false;
        if (acceptKeyword("ORDER")) {
            expectKeyword("BY");
            orderBy = field(module, identifier("a field name"));
            if (acceptKeyword("DESC")) desc = true;
            else acceptKeyword("ASC");
        }
        int limit = MAX_LIMIT;
        if (acceptKeyword("LIMIT")) {
            String n = next("a number");
            if (!n.matches("\\d{1,6}")) throw new QueryException("LIMIT takes a whole number, got '" + n + "'");
            limit = Math.min(Integer.parseInt(n), MAX_LIMIT);
        }
        accept(";");
        if (pos < tokens.size()) throw new QueryException("unexpected '" + tokens.get(pos) + "' after the end of the query");
        return new Query(module, List.copyOf(fields), List.copyOf(where), orderBy, desc, limit);
    }

    private static String field(Module module, String name) {
        String key = name.toLowerCase(Locale.ROOT);
        if (!module.fields.containsKey(key)) {
            throw new QueryException("unknown field '" + name + "' in " + module.name() + "; known: " + String.join(", ", module.fields.keySet()));
        }
        return key;
    }

    private String operator() {
        String op = next("an operator").toUpperCase(Locale.ROOT);
        if (!OPERATORS.contains(op)) throw new QueryException("expected an operator (=, !=, <, >, <=, >=, LIKE), got '" + op + "'");
        return op.equals("<>") ? "!=" : op;
    }

    private Object literal() {
        String t = next("a value");
        if (t.startsWith("'")) return t.substring(1, t.length() - 1).replace("''", "'");
        if (t.matches("-?\\d{1,12}(\\.\\d{1,6})?")) return new BigDecimal(t);
        throw new QueryException("expected a quoted string or a number, got '" + t + "'");
    }

    private String identifier(String what) {
        String t = next(what);
        if (!t.matches("[A-Za-z_][A-Za-z0-9_]{0,63}")) throw new QueryException("expected " + what + ", got '" + t + "'");
        return t;
    }

    private String next(String what) {
        if (pos >= tokens.size()) throw new QueryException("the query ends where " + what + " was expected");
        return tokens.get(pos++);
    }

    private boolean peekIs(String t) {
        return pos < tokens.size() && tokens.get(pos).equals(t);
    }

    private boolean accept(String t) {
        if (peekIs(t)) {
            pos++;
            return true;
        }
        return false;
    }

    private boolean acceptKeyword(String kw) {
        if (pos < tokens.size() && tokens.get(pos).equalsIgnoreCase(kw)) {
            pos++;
            return true;
        }
        return false;
    }

    private void expectKeyword(String kw) {
        if (!acceptKeyword(kw)) {
            throw new QueryException("expected " + kw + (pos < tokens.size() ? ", got '" + tokens.get(pos) + "'" : " at the end"));
        }
    }

    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '\'') {
                int j = i + 1;
                StringBuilder sb = new StringBuilder("'");
                while (true) {
                    if (j >= s.length()) throw new QueryException("a quoted string is not closed");
                    if (s.charAt(j) == '\'') {
                        if (j + 1 < s.length() && s.charAt(j + 1) == '\'') {
                            sb.append("''");
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    sb.append(s.charAt(j++));
                }
                out.add(sb.append('\'').toString());
                i = j + 1;
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.') {
                int j = i;
                while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || "_.-".indexOf(s.charAt(j)) >= 0)) j++;
                out.add(s.substring(i, j));
                i = j;
            } else if ("<>!".indexOf(c) >= 0) {
                int j = i + 1;
                if (j < s.length() && (s.charAt(j) == '=' || (c == '<' && s.charAt(j) == '>'))) j++;
                out.add(s.substring(i, j));
                i = j;
            } else if ("*,;=".indexOf(c) >= 0) {
                out.add(String.valueOf(c));
                i++;
            } else {
                throw new QueryException("unexpected character '" + c + "' at position " + (i + 1));
            }
        }
        return out;
    }
}
