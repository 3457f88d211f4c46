package dev.ostium.crm;

import java.util.Map;

/** A read or write that cannot be done, as a value the API turns into its answer. */
public final class RecordException extends RuntimeException {

    public enum Kind {
        /** No such record, or one the user may not see: the two are answered alike. */
        NOT_FOUND,
        /** The user sees the record but may not change it (its module is shared read-only). */
        FORBIDDEN,
        /** Field values are wrong; {@link #fields} says which and why. */
        INVALID,
        /** If-Match names a version that is no longer current. */
        PRECONDITION_FAILED,
        /** The change collides with other data (the record changed meanwhile, others refer to it, a reused key). */
        CONFLICT
    }

    public final Kind kind;
    /** field name -> what is wrong with its value (INVALID only) */
    public final Map<String, String> fields;

    public RecordException(Kind kind, String message, Map<String, String> fields) {
        super(message, null, false, false);
        this.kind = kind;
        this.fields = fields == null ? Map.of() : Map.copyOf(fields);
    }

    public static RecordException notFound(ModuleDescription m, Object id) {
        return new RecordException(Kind.NOT_FOUND, "no " + m.singular() + " with id " + id, null);
    }

    public static RecordException invalid(Map<String, String> fields) {
        return new RecordException(Kind.INVALID, "some fields are not valid: " + String.join(", ", fields.keySet()), fields);
    }
}
