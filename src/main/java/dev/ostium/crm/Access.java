package dev.ostium.crm;

/** A module's sharing rule, as set in the CRM's settings. */
public enum Access {
    /** Owner, members of the owning group, and users above the owner in the role hierarchy. */
    PRIVATE("private"),
    /** Everyone may read; writing stays with those who could under PRIVATE. */
    PUBLIC_READ("public_read"),
    /** Everyone may read and write. */
    PUBLIC_READ_WRITE("public_read_write");

    public final String code;

    Access(String code) {
        this.code = code;
    }

    public static java.util.Optional<Access> of(String code) {
        for (Access a : values()) if (a.code.equalsIgnoreCase(code)) return java.util.Optional.of(a);
        return java.util.Optional.empty();
    }

    public boolean everyoneReads() {
        return this != PRIVATE;
    }

    public boolean everyoneWrites() {
        return this == PUBLIC_READ_WRITE;
    }
}
