package dev.ostium.cli;

import java.net.URI;
import picocli.CommandLine.Option;

/** How a management command reaches the running server. */
final class ClientOptions {

    @Option(names = "--server", paramLabel = "URL", description = "the running server (default: http://HOST:PORT from ostium.properties / OSTIUM_* variables)")
    String url;

    @Option(names = "--admin", paramLabel = "USER:PASS", description = "administrator credentials (env OSTIUM_ADMIN; default admin:admin, the demo's)")
    String admin;

    AdminClient client() {
        URI base;
        if (url != null) {
            base = URI.create(url.endsWith("/") ? url : url + "/");
        } else {
            var config = new ServerOptions().load();
            String host = config.host().equals("0.0.0.0") || config.host().equals("::") ? "127.0.0.1" : config.host();
            base = URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + config.port() + "/");
        }
        String credentials = admin != null ? admin : System.getenv().getOrDefault("OSTIUM_ADMIN", "admin:admin");
        return new AdminClient(base, credentials);
    }
}
