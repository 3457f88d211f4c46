package dev.ostium.crm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A statement being built: text written only by this package (keywords, and table and column names
 * taken from module descriptions) and values that travel as positional bind parameters.
 */
public final class Sql {

    private final StringBuilder text = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    /** Appends trusted text: never anything a client wrote. */
    public Sql sql(String trusted) {
        text.append(trusted);
        return this;
    }

    /** Appends a placeholder for the value. */
    public Sql value(Object value) {
        text.append('?');
        params.add(value);
        return this;
    }

    public Sql append(Sql other) {
        text.append(other.text);
        params.addAll(other.params);
        return this;
    }

    public String text() {
        return text.toString();
    }

    public List<Object> params() {
        return Collections.unmodifiableList(params);
    }

    public <Q extends org.jdbi.v3.core.statement.SqlStatement<Q>> Q bindTo(Q statement) {
        for (int i = 0; i < params.size(); i++) statement.bind(i, params.get(i));
        return statement;
    }

    @Override
    public String toString() {
        return text + " " + params;
    }
}
