package dev.ostium.crm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the server knows about a module: its table and its fields. Validation, the query
 * language, describe and the OpenAPI document all read this one description.
 *
 * @param lines  the line items a record carries (an invoice's lines), or null
 */
public record ModuleDescription(String name, String singular, String table, List<Field> fields, LineItems lines) {

    /** Line items: child rows of a record, written and read with it, visible exactly when it is. */
    public record LineItems(String name, String table, String parentColumn, List<Field> fields) {
        public Optional<Field> field(String name) {
            return fields.stream().filter(f -> f.name().equals(name)).findFirst();
        }
    }

    public ModuleDescription {
        fields = List.copyOf(fields);
        Map<String, Field> seen = new LinkedHashMap<>();
        for (Field f : fields) {
            if (seen.put(f.name(), f) != null) throw new IllegalArgumentException("field " + f.name() + " twice in " + name);
        }
    }

    public Optional<Field> field(String name) {
        for (Field f : fields) {
            if (f.name().equalsIgnoreCase(name)) return Optional.of(f);
        }
        return Optional.empty();
    }

    public List<String> fieldNames() {
        return fields.stream().map(Field::name).toList();
    }
}
