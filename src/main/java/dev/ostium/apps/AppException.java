package dev.ostium.apps;

/** A request about apps that cannot be carried out, with the reason a caller can act on. */
public final class AppException extends RuntimeException {

    public enum Kind { INVALID, NOT_FOUND }

    public final Kind kind;

    public AppException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public static AppException invalid(String message) {
        return new AppException(Kind.INVALID, message);
    }

    public static AppException notFound(String clientId) {
        return new AppException(Kind.NOT_FOUND, "no app with client id '" + clientId + "'");
    }

    /** Something other than an app is not there: {@code what} names it, e.g. "no user 'bob'". */
    public static AppException missing(String what) {
        return new AppException(Kind.NOT_FOUND, what);
    }
}
