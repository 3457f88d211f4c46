package dev.ostium.restapi;

/** A query that cannot be run, with a message for the person who wrote it. */
public final class QueryException extends RuntimeException {
    public QueryException(String message) {
        super(message, null, false, false);
    }
}
