package dev.ostium.cli;

import picocli.CommandLine.Command;

/** {@code ostium keys ...}: the server's signing keys. */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "The server's signing keys.",
        subcommands = {KeysCommand.Rotate.class, KeysCommand.ListKeys.class})
final class KeysCommand {

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Add new active signing keys; old public keys stay in the JWKS until their tokens have expired.")
    static final class Rotate extends AppsCommand.Base {
        @Override
        public void run() {
            AdminClient c = connection.client();
            print(c, c.call("POST", "admin/api/keys/rotate", null));
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List signing keys.")
    static final class ListKeys extends AppsCommand.Base {
        @Override
        public void run() {
            AdminClient c = connection.client();
            print(c, c.call("GET", "admin/api/keys", null));
        }
    }
}
