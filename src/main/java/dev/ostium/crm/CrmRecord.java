package dev.ostium.crm;

import java.util.List;
import java.util.Map;

/**
 * One record as the API shows it.
 *
 * @param values  field name -> value, in the description's order
 * @param lines   the line items, for modules that have them (else empty)
 * @param version bumped by every change; the ETag is made from it
 */
public record CrmRecord(ModuleDescription module, long id, long version, Map<String, Object> values,
                        List<Map<String, Object>> lines) {

    /** A strong entity tag: changes whenever the record does. */
    public String etag() {
        return "\"" + id + "." + version + "\"";
    }
}
