package dev.ostium.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ostium apps ...}: manage external applications on a running server. */
@Command(name = "apps", mixinStandardHelpOptions = true, description = "Manage external applications (through the admin API of a running server).",
        subcommands = {AppsCommand.Create.class, AppsCommand.ListApps.class, AppsCommand.Show.class, AppsCommand.Update.class,
                AppsCommand.Enable.class, AppsCommand.Disable.class, AppsCommand.Delete.class, AppsCommand.RotateSecret.class,
                AppsCommand.GenerateKeys.class, AppsCommand.UploadKey.class, AppsCommand.RevokeTokens.class, AppsCommand.Tokens.class})
final class AppsCommand {

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

    abstract static class AppFields extends Base {
        @Option(names = "--name", description = "display name")
        String name;

        @Option(names = "--description", description = "what the app is for")
        String description;

        @Option(names = "--user", description = "username of the bound user the service account acts as")
        String user;

        @Option(names = "--scope", split = "[ ,]", description = "allowed scope(s): rest.all, rest.all.read, rest.all.write, api, openid, profile, email, offline_access")
        List<String> scopes;

        @Option(names = "--token-format", description = "opaque (default) or jwt")
        String tokenFormat;

        @Option(names = "--access-token-ttl", description = "access token lifetime in seconds (0: server default)")
        Long ttl;

        @Option(names = "--expires-at", description = "ISO-8601 instant after which the app stops working, or 'never'")
        String expiresAt;

        @Option(names = "--can-introspect", arity = "0..1", description = "may introspect tokens of other apps")
        Boolean canIntrospect;

        @Option(names = "--template", description = "client template the app follows (scopes, token format, lifetimes); '' for none")
        String template;

        @Option(names = "--redirect-uri", description = "web, native, spa: a redirect URI (repeat for several); replaces the list on update")
        List<String> redirectUris;

        @Option(names = "--post-logout-redirect-uri", description = "where logout may send the person back (repeatable); replaces the list on update, '' alone empties it")
        List<String> postLogoutRedirectUris;

        @Option(names = "--offline-access", arity = "0..1", description = "the app receives refresh tokens")
        Boolean offlineAccess;

        @Option(names = "--open-to-all", arity = "0..1", description = "every user may connect (default); false: only the authorized users and groups")
        Boolean openToAll;

        @Option(names = "--authorized-user", description = "a username allowed to connect (repeatable); replaces the list, '' alone empties it")
        List<String> authorizedUsers;

        @Option(names = "--authorized-group", description = "a group allowed to connect (repeatable); replaces the list, '' alone empties it")
        List<String> authorizedGroups;

        @Option(names = "--consent-name", description = "the name shown on the consent screen")
        String consentName;

        @Option(names = "--id-token-alg", description = "ES256 (default) or RS256")
        String idTokenAlg;

        @Option(names = "--icon", paramLabel = "FILE", description = "consent-screen icon: PNG or JPEG (larger than 64x64 is scaled down)")
        Path icon;

        Map<String, Object> fields() {
            Map<String, Object> m = new LinkedHashMap<>();
            if (name != null) m.put("name", name);
            if (description != null) m.put("description", description);
            if (user != null) m.put("user", user);
            if (scopes != null) m.put("scopes", scopes);
            if (tokenFormat != null) m.put("tokenFormat", tokenFormat);
            if (ttl != null) m.put("accessTokenTtl", ttl);
            if (expiresAt != null) m.put("expiresAt", expiresAt);
            if (canIntrospect != null) m.put("canIntrospect", canIntrospect);
            if (template != null) m.put("template", template);
            if (redirectUris != null) m.put("redirectUris", list("--redirect-uri", redirectUris));
            if (postLogoutRedirectUris != null) m.put("postLogoutRedirectUris", list("--post-logout-redirect-uri", postLogoutRedirectUris));
            if (offlineAccess != null) m.put("offlineAccess", offlineAccess);
            if (openToAll != null) m.put("openToAll", openToAll);
            if (authorizedUsers != null) m.put("authorizedUsers", list("--authorized-user", authorizedUsers));
            if (authorizedGroups != null) m.put("authorizedGroups", list("--authorized-group", authorizedGroups));
            if (consentName != null) m.put("consentName", consentName);
            if (idTokenAlg != null) m.put("idTokenAlg", idTokenAlg);
            return m;
        }

        /**
         * A repeatable option's values, which replace the stored list. An empty value given alone ('') sends the
         * empty list: the command line's way to say "none", as the API's [] does.
         */
        static List<String> list(String option, List<String> values) {
            if (!values.contains("")) return values;
            if (values.size() == 1) return List.of();
            throw new AdminClient.Failure(option + " '' empties the list: give it alone, without other values");
        }

        /** The --icon file read and checked by its name, before anything is sent; null without --icon. */
        record IconFile(byte[] bytes, String type) {}

        IconFile readIcon() {
            if (icon == null) return null;
            String name = icon.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            String type = name.endsWith(".png") ? "image/png" : name.endsWith(".jpg") || name.endsWith(".jpeg") ? "image/jpeg" : null;
            if (type == null) throw new AdminClient.Failure("--icon must be a .png, .jpg or .jpeg file");
            try {
                return new IconFile(Files.readAllBytes(icon), type);
            } catch (java.io.IOException e) {
                throw new AdminClient.Failure("cannot read " + icon + ": " + e.getMessage());
            }
        }

        /** Uploads the icon, if any, once the app exists; the server checks that it is an image. */
        JsonNode uploadIcon(AdminClient c, String clientId, JsonNode app, IconFile file) {
            if (file == null) return app;
            return c.upload("PUT", "admin/api/apps/" + clientId + "/icon", file.bytes(), file.type());
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an app; prints the client id and the secret (or private key) once.")
    static final class Create extends AppFields {
        @Option(names = "--type", defaultValue = "service", description = "client type: service, web, spa or native")
        String type;

        @Option(names = "--secret-type", description = "service and web apps: secret_key (default) or signed_jwt")
        String secretType;

        @Option(names = "--public-key", paramLabel = "FILE", description = "signed_jwt: the app's own public key (PEM or JWK file); default: generate a pair")
        Path publicKey;

        @Option(names = "--key-alg", description = "signed_jwt generated pair: RS256 (default) or ES256")
        String keyAlg;

        @Override
        public void run() {
            AdminClient c = connection.client();
            Map<String, Object> body = fields();
            if (name == null) body.put("name", "service".equals(type) ? "Service account" : "Web or mobile app");
            body.put("type", type);
            if (secretType != null) body.put("secretType", secretType);
            if (keyAlg != null) body.put("keyAlgorithm", keyAlg);
            if (publicKey != null) body.put("publicKey", read(publicKey));
            IconFile iconFile = readIcon();
            JsonNode app = c.call("POST", "admin/api/apps", body);
            PrintWriter out = out();
            AdminClient.Failure iconFailure = null;
            if (iconFile != null) {
                // The app exists and its secret is printed below either way; an icon the server refuses is
                // reported after it, and the command then fails.
                try {
                    uploadIcon(c, app.path("clientId").asText(), app, iconFile);
                } catch (AdminClient.Failure f) {
                    iconFailure = f;
                }
            }
            out.println("client_id:     " + app.path("clientId").asText());
            if (app.has("clientSecret")) {
                out.println("client_secret: " + app.path("clientSecret").asText());
                out.println("(the secret is shown only now: store it safely)");
            }
            if (app.has("privateKeyPem")) {
                out.println("private key (PEM, shown only now):");
                out.print(app.path("privateKeyPem").asText());
                out.println("private key (JWK): " + app.path("privateJwk").toString());
            }
            out.flush();
            if (iconFailure != null) {
                throw new AdminClient.Failure("the app was created, but its icon was not stored: " + iconFailure.getMessage());
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the registered apps.")
    static final class ListApps extends Base {
        @Override
        public void run() {
            AdminClient c = connection.client();
            JsonNode apps = c.call("GET", "admin/api/apps", null);
            PrintWriter out = out();
            out.printf("%-28s %-24s %-18s %-10s %-8s %s%n", "CLIENT ID", "NAME", "TYPE", "USER", "ENABLED", "TOKENS");
            for (JsonNode a : apps) {
                out.printf("%-28s %-24s %-18s %-10s %-8s %s%n", a.path("clientId").asText(), a.path("name").asText(),
                        a.path("typeLabel").asText(), a.path("user").isTextual() ? a.path("user").asText() : "-",
                        a.path("enabled").asBoolean() ? "yes" : "no",
                        a.path("tokenStatus").path("label").asText());
            }
            out.flush();
        }
    }

    abstract static class OneApp extends Base {
        @Parameters(index = "0", paramLabel = "CLIENT_ID")
        String clientId;
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one app.")
    static final class Show extends OneApp {
        @Override
        public void run() {
            AdminClient c = connection.client();
            print(c, c.call("GET", "admin/api/apps/" + clientId, null));
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = "Change an app's settings.")
    static final class Update extends AppFields {
        @Parameters(index = "0", paramLabel = "CLIENT_ID")
        String clientId;

        @Override
        public void run() {
            AdminClient c = connection.client();
            // A file that cannot be an icon is refused before anything is changed.
            IconFile iconFile = readIcon();
            JsonNode app = c.call("PATCH", "admin/api/apps/" + clientId, fields());
            try {
                app = uploadIcon(c, clientId, app, iconFile);
            } catch (AdminClient.Failure f) {
                if (fields().isEmpty()) throw f;
                throw new AdminClient.Failure("the other changes were stored, but the icon was not: " + f.getMessage());
            }
            print(c, app);
        }
    }

    @Command(name = "enable", mixinStandardHelpOptions = true, description = "Enable an app.")
    static final class Enable extends OneApp {
        @Override
        public void run() {
            AdminClient c = connection.client();
            print(c, c.call("POST", "admin/api/apps/" + clientId + "/enable", null));
        }
    }

    @Command(name = "disable", mixinStandardHelpOptions = true, description = "Disable an app: its tokens stop working at once.")
    static final class Disable extends OneApp {
        @Override
        public void run() {
            AdminClient c = connection.client();
            print(c, c.call("POST", "admin/api/apps/" + clientId + "/disable", null));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an app and its tokens.")
    static final class Delete extends OneApp {
        @Override
        public void run() {
            connection.client().call("DELETE", "admin/api/apps/" + clientId, null);
            out().println("deleted " + clientId);
            out().flush();
        }
    }

    @Command(name = "rotate-secret", mixinStandardHelpOptions = true, description = "Issue a new secret (printed once); the old one stops working.")
    static final class RotateSecret extends OneApp {
        @Override
        public void run() {
            JsonNode r = connection.client().call("POST", "admin/api/apps/" + clientId + "/secret", null);
            out().println("client_id:     " + clientId);
            out().println("client_secret: " + r.path("clientSecret").asText());
            out().println("(the secret is shown only now: store it safely)");
            out().flush();
        }
    }

    @Command(name = "generate-keys", mixinStandardHelpOptions = true, description = "Generate a new key pair for a signed-JWT app (private key printed once).")
    static final class GenerateKeys extends OneApp {
        @Option(names = "--key-alg", description = "RS256 (default) or ES256")
        String keyAlg;

        @Override
        public void run() {
            JsonNode r = connection.client().call("POST", "admin/api/apps/" + clientId + "/keys" + (keyAlg == null ? "" : "?alg=" + keyAlg), null);
            out().println("private key (PEM, shown only now):");
            out().print(r.path("privateKeyPem").asText());
            out().println("private key (JWK): " + r.path("privateJwk").toString());
            out().flush();
        }
    }

    @Command(name = "upload-key", mixinStandardHelpOptions = true, description = "Register the app's own public key (PEM or JWK file).")
    static final class UploadKey extends OneApp {
        @Parameters(index = "1", paramLabel = "FILE")
        Path file;

        @Override
        public void run() {
            AdminClient c = connection.client();
            print(c, c.call("PUT", "admin/api/apps/" + clientId + "/public-key", Map.of("publicKey", read(file))));
        }
    }

    @Command(name = "revoke-tokens", mixinStandardHelpOptions = true, description = "Revoke every token of an app.")
    static final class RevokeTokens extends OneApp {
        @Override
        public void run() {
            JsonNode app = connection.client().call("POST", "admin/api/apps/" + clientId + "/revoke-tokens", null);
            out().println("revoked all tokens of " + clientId + ": " + app.path("tokenStatus").path("label").asText());
            out().flush();
        }
    }

    @Command(name = "tokens", mixinStandardHelpOptions = true, description = "Show an app's token status.")
    static final class Tokens extends OneApp {
        @Override
        public void run() {
            JsonNode s = connection.client().call("GET", "admin/api/apps/" + clientId + "/tokens", null);
            out().println(s.path("label").asText());
            out().flush();
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new AdminClient.Failure("cannot read " + file + ": " + e.getMessage());
        }
    }
}
