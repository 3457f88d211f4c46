package dev.ostium.crm;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A CRM module as the REST API names it, with the fields it exposes and the column behind each. Only
 * names listed here ever reach SQL; values always travel as bind parameters.
 */
public enum Module {
    Invoice("crm_invoices", java.util.Set.of("id", "account_id", "total", "assigned_user_id", "assigned_group_id"), fields(
            "id", "id", "invoice_no", "invoice_no", "subject", "subject", "account_id", "account_id",
            "invoicedate", "invoice_date", "invoicestatus", "status", "total", "total",
            "assigned_user_id", "owner_user_id", "assigned_group_id", "owner_group_id")),
    Accounts("crm_accounts", java.util.Set.of("id", "assigned_user_id", "assigned_group_id"), fields(
            "id", "id", "accountname", "account_name", "industry", "industry", "bill_city", "city",
            "assigned_user_id", "owner_user_id", "assigned_group_id", "owner_group_id"));

    public final String table;
    /** API field name → column, in display order. */
    public final Map<String, String> fields;
    /** The fields whose column is a number; the others are text. */
    public final java.util.Set<String> numericFields;

    Module(String table, java.util.Set<String> numericFields, Map<String, String> fields) {
        this.table = table;
        this.numericFields = numericFields;
        this.fields = fields;
    }

    public static Optional<Module> named(String name) {
        for (Module m : values()) {
            if (m.name().equalsIgnoreCase(name)) return Optional.of(m);
        }
        if ("Account".equalsIgnoreCase(name)) return Optional.of(Accounts);
        return Optional.empty();
    }

    private static Map<String, String> fields(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
        return m;
    }
}
