package dev.ostium.crm;

import dev.ostium.apps.ClientSecrets;
import dev.ostium.db.Database;
import dev.ostium.directory.Directory;
import dev.ostium.directory.Roles;
import dev.ostium.directory.User;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo company: users in two teams under a role hierarchy, and a few hundred records per module
 * spread over them and their groups. The same generator grows the data for benchmarks. Records are
 * generated from a fixed seed, so every demo has the same data.
 */
public final class DemoData {

    private static final Logger log = LoggerFactory.getLogger(DemoData.class);
    public static final int DEFAULT_RECORDS = 300;
    /** 2026-01-01T00:00:00Z: generated records were created from then on, one a minute. */
    private static final long EPOCH = 1_767_225_600_000L;

    /** username, password, display name, email, admin, role */
    public static final String[][] USERS = {
            {"admin", "admin", "Ada Admin", "admin@demo.example", "true", "CEO"},
            {"alice", "alice", "Alice Rossi", "alice@demo.example", "false", "Sales Rep"},
            {"bob", "bob", "Bob Bianchi", "bob@demo.example", "false", "Support Rep"},
            {"carol", "carol", "Carol Conti", "carol@demo.example", "false", "Sales Manager"},
            {"dave", "dave", "Dave Duca", "dave@demo.example", "false", "Sales Rep"},
            {"erin", "erin", "Erin Esposito", "erin@demo.example", "false", "Support Manager"},
    };

    private static final String[] COMPANY = {"Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
            "Tyrell", "Cyberdyne", "Soylent", "Wonka", "Gringotts", "Oscorp", "Aperture", "Nakatomi", "Monarch", "Dunder"};
    private static final String[] FORM = {"S.p.A.", "S.r.l.", "SARL", "GmbH", "Ltd", "Inc.", "AG", "B.V."};
    private static final String[] CITY = {"Milano", "Roma", "Torino", "Lyon", "Paris", "Berlin", "München", "London",
            "Madrid", "Zürich", "Wien", "Amsterdam"};
    private static final String[] FIRST = {"Anna", "Marco", "Giulia", "Luca", "Sofia", "Paolo", "Marie", "Jean", "Hans",
            "Greta", "Oliver", "Emma", "Lucas", "Chiara", "Pierre", "Laura"};
    private static final String[] LAST = {"Rossi", "Russo", "Ferrari", "Esposito", "Martin", "Bernard", "Müller", "Schmidt",
            "Smith", "Jones", "García", "Novak", "Weber", "Conti", "Moreau", "Gallo"};
    private static final String[] PRODUCT = {"Pump", "Valve", "Sensor", "Controller", "Cable", "Licence", "Support plan",
            "Installation", "Filter", "Motor", "Gateway", "Panel"};
    private static final String[] GRADE = {"Basic", "Standard", "Pro", "Industrial", "Compact", "XL"};

    private final Database db;
    private final Directory directory;
    private final Roles roles;
    private final Random random = new Random(20261123);

    private long[] owners;
    private long[] groupOwners;

    public DemoData(Database db, Directory directory) {
        this.db = db;
        this.directory = directory;
        this.roles = new Roles(db);
    }

    /** The demo company with the demo's number of records per module. */
    public void load() {
        load(DEFAULT_RECORDS);
    }

    public void load(int perModule) {
        long ceo = roles.create("CEO", null);
        long salesManager = roles.create("Sales Manager", ceo);
        long salesRep = roles.create("Sales Rep", salesManager);
        long supportManager = roles.create("Support Manager", ceo);
        long supportRep = roles.create("Support Rep", supportManager);
        long[] roleIds = {ceo, salesRep, supportRep, salesManager, salesRep, supportManager};
        User[] users = new User[USERS.length];
        for (int i = 0; i < USERS.length; i++) {
            String[] u = USERS[i];
            users[i] = directory.create(u[0], u[1], u[2], u[3], "Demo Company", Boolean.parseBoolean(u[4]));
            roles.assign(users[i].id(), roleIds[i]);
        }
        long sales = directory.createGroup("Sales", "Sales team");
        long support = directory.createGroup("Support", "Customer support");
        directory.addToGroup(sales, users[1].id());
        directory.addToGroup(sales, users[4].id());
        directory.addToGroup(support, users[2].id());
        owners = new long[] {users[0].id(), users[1].id(), users[2].id(), users[3].id(), users[4].id(), users[5].id()};
        groupOwners = new long[] {sales, support};
        long admin = users[0].id();
        long alice = users[1].id();
        long bob = users[2].id();

        db.jdbi().useTransaction(h -> {
            // The records the README's examples and the first tests speak of.
            long acme = account(h, "Acme S.p.A.", "Manufacturing", "Milano", alice, null);
            long globex = account(h, "Globex SARL", "Retail", "Lyon", bob, null);
            long initech = account(h, "Initech GmbH", "Software", "Berlin", null, sales);
            account(h, "Demo Holding", "Finance", "Roma", admin, null);
            long maintenance = product(h, "Maintenance contract", "SRV-001", "Service", "12000.00", admin);
            long spares = product(h, "Spare parts kit", "SPR-010", "Spare part", "2450.50", admin);
            long fittings = product(h, "Store fittings", "HW-200", "Hardware", "873.00", admin);
            long licence = product(h, "Initech licence", "SW-300", "Software", "1400.00", admin);
            long audit = product(h, "Audit", "SRV-002", "Service", "19999.99", admin);
            invoice(h, "INV-0001", "Acme yearly maintenance", acme, "2026-01-15", "Paid", alice, null, maintenance, "1");
            invoice(h, "INV-0002", "Acme spare parts", acme, "2026-03-02", "Sent", alice, null, spares, "1");
            invoice(h, "INV-0003", "Globex store fittings", globex, "2026-02-20", "Created", bob, null, fittings, "10");
            invoice(h, "INV-0004", "Initech licences", initech, "2026-04-11", "Approved", null, sales, licence, "4");
            invoice(h, "INV-0005", "Holding audit", null, "2026-05-30", "Paid", admin, null, audit, "1");
        });
        grow(perModule);
        log.info("demo data loaded: admin/admin (administrator), alice, bob, carol, dave, erin (password = username)");
    }

    /**
     * Adds {@code perModule} generated records to every module (in batches, so a benchmark can grow the
     * data to a hundred thousand per module in reasonable time).
     */
    public void grow(int perModule) {
        if (owners == null) {
            owners = db.jdbi().withHandle(h -> h.createQuery("select id from users order by id").mapTo(Long.class).list())
                    .stream().mapToLong(Long::longValue).toArray();
            groupOwners = db.jdbi().withHandle(h -> h.createQuery("select id from user_groups order by id").mapTo(Long.class).list())
                    .stream().mapToLong(Long::longValue).toArray();
        }
        int batch = 2000;
        for (int done = 0; done < perModule; done += batch) {
            int n = Math.min(batch, perModule - done);
            int offset = done;
            db.jdbi().useTransaction(h -> generate(h, n, offset));
        }
    }

    private void generate(Handle h, int n, int offset) {
        long now = EPOCH + offset * 60_000L;
        PreparedBatch accounts = h.prepareBatch("insert into crm_accounts (account_name, account_type, industry, city, website, "
                + "phone, email, employees, annual_revenue, currency, active, owner_user_id, owner_group_id, created_at, "
                + "modified_at, created_by, modified_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (int i = 0; i < n; i++) {
            String company = pick(COMPANY) + " " + pick(LAST) + " " + pick(FORM);
            String slug = company.toLowerCase().replaceAll("[^a-z]", "");
            Long[] o = owner();
            long t = now + i * 60_000L;
            accounts.bind(0, company).bind(1, pick(Modules.ACCOUNTS, "accounttype")).bind(2, pick(Modules.ACCOUNTS, "industry"))
                    .bind(3, pick(CITY)).bind(4, "https://www." + slug + ".example").bind(5, phone())
                    .bind(6, "info@" + slug + ".example").bind(7, (long) random.nextInt(5000)).bind(8, money(10_000, 50_000_000))
                    .bind(9, pick(Modules.CURRENCIES)).bind(10, random.nextInt(10) > 0).bind(11, o[0]).bind(12, o[1])
                    .bind(13, t).bind(14, t).bind(15, creator(o)).bind(16, creator(o)).add();
        }
        accounts.execute();
        List<Long> accountIds = ids(h, "crm_accounts");

        PreparedBatch contacts = h.prepareBatch("insert into crm_contacts (first_name, last_name, account_id, title, email, phone, "
                + "birthday, mailing_city, do_not_call, owner_user_id, owner_group_id, created_at, modified_at, created_by, "
                + "modified_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (int i = 0; i < n; i++) {
            String first = pick(FIRST);
            String last = pick(LAST);
            Long[] o = owner();
            long t = now + i * 60_000L;
            contacts.bind(0, first).bind(1, last).bind(2, pickId(accountIds)).bind(3, pick(new String[] {"CEO", "CFO", "Buyer",
                            "Engineer", "Office manager", "IT lead"}))
                    .bind(4, (first + "." + last).toLowerCase().replaceAll("[^a-z.]", "") + i + "@mail.example").bind(5, phone())
                    .bind(6, LocalDate.of(1960 + random.nextInt(40), 1 + random.nextInt(12), 1 + random.nextInt(28)))
                    .bind(7, pick(CITY)).bind(8, random.nextInt(8) == 0).bind(9, o[0]).bind(10, o[1]).bind(11, t).bind(12, t)
                    .bind(13, creator(o)).bind(14, creator(o)).add();
        }
        contacts.execute();
        List<Long> contactIds = ids(h, "crm_contacts");

        PreparedBatch leads = h.prepareBatch("insert into crm_leads (first_name, last_name, company, email, phone, lead_source, "
                + "lead_status, annual_revenue, currency, owner_user_id, owner_group_id, created_at, modified_at, created_by, "
                + "modified_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (int i = 0; i < n; i++) {
            String first = pick(FIRST);
            String last = pick(LAST);
            Long[] o = owner();
            long t = now + i * 60_000L;
            leads.bind(0, first).bind(1, last).bind(2, pick(COMPANY) + " " + pick(CITY) + " " + pick(FORM))
                    .bind(3, (first.charAt(0) + "." + last).toLowerCase().replaceAll("[^a-z.]", "") + i + "@lead.example")
                    .bind(4, phone()).bind(5, pick(Modules.LEADS, "leadsource")).bind(6, pick(Modules.LEADS, "leadstatus"))
                    .bind(7, money(50_000, 5_000_000)).bind(8, pick(Modules.CURRENCIES)).bind(9, o[0]).bind(10, o[1])
                    .bind(11, t).bind(12, t).bind(13, creator(o)).bind(14, creator(o)).add();
        }
        leads.execute();

        PreparedBatch potentials = h.prepareBatch("insert into crm_potentials (potential_name, account_id, contact_id, amount, "
                + "currency, closing_date, sales_stage, probability, next_step, owner_user_id, owner_group_id, created_at, "
                + "modified_at, created_by, modified_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        for (int i = 0; i < n; i++) {
            Long[] o = owner();
            long t = now + i * 60_000L;
            potentials.bind(0, pick(PRODUCT) + " deal " + (offset + i + 1)).bind(1, pickId(accountIds))
                    .bind(2, random.nextInt(3) == 0 ? null : pickId(contactIds)).bind(3, money(1_000, 500_000))
                    .bind(4, pick(Modules.CURRENCIES)).bind(5, LocalDate.of(2026, 1, 1).plusDays(random.nextInt(540)))
                    .bind(6, pick(Modules.POTENTIALS, "sales_stage")).bind(7, (long) random.nextInt(11) * 10)
                    .bind(8, pick(new String[] {"Call back", "Send offer", "Demo on site", "Wait for budget", null}))
                    .bind(9, o[0]).bind(10, o[1]).bind(11, t).bind(12, t).bind(13, creator(o)).bind(14, creator(o)).add();
        }
        potentials.execute();

        PreparedBatch products = h.prepareBatch("insert into crm_products (product_name, product_code, category, unit_price, "
                + "currency, qty_in_stock, sales_start_date, discontinued, owner_user_id, owner_group_id, created_at, modified_at, "
                + "created_by, modified_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        List<BigDecimal> prices = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Long[] o = owner();
            long t = now + i * 60_000L;
            BigDecimal price = money(5, 20_000);
            prices.add(price);
            products.bind(0, pick(GRADE) + " " + pick(PRODUCT) + " " + (offset + i + 1))
                    .bind(1, "P-" + String.format("%06d", offset + i + 1)).bind(2, pick(Modules.PRODUCTS, "productcategory"))
                    .bind(3, price).bind(4, "EUR").bind(5, (long) random.nextInt(1000))
                    .bind(6, LocalDate.of(2020, 1, 1).plusDays(random.nextInt(2000))).bind(7, random.nextInt(20) == 0)
                    .bind(8, o[0]).bind(9, o[1]).bind(10, t).bind(11, t).bind(12, creator(o)).bind(13, creator(o)).add();
        }
        products.execute();
        List<Long> productIds = ids(h, "crm_products");
        List<Long> newProducts = productIds.subList(productIds.size() - n, productIds.size());

        long firstInvoice = h.createQuery("select coalesce(max(id), 0) from crm_invoices").mapTo(Long.class).one();
        PreparedBatch invoices = h.prepareBatch("insert into crm_invoices (invoice_no, subject, account_id, contact_id, "
                + "invoicedate, duedate, status, currency, total, owner_user_id, owner_group_id, created_at, modified_at, "
                + "created_by, modified_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        List<long[]> lineProducts = new ArrayList<>();
        List<BigDecimal[]> lineQty = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Long[] o = owner();
            long t = now + i * 60_000L;
            int lines = 1 + random.nextInt(3);
            long[] prod = new long[lines];
            BigDecimal[] qty = new BigDecimal[lines];
            BigDecimal total = BigDecimal.ZERO.setScale(2);
            for (int l = 0; l < lines; l++) {
                int p = random.nextInt(newProducts.size());
                prod[l] = newProducts.get(p);
                qty[l] = BigDecimal.valueOf(1 + random.nextInt(20));
                total = total.add(Records.lineTotal(qty[l], prices.get(p), null));
            }
            lineProducts.add(prod);
            lineQty.add(qty);
            LocalDate date = LocalDate.of(2026, 1, 1).plusDays(random.nextInt(300));
            invoices.bind(0, String.format("INV-%06d", 100 + offset + i)).bind(1, pick(PRODUCT) + " for " + pick(COMPANY))
                    .bind(2, pickId(accountIds)).bind(3, random.nextInt(2) == 0 ? null : pickId(contactIds)).bind(4, date)
                    .bind(5, date.plusDays(30)).bind(6, pick(Modules.INVOICE, "invoicestatus")).bind(7, "EUR").bind(8, total)
                    .bind(9, o[0]).bind(10, o[1]).bind(11, t).bind(12, t).bind(13, creator(o)).bind(14, creator(o)).add();
        }
        invoices.execute();
        List<Long> invoiceIds = h.createQuery("select id from crm_invoices where id > ? order by id").bind(0, firstInvoice)
                .mapTo(Long.class).list();
        PreparedBatch lines = h.prepareBatch("insert into crm_invoice_lines (invoice_id, seq, product_id, quantity, list_price, "
                + "line_total) values (?, ?, ?, ?, ?, ?)");
        for (int i = 0; i < invoiceIds.size(); i++) {
            long[] prod = lineProducts.get(i);
            for (int l = 0; l < prod.length; l++) {
                BigDecimal price = prices.get(newProducts.indexOf(prod[l]));
                lines.bind(0, invoiceIds.get(i)).bind(1, l).bind(2, prod[l]).bind(3, lineQty.get(i)[l]).bind(4, price)
                        .bind(5, Records.lineTotal(lineQty.get(i)[l], price, null)).add();
            }
        }
        lines.execute();
    }

    private static List<Long> ids(Handle h, String table) {
        return h.createQuery("select id from " + table + " order by id").mapTo(Long.class).list();
    }

    /** {owner user, owner group}: mostly a user, sometimes a group. */
    private Long[] owner() {
        if (random.nextInt(7) == 0) return new Long[] {null, groupOwners[random.nextInt(groupOwners.length)]};
        return new Long[] {owners[random.nextInt(owners.length)], null};
    }

    private long creator(Long[] owner) {
        return owner[0] != null ? owner[0] : owners[0];
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private String pick(ModuleDescription m, String field) {
        List<String> values = m.field(field).orElseThrow().picklist();
        return values.get(random.nextInt(values.size()));
    }

    private Long pickId(List<Long> ids) {
        return ids.get(random.nextInt(ids.size()));
    }

    private String phone() {
        return "+39 02 " + (1000000 + random.nextInt(8999999));
    }

    private BigDecimal money(int min, int max) {
        return BigDecimal.valueOf(min + (long) random.nextInt(max - min) * 100 + random.nextInt(100), 2)
                .max(BigDecimal.valueOf(min)).setScale(2);
    }

    private static long account(Handle h, String name, String industry, String city, Long owner, Long group) {
        return h.createUpdate("insert into crm_accounts (account_name, account_type, industry, city, currency, active, "
                        + "owner_user_id, owner_group_id, created_at, modified_at, created_by, modified_by) "
                        + "values (?, 'Customer', ?, ?, 'EUR', true, ?, ?, ?, ?, ?, ?)")
                .bind(0, name).bind(1, industry).bind(2, city).bind(3, owner).bind(4, group).bind(5, EPOCH).bind(6, EPOCH)
                .bind(7, owner).bind(8, owner)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    private static long product(Handle h, String name, String code, String category, String price, long owner) {
        return h.createUpdate("insert into crm_products (product_name, product_code, category, unit_price, currency, "
                        + "qty_in_stock, discontinued, owner_user_id, created_at, modified_at, created_by, modified_by) "
                        + "values (?, ?, ?, ?, 'EUR', 100, false, ?, ?, ?, ?, ?)")
                .bind(0, name).bind(1, code).bind(2, category).bind(3, new BigDecimal(price)).bind(4, owner).bind(5, EPOCH)
                .bind(6, EPOCH).bind(7, owner).bind(8, owner)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    }

    private static void invoice(Handle h, String no, String subject, Long account, String date, String status, Long owner,
                                Long group, long product, String quantity) {
        BigDecimal price = h.createQuery("select unit_price from crm_products where id = ?").bind(0, product)
                .mapTo(BigDecimal.class).one();
        BigDecimal qty = new BigDecimal(quantity);
        BigDecimal total = Records.lineTotal(qty, price, null);
        long id = h.createUpdate("insert into crm_invoices (invoice_no, subject, account_id, invoicedate, duedate, status, "
                        + "currency, total, owner_user_id, owner_group_id, created_at, modified_at, created_by, modified_by) "
                        + "values (?, ?, ?, ?, ?, ?, 'EUR', ?, ?, ?, ?, ?, ?, ?)")
                .bind(0, no).bind(1, subject).bind(2, account).bind(3, LocalDate.parse(date))
                .bind(4, LocalDate.parse(date).plusDays(30)).bind(5, status).bind(6, total).bind(7, owner).bind(8, group)
                .bind(9, EPOCH).bind(10, EPOCH).bind(11, owner).bind(12, owner)
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
        h.createUpdate("insert into crm_invoice_lines (invoice_id, seq, product_id, quantity, list_price, line_total) "
                        + "values (?, 0, ?, ?, ?, ?)")
                .bind(0, id).bind(1, product).bind(2, qty).bind(3, price).bind(4, total).execute();
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
