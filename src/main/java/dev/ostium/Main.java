package dev.ostium;

import dev.ostium.cli.OstiumCommand;

/** Entry point of the {@code ostium} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        // Serving returns only once the server has been stopped; every other command returns when done.
        System.exit(OstiumCommand.commandLine().execute(args));
    }
}
