package dev.ostium.crm;

import dev.ostium.apps.ClientSecrets;
import dev.ostium.db.Database;
import dev.ostium.directory.Directory;
import dev.ostium.directory.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The demo company: a few users and groups, accounts and invoices owned by them. */
public final class DemoData {

    private static final Logger log = LoggerFactory.getLogger(DemoData.class);

    /** username, password, display name, email, admin */
    public static final String[][] USERS = {
            {"admin", "admin", "Ada Admin", "admin@demo.example", "true"},
            {"alice", "alice", "Alice Rossi", "alice@demo.example", "false"},
            {"bob", "bob", "Bob Bianchi", "bob@demo.example", "false"},
    };

    private final Database db;
    private final Directory directory;

    public DemoData(Database db, Directory directory) {
        this.db = db;
        this.directory = directory;
    }

    public void load() {
        User admin = user(0);
        User alice = user(1);
        User bob = user(2);
        long sales = directory.createGroup("Sales", "Sales team");
        long support = directory.createGroup("Support", "Customer support");
        directory.addToGroup(sales, alice.id());
        directory.addToGroup(support, bob.id());
        db.jdbi().useTransaction(h -> {
            long acme = account(h, "Acme S.p.A.", "Manufacturing", "Milano", alice.id(), null);
            long globex = account(h, "Globex SARL", "Retail", "Lyon", bob.id(), null);
            long initech = account(h, "Initech GmbH", "Software", "Berlin", null, sales);
            account(h, "Demo Holding", "Finance", "Roma", admin.id(), null);
            invoice(h, "INV-0001", "Acme yearly maintenance", acme, "2026-01-15", "Paid", "12000.00", alice.id(), null);
            invoice(h, "INV-0002", "Acme spare parts", acme, "2026-03-02", "Sent", "2450.50", alice.id(), null);
            invoice(h, "INV-0003", "Globex store fittings", globex, "2026-02-20", "Created", "8730.00", bob.id(), null);
            invoice(h, "INV-0004", "Initech licences", initech, "2026-04-11", "Approved", "5600.00", null, sales);
            invoice(h, "INV-0005", "Holding audit", null, "2026-05-30", "Paid", "19999.99", admin.id(), null);
        });
        log.info("demo data loaded: users admin/admin (administrator), alice/alice (Sales), bob/bob (Support)");
    }

    private User user(int i) {
        String[] u = USERS[i];
        return directory.create(u[0], u[1], u[2], u[3], "Demo Company", Boolean.parseBoolean(u[4]));
    }

    private static long account(org.jdbi.v3.core.Handle h, String name, String industry, String city, Long owner, Long group) {
        return h.createUpdate("insert into crm_accounts (account_name, industry, city, owner_user_id, owner_group_id) "
                        + "values (:n, :i, :c, :o, :g)")
                .bind("n", name).bind("i", industry).bind("c", city).bind("o", owner).bind("g", group)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    private static void invoice(org.jdbi.v3.core.Handle h, String no, String subject, Long account, String date,
                                String status, String total, Long owner, Long group) {
        h.createUpdate("insert into crm_invoices (invoice_no, subject, account_id, invoice_date, status, total, "
                        + "owner_user_id, owner_group_id) values (:no, :s, :a, :d, :st, :t, :o, :g)")
                .bind("no", no).bind("s", subject).bind("a", account).bind("d", date).bind("st", status)
                .bind("t", new java.math.BigDecimal(total)).bind("o", owner).bind("g", group).execute();
    }

    /** Outside demo mode the first start creates one administrator, with the configured or a generated password. */
    public static void firstAdmin(Directory directory, String configuredPassword) {
        String password = configuredPassword != null ? configuredPassword : ClientSecrets.newSecret().substring(0, 20);
        directory.create("admin", password, "Administrator", null, null, true);
        if (configuredPassword == null) {
            // Printed once, on the console only, so the operator can log in; change it afterwards.
            System.out.println("Created administrator 'admin' with password: " + password + "  (shown once)");
        } else {
            log.info("created administrator 'admin' with the configured admin-password");
        }
    }
}
