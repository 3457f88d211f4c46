package dev.ostium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ostium templates ...}: client templates (allowed scopes, token format, lifetimes) on a running server. */
@Command(name = "templates", mixinStandardHelpOptions = true, description = "Manage client templates (through the admin API of a running server).",
        subcommands = {TemplatesCommand.ListTemplates.class, TemplatesCommand.Show.class, TemplatesCommand.Create.class,
                TemplatesCommand.Update.class, TemplatesCommand.Delete.class})
final class TemplatesCommand {

    abstract static class Base implements Runnable {
        @Mixin
        ClientOptions connection;

        @Spec
        CommandSpec spec;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        void print(AdminClient c, JsonNode node) {
            out().println(c.pretty(node));
            out().flush();
        }
    }

    abstract static class Fields extends Base {
        @Option(names = "--description")
        String description;

        @Option(names = "--scope", split = "[ ,]", description = "allowed scope(s)")
        List<String> scopes;

        @Option(names = "--token-format", description = "opaque (a new template) or jwt; update: unchanged if left out")
        String tokenFormat;

        @Option(names = "--code-ttl", description = "authorization code lifetime, seconds (a new template: 600; update: unchanged if left out)")
        Long codeTtl;

        @Option(names = "--access-token-ttl", description = "access token lifetime, seconds (a new template: 600; update: unchanged if left out)")
        Long accessTokenTtl;

        @Option(names = "--refresh-token-ttl", description = "refresh token family lifetime, seconds (a new template: 1209600, 14 days; update: unchanged if left out)")
        Long refreshTokenTtl;

        @Option(names = "--id-token-ttl", description = "ID token lifetime, seconds (a new template: 3600; update: unchanged if left out)")
        Long idTokenTtl;

        @Option(names = "--refresh-retry-window", description = "seconds (0-60) in which a lost refresh answer may be fetched again; 0 (a new template): off; update: unchanged if left out")
        Long refreshRetryWindow;

        Map<String, Object> fields() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (description != null) m.put("description", description);
            if (scopes != null) m.put("scopes", scopes);
            if (tokenFormat != null) m.put("tokenFormat", tokenFormat);
            if (codeTtl != null) m.put("codeTtl", codeTtl);
            if (accessTokenTtl != null) m.put("accessTokenTtl", accessTokenTtl);
            if (refreshTokenTtl != null) m.put("refreshTokenTtl", refreshTokenTtl);
            if (idTokenTtl != null) m.put("idTokenTtl", idTokenTtl);
            if (refreshRetryWindow != null) m.put("refreshRetryWindow", refreshRetryWindow);
            return m;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the templates.")
    static final class ListTemplates extends Base {
        @Override
        public void run() {
            JsonNode all = connection.client().call("GET", "admin/api/templates", null);
            PrintWriter out = out();
            out.printf("%-20s %-8s %-6s %-7s %-9s %-7s %-6s %s%n", "NAME", "FORMAT", "CODE", "ACCESS", "REFRESH", "ID", "RETRY", "SCOPES");
            for (JsonNode t : all) {
                out.printf("%-20s %-8s %-6s %-7s %-9s %-7s %-6s %s%n", t.path("name").asText(), t.path("tokenFormat").asText(),
                        t.path("codeTtl").asLong(), t.path("accessTokenTtl").asLong(), t.path("refreshTokenTtl").asLong(),
                        t.path("idTokenTtl").asLong(), t.path("refreshRetryWindow").asLong(), join(t.path("scopes")));
            }
            out.flush();
        }

        private static String join(JsonNode scopes) {
            StringBuilder sb = new StringBuilder();
            scopes.forEach(s -> sb.append(sb.isEmpty() ? "" : " ").append(s.asText()));
            return sb.toString();
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one template.")
    static final class Show extends Base {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public void run() {
            AdminClient c = connection.client();
            print(c, c.call("GET", "admin/api/templates/" + AdminClient.path(name), null));
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a template.")
    static final class Create extends Fields {
        @Option(names = "--name", required = true)
        String name;

        @Override
        public void run() {
            AdminClient c = connection.client();
            Map<String, Object> body = fields();
            body.put("name", name);
            print(c, c.call("POST", "admin/api/templates", body));
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change a template; its apps follow at once.")
    static final class Update extends Fields {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--rename", description = "a new name")
        String rename;

        @Override
        public void run() {
            AdminClient c = connection.client();
            Map<String, Object> body = fields();
            if (rename != null) body.put("name", rename);
            print(c, c.call("PATCH", "admin/api/templates/" + AdminClient.path(name), body));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a template no app uses.")
    static final class Delete extends Base {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public void run() {
            connection.client().call("DELETE", "admin/api/templates/" + AdminClient.path(name), null);
            out().println("deleted template " + name);
            out().flush();
        }
    }
}
