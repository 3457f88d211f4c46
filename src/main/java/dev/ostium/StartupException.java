package dev.ostium;

/** The server could not start; the message says why in a way the operator can act on. */
public final class StartupException extends RuntimeException {

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A one-line reason from the deepest cause that has something to say. */
    public static StartupException from(String what, Throwable e) {
        String reason = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) reason = t.getMessage();
        }
        String first = reason == null ? e.toString() : reason.lines().findFirst().orElse(reason);
        return new StartupException(what + ": " + first, e);
    }
}
