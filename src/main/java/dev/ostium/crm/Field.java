package dev.ostium.crm;

import java.util.List;

/**
 * One field of a module as the API names it, and the column behind it. Only columns named here ever
 * reach SQL; values travel as bind parameters.
 *
 * @param scale      decimals kept for NUMBER (0 = whole numbers) and MONEY (2)
 * @param maxLength  longest accepted text
 * @param reference  the module a REFERENCE points to
 * @param readOnly   set by the server (ids, times, computed totals); a write naming it is refused
 */
public record Field(String name, String label, String column, FieldType type, boolean required, boolean readOnly,
                    List<String> picklist, String reference, int scale, int maxLength, java.math.BigDecimal min,
                    java.math.BigDecimal max) {

    public Field {
        picklist = picklist == null ? List.of() : List.copyOf(picklist);
    }

    // ---- a small vocabulary for writing module descriptions ----

    public static Field text(String name, String label, String column, int maxLength) {
        return new Field(name, label, column, FieldType.TEXT, false, false, null, null, 0, maxLength, null, null);
    }

    public static Field of(String name, String label, String column, FieldType type) {
        int max = switch (type) {
            case EMAIL -> 200;
            case PHONE -> 40;
            case PICKLIST -> 100;
            default -> 0;
        };
        int scale = type == FieldType.MONEY ? 2 : 0;
        return new Field(name, label, column, type, false, false, null, null, scale, max, null, null);
    }

    public static Field picklist(String name, String label, String column, String... values) {
        return new Field(name, label, column, FieldType.PICKLIST, false, false, List.of(values), null, 0, 100, null, null);
    }

    public static Field reference(String name, String label, String column, String module) {
        return new Field(name, label, column, FieldType.REFERENCE, false, false, null, module, 0, 0, null, null);
    }

    public static Field number(String name, String label, String column, int scale, long min, long max) {
        return new Field(name, label, column, FieldType.NUMBER, false, false, null, null, scale, 0,
                java.math.BigDecimal.valueOf(min), java.math.BigDecimal.valueOf(max));
    }

    public Field asRequired() {
        return new Field(name, label, column, type, true, readOnly, picklist, reference, scale, maxLength, min, max);
    }

    public Field asReadOnly() {
        return new Field(name, label, column, type, required, true, picklist, reference, scale, maxLength, min, max);
    }
}
