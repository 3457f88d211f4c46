package dev.ostium.crm;

import static dev.ostium.crm.Field.number;
import static dev.ostium.crm.Field.of;
import static dev.ostium.crm.Field.picklist;
import static dev.ostium.crm.Field.reference;
import static dev.ostium.crm.Field.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The CRM's modules. Adding a module is adding its description here and its table in a migration:
 * the parser, the routes, validation, describe and the OpenAPI document follow from the description.
 */
public final class Modules {

    public static final String[] CURRENCIES = {"EUR", "USD", "GBP", "CHF"};

    public static final ModuleDescription ACCOUNTS = module("Accounts", "Account", "crm_accounts", List.of(
            text("accountname", "Account name", "account_name", 200).asRequired(),
            picklist("accounttype", "Type", "account_type", "Customer", "Partner", "Prospect", "Reseller", "Competitor"),
            picklist("industry", "Industry", "industry", "Manufacturing", "Retail", "Software", "Finance", "Healthcare",
                    "Logistics", "Energy", "Education"),
            text("bill_city", "Billing city", "city", 100),
            text("website", "Website", "website", 200),
            of("phone", "Phone", "phone", FieldType.PHONE),
            of("email1", "Email", "email", FieldType.EMAIL),
            number("employees", "Employees", "employees", 0, 0, 10_000_000),
            of("annual_revenue", "Annual revenue", "annual_revenue", FieldType.MONEY),
            picklist("currency", "Currency", "currency", CURRENCIES),
            of("active", "Active", "active", FieldType.BOOLEAN)), null);

    public static final ModuleDescription CONTACTS = module("Contacts", "Contact", "crm_contacts", List.of(
            text("firstname", "First name", "first_name", 100),
            text("lastname", "Last name", "last_name", 100).asRequired(),
            reference("account_id", "Account", "account_id", "Accounts"),
            text("title", "Title", "title", 100),
            of("email", "Email", "email", FieldType.EMAIL),
            of("phone", "Phone", "phone", FieldType.PHONE),
            of("birthday", "Birthday", "birthday", FieldType.DATE),
            text("mailingcity", "Mailing city", "mailing_city", 100),
            of("donotcall", "Do not call", "do_not_call", FieldType.BOOLEAN)), null);

    public static final ModuleDescription LEADS = module("Leads", "Lead", "crm_leads", List.of(
            text("firstname", "First name", "first_name", 100),
            text("lastname", "Last name", "last_name", 100).asRequired(),
            text("company", "Company", "company", 200).asRequired(),
            of("email", "Email", "email", FieldType.EMAIL),
            of("phone", "Phone", "phone", FieldType.PHONE),
            picklist("leadsource", "Lead source", "lead_source", "Web Site", "Cold Call", "Partner", "Trade Show", "Referral"),
            picklist("leadstatus", "Lead status", "lead_status", "New", "Contacted", "Qualified", "Lost"),
            of("annualrevenue", "Annual revenue", "annual_revenue", FieldType.MONEY),
            picklist("currency", "Currency", "currency", CURRENCIES)), null);

    public static final ModuleDescription POTENTIALS = module("Potentials", "Potential", "crm_potentials", List.of(
            text("potentialname", "Deal name", "potential_name", 200).asRequired(),
            reference("related_to", "Account", "account_id", "Accounts").asRequired(),
            reference("contact_id", "Contact", "contact_id", "Contacts"),
            of("amount", "Amount", "amount", FieldType.MONEY),
            picklist("currency", "Currency", "currency", CURRENCIES),
            of("closingdate", "Expected close date", "closing_date", FieldType.DATE).asRequired(),
            picklist("sales_stage", "Sales stage", "sales_stage", "Prospecting", "Qualification", "Proposal",
                    "Negotiation", "Closed Won", "Closed Lost").asRequired(),
            number("probability", "Probability (%)", "probability", 0, 0, 100),
            text("nextstep", "Next step", "next_step", 200)), null);

    public static final ModuleDescription PRODUCTS = module("Products", "Product", "crm_products", List.of(
            text("productname", "Product name", "product_name", 200).asRequired(),
            text("productcode", "Product code", "product_code", 40),
            picklist("productcategory", "Category", "category", "Hardware", "Software", "Service", "Spare part"),
            of("unit_price", "Unit price", "unit_price", FieldType.MONEY),
            picklist("currency", "Currency", "currency", CURRENCIES),
            number("qtyinstock", "Quantity in stock", "qty_in_stock", 0, 0, 1_000_000_000),
            of("sales_start_date", "Sales start date", "sales_start_date", FieldType.DATE),
            of("discontinued", "Discontinued", "discontinued", FieldType.BOOLEAN)), null);

    public static final ModuleDescription INVOICE = module("Invoice", "Invoice", "crm_invoices", List.of(
            text("invoice_no", "Invoice number", "invoice_no", 40).asRequired(),
            text("subject", "Subject", "subject", 200).asRequired(),
            reference("account_id", "Account", "account_id", "Accounts"),
            reference("contact_id", "Contact", "contact_id", "Contacts"),
            of("invoicedate", "Invoice date", "invoicedate", FieldType.DATE).asRequired(),
            of("duedate", "Due date", "duedate", FieldType.DATE),
            picklist("invoicestatus", "Status", "status", "Created", "Approved", "Sent", "Paid", "Cancelled").asRequired(),
            picklist("currency", "Currency", "currency", CURRENCIES),
            of("total", "Total", "total", FieldType.MONEY).asReadOnly()),
            new ModuleDescription.LineItems("lineitems", "crm_invoice_lines", "invoice_id", List.of(
                    reference("productid", "Product", "product_id", "Products").asRequired(),
                    number("quantity", "Quantity", "quantity", 3, 0, 1_000_000_000).asRequired(),
                    of("listprice", "List price", "list_price", FieldType.MONEY).asRequired(),
                    number("discount_percent", "Discount (%)", "discount_percent", 2, 0, 100),
                    text("comment", "Comment", "line_comment", 500),
                    of("linetotal", "Line total", "line_total", FieldType.MONEY).asReadOnly())));

    public static final List<ModuleDescription> ALL = List.of(ACCOUNTS, CONTACTS, LEADS, POTENTIALS, PRODUCTS, INVOICE);

    private Modules() {}

    /** A module by its name, any case; singular names ("Account") are accepted too. */
    public static Optional<ModuleDescription> named(String name) {
        if (name == null) return Optional.empty();
        for (ModuleDescription m : ALL) {
            if (m.name().equalsIgnoreCase(name) || m.singular().equalsIgnoreCase(name)) return Optional.of(m);
        }
        return Optional.empty();
    }

    public static List<String> names() {
        return ALL.stream().map(ModuleDescription::name).toList();
    }

    /** The fields every module has: id, owner (a user or a group), and who created and last changed it when. */
    private static ModuleDescription module(String name, String singular, String table, List<Field> own,
                                            ModuleDescription.LineItems lines) {
        List<Field> all = new ArrayList<>();
        all.add(number("id", "Record id", "id", 0, 1, Long.MAX_VALUE).asReadOnly());
        all.addAll(own);
        all.addAll(Arrays.asList(
                of("assigned_user_id", "Assigned to user", "owner_user_id", FieldType.USER),
                of("assigned_group_id", "Assigned to group", "owner_group_id", FieldType.GROUP),
                of("createdtime", "Created", "created_at", FieldType.DATETIME).asReadOnly(),
                of("modifiedtime", "Last modified", "modified_at", FieldType.DATETIME).asReadOnly(),
                of("created_user_id", "Created by", "created_by", FieldType.USER).asReadOnly(),
                of("modified_user_id", "Last modified by", "modified_by", FieldType.USER).asReadOnly()));
        return new ModuleDescription(name, singular, table, all, lines);
    }
}
