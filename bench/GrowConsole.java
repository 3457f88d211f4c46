// Bench-only: fills a stopped server's embedded database with what the admin console has to cope with:
// 5,000 apps (service accounts, web, single-page and native apps), 1,000,000 access-token records over them
// (live, expired and revoked, issued over the last six days so the 7-day token retention keeps them) and
// 1,000,000 audit events over 90 days. Apps get tokens and events on a Zipf curve (the busiest app holds
// about a tenth of each), as real traffic does. Batched plain SQL into the real tables. Run by bench/console.sh:
//   java -cp "target/ostium.jar:target/lib/*" bench/GrowConsole.java DATA_DIR [APPS] [TOKENS] [EVENTS]
// Writes DATA_DIR/console-bench.env: the busiest app, a typical app, the busiest user, the table page the
// busiest app is on, for the timed requests.
import dev.ostium.config.ConfigLoader;
import dev.ostium.db.Database;
import dev.ostium.tokens.TokenIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

public class GrowConsole {
    static final long DAY = 86_400_000L;
    static final int BATCH = 5_000;

    public static void main(String[] args) throws Exception {
        int apps = args.length > 1 ? Integer.parseInt(args[1]) : 5_000;
        int tokens = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
        int events = args.length > 3 ? Integer.parseInt(args[3]) : 1_000_000;
        var config = ConfigLoader.load(null, Map.of(), Map.of("data-dir", args[0]));
        Path env = Path.of(args[0], "console-bench.env");
        try (Database db = Database.open(config); Connection c = db.rawConnection()) {
            if (count(c, "select count(*) from access_tokens") >= tokens && Files.exists(env)) {
                System.out.println("already loaded: " + Files.readString(env).replace('\n', ' '));
                return;
            }
            c.setAutoCommit(false);
            long now = System.currentTimeMillis();
            Random rnd = new Random(42);
            long t0 = System.nanoTime();

            List<long[]> users = new ArrayList<>(); // id, index into names
            List<String> userNames = new ArrayList<>();
            try (ResultSet rs = c.createStatement().executeQuery("select id, username from users order by id")) {
                while (rs.next()) {
                    users.add(new long[] {rs.getLong(1), userNames.size()});
                    userNames.add(rs.getString(2));
                }
            }
            long template = count(c, "select id from client_templates where name = 'default'");

            // ---- apps: 40 % service accounts (a tenth of them signing JWTs), 35 % web, 15 % SPA, 10 % native
            long[] appIds = new long[apps];
            String[] clientIds = new String[apps];
            String[] types = new String[apps];
            long[] boundUser = new long[apps];
            String[] words = {"Billing", "Payroll", "Warehouse", "Invoices", "Support", "Marketing", "Reports", "Sync",
                    "Portal", "Mobile", "Partner", "Shipping", "Analytics", "Contracts", "Helpdesk", "Catalogue"};
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into apps (client_id, name, description, client_type, secret_type, secret_hash, bound_user_id,
                      scopes, redirect_uris, token_format, enabled, expires_at, created_at, updated_at, template_id,
                      offline_access, open_to_all)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", new String[] {"id"})) {
                HexFormat hex = HexFormat.of();
                for (int i = 0; i < apps; i++) {
                    byte[] b = new byte[10];
                    rnd.nextBytes(b);
                    clientIds[i] = "ost_" + hex.formatHex(b);
                    int r = rnd.nextInt(100);
                    String type = r < 40 ? "SERVICE" : r < 75 ? "WEB" : r < 90 ? "SPA" : "NATIVE";
                    types[i] = type;
                    boolean service = type.equals("SERVICE");
                    String name = words[rnd.nextInt(words.length)] + " " + words[rnd.nextInt(words.length)].toLowerCase()
                            + " " + (service ? "integration" : type.equals("WEB") ? "site" : "app") + " " + (i + 1);
                    long created = now - 730 * DAY + (long) i * (730 * DAY / apps);
                    ps.setString(1, clientIds[i]);
                    ps.setString(2, name);
                    ps.setString(3, rnd.nextInt(3) == 0 ? null : "Generated for the console benchmark: " + name);
                    ps.setString(4, type);
                    String secretType = service ? (rnd.nextInt(10) == 0 ? "SIGNED_JWT" : "SECRET_KEY")
                            : type.equals("WEB") ? "SECRET_KEY" : "NONE";
                    ps.setString(5, secretType);
                    if (secretType.equals("SECRET_KEY")) {
                        byte[] h = new byte[32];
                        rnd.nextBytes(h);
                        ps.setString(6, hex.formatHex(h));
                    } else {
                        ps.setNull(6, Types.VARCHAR);
                    }
                    boundUser[i] = users.get(rnd.nextInt(users.size()))[0];
                    if (service) ps.setLong(7, boundUser[i]);
                    else ps.setNull(7, Types.BIGINT);
                    ps.setString(8, service ? "rest.all" : "openid profile email rest.all offline_access");
                    ps.setString(9, service ? null : "https://app" + (i + 1) + ".example.com/callback");
                    ps.setString(10, service ? (rnd.nextInt(5) == 0 ? "JWT" : "OPAQUE") : null);
                    ps.setBoolean(11, rnd.nextInt(10) != 0);
                    int e = rnd.nextInt(100);
                    if (e < 5) ps.setLong(12, now - rnd.nextInt(300) * DAY - DAY);       // expired
                    else if (e < 15) ps.setLong(12, now + rnd.nextInt(700) * DAY + DAY); // expires later
                    else ps.setNull(12, Types.BIGINT);
                    ps.setLong(13, created);
                    ps.setLong(14, created + rnd.nextInt(30) * DAY);
                    if (service) ps.setNull(15, Types.BIGINT);
                    else ps.setLong(15, template);
                    ps.setBoolean(16, !service);
                    ps.setBoolean(17, service || rnd.nextInt(5) != 0);
                    ps.addBatch();
                    if ((i + 1) % 1000 == 0 || i == apps - 1) {
                        ps.executeBatch();
                    }
                }
            }
            try (ResultSet rs = c.createStatement().executeQuery("select id, client_id from apps order by id")) {
                Map<String, Integer> index = new java.util.HashMap<>();
                for (int i = 0; i < apps; i++) index.put(clientIds[i], i);
                while (rs.next()) {
                    Integer i = index.get(rs.getString(2));
                    if (i != null) appIds[i] = rs.getLong(1);
                }
            }
            c.commit();
            System.out.printf("%d apps in %.1f s%n", apps, (System.nanoTime() - t0) / 1e9);

            // The busiest apps are spread over the table: rank r (by traffic) is a random app.
            int[] byRank = shuffled(apps, rnd);
            Zipf appZipf = new Zipf(apps, 1.0, rnd);

            // ---- access-token records: issued over the last six days, in id order (as the server writes them)
            long t1 = System.nanoTime();
            long span = 6 * DAY;
            long[] perApp = new long[apps];
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into access_tokens (token_id, verifier_hash, app_id, user_id, scope, format, grant_type,
                      issued_at, expires_at, revoked_at, family_id, app_generation)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)""")) {
                HexFormat hex = HexFormat.of();
                for (int n = 0; n < tokens; n++) {
                    int app = byRank[appZipf.next()];
                    perApp[app]++;
                    boolean service = types[app].equals("SERVICE");
                    long issued = now - span + (long) n * span / tokens;
                    // 10-minute tokens mostly, hour-long ones for a fifth: under 1 % of six days' records are live
                    long ttl = rnd.nextInt(5) == 0 ? 3_600_000L : 600_000L;
                    boolean jwt = rnd.nextInt(5) == 0;
                    ps.setString(1, TokenIds.newId(issued));
                    if (jwt) {
                        ps.setNull(2, Types.VARCHAR);
                    } else {
                        byte[] h = new byte[32];
                        rnd.nextBytes(h);
                        ps.setString(2, hex.formatHex(h));
                    }
                    ps.setLong(3, appIds[app]);
                    ps.setLong(4, service ? boundUser[app] : users.get(rnd.nextInt(users.size()))[0]);
                    ps.setString(5, service ? "rest.all" : "openid profile rest.all");
                    ps.setString(6, jwt ? "jwt" : "opaque");
                    ps.setString(7, service ? "client_credentials" : rnd.nextInt(4) == 0 ? "authorization_code" : "refresh_token");
                    ps.setLong(8, issued);
                    ps.setLong(9, issued + ttl);
                    if (rnd.nextInt(10) == 0) ps.setLong(10, issued + rnd.nextLong(ttl));  // a tenth revoked
                    else ps.setNull(10, Types.BIGINT);
                    if (service) ps.setNull(11, Types.VARCHAR);
                    else ps.setString(11, TokenIds.newId(issued).substring(0, 22));
                    ps.addBatch();
                    if ((n + 1) % BATCH == 0 || n == tokens - 1) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
            }
            long live = count(c, "select count(*) from access_tokens where expires_at > " + now + " and revoked_at is null");
            System.out.printf("%d token records (%d live) in %.1f s%n", tokens, live, (System.nanoTime() - t1) / 1e9);

            // ---- audit events over 90 days, oldest first (as they are written)
            long t2 = System.nanoTime();
            String[][] kinds = { // kind, weight
                    {"client_auth.failed", "20"}, {"login.failed", "15"}, {"token.revoked", "14"}, {"consent.granted", "14"},
                    {"app.updated", "8"}, {"app.secret_rotated", "5"}, {"consent.revoked", "4"}, {"app.tokens_revoked", "3"},
                    {"app.created", "3"}, {"family.revoked", "2"}, {"login.refused", "2"}, {"app.disabled", "2"},
                    {"app.enabled", "2"}, {"app.keys_generated", "1"}, {"app.deleted", "1"}, {"user.disabled", "1"},
                    {"template.updated", "1"}, {"settings.changed", "1"}, {"keys.rotated", "1"}};
            List<String> kindWheel = new ArrayList<>();
            for (String[] k : kinds) for (int w = 0; w < Integer.parseInt(k[1]); w++) kindWheel.add(k[0]);
            String[] admins = {"admin", "operations", "secadmin", "platform"};
            int people = 2_000;
            Zipf userZipf = new Zipf(people, 1.0, rnd);
            String[] addresses = new String[500];
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = i % 10 == 0 ? "2001:db8::" + Integer.toHexString(i) : "10." + (i / 200) + "." + (i / 10 % 20) + "." + (i % 250 + 1);
            }
            long[] userEvents = new long[people];
            long[] appEvents = new long[apps];
            long audited = 90 * DAY;
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into audit_events (occurred_at, kind, actor, client_id, subject_user, address, detail)
                    values (?, ?, ?, ?, ?, ?, ?)""")) {
                for (int n = 0; n < events; n++) {
                    String kind = kindWheel.get(rnd.nextInt(kindWheel.size()));
                    int app = byRank[appZipf.next()];
                    int person = userZipf.next();
                    String user = person(person, userNames);
                    String admin = admins[rnd.nextInt(admins.length)];
                    String actor, client = null, subject = null, detail = null;
                    switch (kind) {
                        case "client_auth.failed" -> { actor = clientIds[app]; client = clientIds[app];
                            detail = "{\"reason\":\"" + (rnd.nextBoolean() ? "bad secret" : "expired assertion") + "\"}"; }
                        case "login.failed", "login.refused" -> { actor = user; subject = null; }
                        case "token.revoked" -> { actor = rnd.nextBoolean() ? clientIds[app] : user; client = clientIds[app]; subject = user; }
                        case "consent.granted", "consent.revoked" -> { actor = user; client = clientIds[app]; subject = user;
                            detail = "{\"scope\":\"openid profile rest.all\"}"; }
                        case "family.revoked" -> { actor = clientIds[app]; client = clientIds[app]; subject = user;
                            detail = "{\"why\":\"reuse\"}"; }
                        case "user.disabled" -> { actor = admin; subject = user; }
                        case "settings.changed" -> { actor = admin;
                            detail = "{\"oauthEnabled\":true,\"usersRotateSecrets\":" + rnd.nextBoolean() + ",\"adminConnections\":false}"; }
                        case "template.updated" -> { actor = admin; detail = "{\"template\":\"default\"}"; }
                        case "keys.rotated" -> actor = admin;
                        case "app.updated" -> { actor = admin; client = clientIds[app]; detail = "{\"name\":\"renamed\",\"scopes\":[\"rest.all\"]}"; }
                        default -> { actor = admin; client = clientIds[app]; }
                    }
                    if (user.equals(actor) || user.equals(subject)) userEvents[person]++;
                    if (client != null) appEvents[app]++;
                    ps.setLong(1, now - audited + (long) n * audited / events);
                    ps.setString(2, kind);
                    ps.setString(3, actor);
                    ps.setString(4, client);
                    ps.setString(5, subject);
                    ps.setString(6, addresses[Math.min(addresses.length - 1, (int) Math.abs(rnd.nextGaussian() * 80))]);
                    ps.setString(7, detail);
                    ps.addBatch();
                    if ((n + 1) % BATCH == 0 || n == events - 1) {
                        ps.executeBatch();
                        c.commit();
                    }
                }
            }
            System.out.printf("%d audit events in %.1f s%n", events, (System.nanoTime() - t2) / 1e9);
            c.createStatement().execute("analyze");
            c.commit();

            // What the timed requests look at: the busiest app and its page of the table (newest first, 25 a page),
            // an app of median traffic, the busiest person.
            int busiest = byRank[0];
            int typical = byRank[apps / 2];
            long newer = count(c, "select count(*) from apps where created_at > (select created_at from apps where id = " + appIds[busiest] + ")");
            Files.writeString(env, String.join("\n",
                    "BUSY_APP=" + clientIds[busiest],
                    "BUSY_APP_TOKENS=" + perApp[busiest],
                    "BUSY_APP_EVENTS=" + appEvents[busiest],
                    "BUSY_PAGE=" + (newer / 25 + 1),
                    "TYPICAL_APP=" + clientIds[typical],
                    "TYPICAL_APP_EVENTS=" + appEvents[typical],
                    "BUSY_USER=" + person(0, userNames),
                    "BUSY_USER_EVENTS=" + userEvents[0],
                    "") );
            System.out.printf("loaded in %.1f s; %s%n", (System.nanoTime() - t0) / 1e9, Files.readString(env).replace('\n', ' '));
        }
        // Hundreds of commits of thousands of rows leave the file many times its data (11 GB for 300 MB);
        // the server would then read a file no real deployment has.
        long t3 = System.nanoTime();
        try (Connection c = java.sql.DriverManager.getConnection(config.dbUrl(), config.dbUser(), config.dbPassword())) {
            c.createStatement().execute("shutdown compact");
        }
        System.out.printf("compacted in %.1f s%n", (System.nanoTime() - t3) / 1e9);
    }

    /** The demo's people who are not administrators first (the busiest is rank 0), then generated names. */
    static String person(int rank, List<String> demo) {
        List<String> people = demo.stream().filter(n -> !n.equals("admin")).toList();
        return rank < people.size() ? people.get(rank) : "user" + rank;
    }

    static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static int[] shuffled(int n, Random rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /** Ranks 0..n-1 drawn with probability proportional to 1/(rank+1)^s. */
    static final class Zipf {
        final double[] cumulative;
        final Random rnd;

        Zipf(int n, double s, Random rnd) {
            this.rnd = rnd;
            cumulative = new double[n];
            double sum = 0;
            for (int i = 0; i < n; i++) cumulative[i] = sum += 1 / Math.pow(i + 1, s);
            for (int i = 0; i < n; i++) cumulative[i] /= sum;
        }

        int next() {
            int i = Arrays.binarySearch(cumulative, rnd.nextDouble());
            return Math.min(cumulative.length - 1, i >= 0 ? i : -i - 1);
        }
    }
}
