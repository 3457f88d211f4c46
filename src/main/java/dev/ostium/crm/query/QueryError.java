package dev.ostium.crm.query;

/**
 * A query that cannot run: what is wrong and where (1-based line and column of the query text), so the
 * message reads "unknown field 'totl' at 1:8; did you mean 'total'?".
 */
public final class QueryError extends RuntimeException {

    public final int line;
    public final int column;

    public QueryError(String problem, Pos pos, String hint) {
        super(problem + (pos == null ? "" : " at " + pos.line() + ":" + pos.column()) + (hint == null ? "" : "; " + hint),
                null, false, false);
        this.line = pos == null ? 0 : pos.line();
        this.column = pos == null ? 0 : pos.column();
    }

    public QueryError(String problem, Pos pos) {
        this(problem, pos, null);
    }

    /** A place in the query text: 1-based line and column, and the 0-based character offset. */
    public record Pos(int line, int column, int offset) {}
}
