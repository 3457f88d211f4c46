package dev.ostium.crm.query;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.crm.Access;
import dev.ostium.crm.Field;
import dev.ostium.crm.ModuleDescription;
import dev.ostium.crm.Modules;
import dev.ostium.crm.Viewer;
import dev.ostium.crm.Visibility;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Generated input for the parser and translator: whatever a client sends, the answer is a positioned
 * error or a statement made only of our own words, with every client value a bind parameter and the
 * viewer's visibility condition always in force.
 */
class QueryPropertiesTest {

    private static final Viewer ALICE = new Viewer(42, false, 7L, "ost_test");
    private static final Visibility PRIVATE = new Visibility(m -> Access.PRIVATE);
    private static final Pattern SQL_TOKEN = Pattern.compile("\\s*([a-z_][a-z0-9_]*|\\?|\\d+|<>|<=|>=|[(),.=<>*]|'!')");
    /** Every word a statement may contain: our keywords, and the tables, columns and aliases of the descriptions. */
    private static final Set<String> OUR_WORDS = new HashSet<>(List.of("select", "count", "from", "left", "join", "on", "and",
            "or", "not", "in", "is", "null", "like", "escape", "where", "order", "by", "asc", "desc", "nulls", "first", "last",
            "limit", "offset", "t0", "id", "owner_user_id", "owner_group_id", "gm", "group_id", "group_members", "user_id",
            "ur", "user_roles", "rt", "role_tree", "descendant_id", "role_id", "me", "ancestor_id"));

    static {
        for (ModuleDescription m : Modules.ALL) {
            OUR_WORDS.add(m.table());
            for (Field f : m.fields()) OUR_WORDS.add(f.column());
        }
        for (int i = 1; i < 20; i++) OUR_WORDS.add("j" + i);
    }

    private static final List<String> FRAGMENTS = List.of("SELECT", "select", "*", "count(*)", "FROM", "WHERE", "AND", "OR", "NOT",
            "(", ")", ",", ";", ".", "=", "!=", "<>", "<", "<=", ">", ">=", "LIKE", "IN", "IS", "NULL", "ORDER BY", "ASC", "DESC",
            "LIMIT", "TRUE", "FALSE", "Invoice", "Accounts", "Contacts", "Leads", "Potentials", "Products", "users", "crm_invoices",
            "id", "total", "subject", "invoicestatus", "invoicedate", "account_id", "account_id.accountname", "contact_id.email",
            "accountname", "employees", "active", "createdtime", "assigned_user_id", "password_hash", "totl", "'Paid'", "'x'",
            "'2026-01-01'", "'2026-13-45'", "'2026-01-01T10:00:00Z'", "'%a\\_b%'", "'x\\'", "''", "'it''s'", "' OR 1=1 --'",
            "'; DROP TABLE users; --'", "--", "/*", "*/", "\"subject\"", "`id`", "0", "1", "-5", "3.14", "1e3",
            "99999999999999999999", "12.345", "\u0000", "\u200b", "Inv\u0456ce", "\uff33ELECT", "\n", "\t", "#", "$1", ":p", "?");

    @Provide
    Arbitrary<String> anything() {
        Arbitrary<String> fragments = Arbitraries.of(FRAGMENTS).list().ofMinSize(1).ofMaxSize(25)
                .map(l -> String.join(" ", l));
        Arbitrary<String> glued = Arbitraries.of(FRAGMENTS).list().ofMinSize(1).ofMaxSize(25).map(l -> String.join("", l));
        Arbitrary<String> noise = Arbitraries.strings().all().ofMaxLength(200);
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, wellFormedPrefix()),
                net.jqwik.api.Tuple.of(3, fragments),
                net.jqwik.api.Tuple.of(2, glued),
                net.jqwik.api.Tuple.of(1, noise));
    }

    /** Queries that start right, so the generator reaches the translator and its type checks often. */
    private Arbitrary<String> wellFormedPrefix() {
        Arbitrary<String> module = Arbitraries.of("Invoice", "Accounts", "Contacts", "Potentials", "Products", "Leads");
        Arbitrary<String> tail = Arbitraries.of(FRAGMENTS).list().ofMaxSize(15).map(l -> String.join(" ", l));
        Arbitrary<String> condition = Combinators.combine(
                Arbitraries.of("id", "total", "subject", "invoicestatus", "invoicedate", "account_id.accountname", "accountname",
                        "active", "employees", "lastname", "createdtime", "amount", "nope"),
                Arbitraries.of("=", "!=", "<", ">=", "LIKE", "NOT LIKE", "IN", "IS", "IS NOT"),
                Arbitraries.of("'Paid'", "5", "-1.5", "'2026-02-01'", "NULL", "TRUE", "('a', 'b')", "(1, 2, 3)", "'x%'",
                        "' OR ''1''=''1'", "'\\%'", "99999999999999999"))
                .as((f, op, v) -> f + " " + op + " " + v);
        Arbitrary<String> where = condition.list().ofMinSize(1).ofMaxSize(4).map(l -> String.join(" AND ", l));
        return Combinators.combine(module, where, tail).as((m, w, t) -> "SELECT * FROM " + m + " WHERE " + w + " " + t);
    }

    @Property(tries = 3000)
    void anyInputIsAnErrorOrAStatementOfOurOwnWords(@ForAll("anything") String text) {
        QueryTranslator.Translated t;
        try {
            t = QueryTranslator.translate(text, QueryParser.parse(text), PRIVATE, ALICE, 100);
        } catch (QueryError e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        String sql = t.sql().text();
        // only our words, placeholders and punctuation: nothing the client wrote is part of the text
        Matcher m = SQL_TOKEN.matcher(sql);
        int at = 0;
        while (at < sql.length()) {
            assertThat(m.find(at) && m.start() == at).as("unexpected text at %d of %s", at, sql).isTrue();
            String token = m.group(1);
            if (Character.isLetter(token.charAt(0)) || token.charAt(0) == '_') {
                assertThat(OUR_WORDS).as("word '%s' in %s", token, sql).contains(token);
            } else if (Character.isDigit(token.charAt(0))) {
                assertThat(token).as(sql).isEqualTo("1");
            }
            at = m.end();
        }
        assertThat(sql.chars().filter(c -> c == '?').count()).isEqualTo(t.sql().params().size());
        // the viewer's condition is the first thing the WHERE says, joined to the client's conditions by AND
        String visibility = PRIVATE.readable(t.module(), "t0", ALICE).text();
        int where = topLevel(sql, " where ");
        assertThat(sql.substring(where + 7)).startsWith(visibility);
        String rest = sql.substring(where + 7 + visibility.length());
        assertThat(rest).matches("( and \\(.*\\))?( order by .*)?");
        assertThat(t.sql().params()).startsWith(viewerParams(sql.substring(0, where)));
        // a condition on a referenced module carries that module's visibility too
        for (String join : sql.substring(0, where).split(" left join ", -1)) {
            if (join.startsWith("select")) continue;
            assertThat(join).contains(".owner_user_id = ?");
        }
    }

    /** Where the text first occurs outside parentheses (the statement's own WHERE, not a subquery's). */
    private static int topLevel(String sql, String text) {
        int depth = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (depth == 0 && sql.startsWith(text, i)) return i;
        }
        throw new AssertionError("no top-level '" + text + "' in " + sql);
    }

    /** The bind values before the WHERE belong to the joins' visibility conditions: all the viewer's id. */
    private static Object[] viewerParams(String beforeWhere) {
        long n = beforeWhere.chars().filter(c -> c == '?').count() + 3;
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(ALICE.userId());
        return out.toArray();
    }

    @Property(tries = 300)
    void anAdministratorStatementHasNoOwnerConditionAndStillOnlyBindsValues(@ForAll("anything") String text) {
        Viewer admin = new Viewer(1, true, null, null);
        try {
            QueryTranslator.Translated t = QueryTranslator.translate(text, QueryParser.parse(text), PRIVATE, admin, 100);
            assertThat(t.sql().text()).doesNotContain("owner_user_id = ?");
        } catch (QueryError e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
