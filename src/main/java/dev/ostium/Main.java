package dev.ostium;

import dev.ostium.cli.OstiumCommand;
import picocli.CommandLine;

/** Entry point of the {@code ostium} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = OstiumCommand.commandLine().execute(args);
        if (code != 0 || (args.length > 0 && !args[0].equals("serve") && !args[0].equals("demo"))) System.exit(code);
    }
}
