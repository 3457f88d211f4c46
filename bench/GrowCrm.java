// Bench-only: grows the demo CRM of a stopped server's embedded database to N generated records per
// module (default 100,000), with the same generator as the demo. Run by bench/rest.sh:
//   java -cp "target/ostium.jar:target/lib/*" bench/GrowCrm.java DATA_DIR [N]
import dev.ostium.config.ConfigLoader;
import dev.ostium.crm.DemoData;
import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import dev.ostium.directory.Directory;
import java.time.Clock;
import java.util.Map;

public class GrowCrm {
    public static void main(String[] args) {
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        var config = ConfigLoader.load(null, Map.of(), Map.of("data-dir", args[0]));
        try (Database db = Database.open(config)) {
            long have = db.jdbi().withHandle(h -> h.createQuery("select count(*) from crm_invoices").mapTo(Long.class).one());
            if (have >= n) {
                System.out.println("already " + have + " invoices");
                return;
            }
            long t0 = System.nanoTime();
            new DemoData(db, new Directory(db, new ChangeFeed(db, Clock.systemUTC()), Clock.systemUTC())).grow((int) (n - have));
            System.out.printf("grew to %d records per module in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        }
    }
}
