package dev.ostium.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ostium settings ...}: the global switches. */
@Command(name = "settings", mixinStandardHelpOptions = true, description = "The global switches of External applications.",
        subcommands = {SettingsCommand.Get.class, SettingsCommand.Set.class})
final class SettingsCommand {

    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show the global switches.")
    static final class Get extends AppsCommand.Base {
        @Override
        public void run() {
            AdminClient c = connection.client();
            print(c, c.call("GET", "admin/api/settings", null));
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true, description = "Change global switches.")
    static final class Set extends AppsCommand.Base {
        @Option(names = "--oauth-enabled", arity = "1", description = "true/false: enable OAuth2 access")
        Boolean oauthEnabled;

        @Option(names = "--users-rotate-secrets", arity = "1", description = "true/false: users may rotate the secrets of apps bound to them")
        Boolean usersRotateSecrets;

        @Option(names = "--admin-connections", arity = "1", description = "true/false: allow connections with admin users")
        Boolean adminConnections;

        @Override
        public void run() {
            Map<String, Object> body = new LinkedHashMap<>();
            if (oauthEnabled != null) body.put("oauthEnabled", oauthEnabled);
            if (usersRotateSecrets != null) body.put("usersRotateSecrets", usersRotateSecrets);
            if (adminConnections != null) body.put("adminConnections", adminConnections);
            AdminClient c = connection.client();
            print(c, c.call("PUT", "admin/api/settings", body));
        }
    }
}
