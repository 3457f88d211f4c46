package dev.ostium.cli;

import dev.ostium.Ostium;
import dev.ostium.StartupException;
import dev.ostium.config.Config;
import dev.ostium.config.ConfigException;
import dev.ostium.crm.DemoData;
import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ostium}: run the server, or manage a running one. */
@Command(name = "ostium", mixinStandardHelpOptions = true, version = "Ostium 0.1.0",
        description = {"OAuth 2.1 / OpenID Connect authorization server for business software.",
                "Without a command, runs the server (same as 'serve').",
                "Every setting comes from a properties file (--config), then OSTIUM_* environment variables, then flags."},
        subcommands = {OstiumCommand.Serve.class, OstiumCommand.Demo.class, AppsCommand.class, TemplatesCommand.class, KeysCommand.class,
                SettingsCommand.class})
public final class OstiumCommand implements Runnable {

    @Mixin
    ServerOptions options;

    @Spec
    CommandSpec spec;

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new OstiumCommand());
        cl.registerConverter(java.nio.file.Path.class, CallerPaths::resolve);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof ConfigException || e instanceof AdminClient.Failure) {
                cmd.getErr().println("ostium: " + e.getMessage());
                return 2;
            }
            if (e instanceof StartupException) {
                cmd.getErr().println("ostium: " + e.getMessage());
                return 1;
            }
            throw e;
        });
        return cl;
    }

    @Override
    public void run() {
        serve(options.load(), spec.commandLine().getOut());
    }

    static void serve(Config config, PrintWriter out) {
        Ostium node = new Ostium(config).start();
        String base = config.issuer().toString();
        out.println();
        out.println("Ostium is ready at " + base);
        out.println("  discovery   " + base + "/.well-known/openid-configuration");
        out.println("  token       " + base + "/oauth2/token");
        out.println("  introspect  " + base + "/oauth2/introspect");
        out.println("  revoke      " + base + "/oauth2/revoke");
        out.println("  REST API    " + base + "/restapi/v1/vtews/query");
        out.println("  admin API   " + base + "/admin/api/apps");
        if (config.demo()) {
            out.println();
            out.println("Demo users (username / password):");
            for (String[] u : DemoData.USERS) {
                out.println("  " + u[0] + " / " + u[1] + (Boolean.parseBoolean(u[4]) ? "   (administrator)" : ""));
            }
            out.println();
            out.println("Create a service account for alice and get a token:");
            out.println("  ./ostium apps create --name 'My ERP' --user alice --scope rest.all.read");
            out.println("  curl -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials " + base + "/oauth2/token");
        }
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            node.close();
            stopped.countDown();
        }));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the server.")
    static final class Serve implements Runnable {
        @Mixin
        ServerOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            serve(options.load(), spec.commandLine().getOut());
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true,
            description = "Run the server with demo users and CRM data (loaded into an empty database; default data dir ./data-demo).")
    static final class Demo implements Runnable {
        @Mixin
        ServerOptions options;

        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            if (options.dataDir == null && System.getenv("OSTIUM_DATA_DIR") == null) options.dataDir = "data-demo";
            serve(options.load().withDemo(true), spec.commandLine().getOut());
        }
    }
}
