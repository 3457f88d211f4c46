package dev.ostium.crm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.config.Config;
import dev.ostium.config.ConfigLoader;
import dev.ostium.crm.query.QueryError;
import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import dev.ostium.directory.Directory;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated conditions run against the demo data: whatever a user asks for, every record returned is
 * one the rules let that user see (checked against the ownership rules written out in plain SQL here).
 */
class VisibilityPropertyTest {

    private static Path dir;
    private static Database db;
    private static Records records;
    private static Map<String, Long> users;
    private static Map<String, Set<Long>> visibleInvoices = new java.util.HashMap<>();

    @BeforeContainer
    static void demoCompany() {
        dir = TestDatabase.tempDir();
        Config config = ConfigLoader.load(null, Map.of(), Map.of("data-dir", dir.toString(),
                "db-url", "jdbc:h2:mem:visibility" + System.nanoTime() + ";DB_CLOSE_DELAY=-1"));
        db = Database.open(config);
        ChangeFeed changes = new ChangeFeed(db, Clock.systemUTC());
        Directory directory = new Directory(db, changes, Clock.systemUTC());
        new DemoData(db, directory).load();
        Visibility visibility = new Visibility(new Sharing(db, changes)::of);
        records = new Records(db, visibility, new ChangeLog(db, Clock.systemUTC()), Clock.systemUTC(), 10_000);
        users = new java.util.HashMap<>();
        for (String u : List.of("alice", "bob", "carol", "dave", "erin")) {
            users.put(u, directory.byUsername(u).orElseThrow().id());
            visibleInvoices.put(u, visible("crm_invoices", u));
        }
    }

    @AfterContainer
    static void cleanUp() {
        db.close();
        TestServer.deleteTree(dir);
    }

    private static Set<Long> visible(String table, String username) {
        return new HashSet<>(db.jdbi().withHandle(h -> h.createQuery("select t.id from " + table + " t, users u where u.username = :u and ("
                        + " t.owner_user_id = u.id or t.owner_group_id in (select group_id from group_members where user_id = u.id)"
                        + " or t.owner_user_id in (select ur.user_id from user_roles ur, role_tree rt, user_roles mine"
                        + "    where ur.role_id = rt.descendant_id and rt.ancestor_id = mine.role_id and mine.user_id = u.id))")
                .bind("u", username).mapTo(Long.class).list()));
    }

    @Provide
    Arbitrary<String> conditions() {
        Arbitrary<String> one = Combinators.combine(
                Arbitraries.of("id", "total", "subject", "invoicestatus", "invoicedate", "account_id", "account_id.accountname",
                        "account_id.bill_city", "assigned_user_id", "assigned_group_id", "contact_id.lastname", "created_user_id"),
                Arbitraries.of("=", "!=", "<", ">", ">=", "LIKE", "NOT LIKE", "IN", "NOT IN", "IS NULL", "IS NOT NULL"),
                Arbitraries.of("1", "2", "3", "100", "5000", "'Paid'", "'Sent'", "'%a%'", "'Acme%'", "'2026-03-01'", "(1, 2, 3)",
                        "('Paid', 'Created')", "'Milano'", "' OR 1=1 --'", "TRUE"))
                .as((f, op, v) -> op.startsWith("IS") ? f + " " + op : f + " " + op + " " + v);
        return one.list().ofMinSize(1).ofMaxSize(4).flatMap(parts -> Arbitraries.of(" AND ", " OR ").list()
                .ofSize(parts.size()).map(joins -> {
                    StringBuilder s = new StringBuilder(parts.get(0));
                    for (int i = 1; i < parts.size(); i++) s.insert(0, "(").append(joins.get(i)).append(parts.get(i)).append(")");
                    return joins.get(0).equals(" OR ") ? "NOT (" + s + ")" : s.toString();
                }));
    }

    @Property(tries = 250)
    void noConditionReachesRecordsTheUserMayNotSee(@ForAll("conditions") String where,
                                                   @ForAll("user") String user) {
        Viewer viewer = new Viewer(users.get(user), false, null, null);
        try {
            QueryResult r = records.query("SELECT id FROM Invoice WHERE " + where, viewer);
            for (Map<String, Object> row : r.rows()) assertThat(visibleInvoices.get(user)).contains((Long) row.get("id"));
            // the same conditions, negated: what was left out is not invisible records let back in
            QueryResult n = records.query("SELECT id FROM Invoice WHERE NOT (" + where + ")", viewer);
            for (Map<String, Object> row : n.rows()) assertThat(visibleInvoices.get(user)).contains((Long) row.get("id"));
        } catch (QueryError e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @Provide
    Arbitrary<String> user() {
        return Arbitraries.of("alice", "bob", "carol", "dave", "erin");
    }
}
