package dev.ostium.crm;

/** The kinds of value a CRM field holds; each decides how a value is checked, stored, compared and shown. */
public enum FieldType {
    TEXT, EMAIL, PHONE, PICKLIST, NUMBER, MONEY, DATE, DATETIME, BOOLEAN,
    /** The id of a record of another module. */
    REFERENCE,
    /** The id of a user of the directory (owner, creator, last modifier). */
    USER,
    /** The id of a group of the directory (owning group). */
    GROUP;

    public boolean textual() {
        return this == TEXT || this == EMAIL || this == PHONE || this == PICKLIST;
    }

    public boolean numeric() {
        return this == NUMBER || this == MONEY || this == REFERENCE || this == USER || this == GROUP;
    }

    /** The name used in describe and in the OpenAPI document. */
    public String apiName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
