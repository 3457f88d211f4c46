package dev.ostium.crm;

import dev.ostium.db.Database;
import dev.ostium.directory.User;
import dev.ostium.restapi.Query;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads CRM records as a given user sees them: records the user owns, or that belong to one of the
 * user's groups; administrators see everything.
 */
public final class Records {

    private final Database db;

    public Records(Database db) {
        this.db = db;
    }

    public List<Map<String, Object>> select(Query q, User user) {
        Module m = q.module();
        StringBuilder sql = new StringBuilder("select ");
        List<String> columns = new ArrayList<>();
        for (String f : q.fields()) columns.add(m.fields.get(f) + " as " + f);
        sql.append(String.join(", ", columns)).append(" from ").append(m.table).append(" where 1 = 1");
        Map<String, Object> binds = new LinkedHashMap<>();
        if (!user.admin()) {
            sql.append(" and (owner_user_id = :viewer or owner_group_id in "
                    + "(select group_id from group_members where user_id = :viewer))");
            binds.put("viewer", user.id());
        }
        int i = 0;
        for (Query.Condition c : q.where()) {
            String name = "p" + i++;
            String column = m.fields.get(c.field());
            Object value = c.value();
            // Numbers compare as numbers only against numeric columns; everything else compares as text,
            // so a mistyped value finds nothing instead of failing in the database.
            boolean numeric = value instanceof BigDecimal && m.numericFields.contains(c.field()) && !"LIKE".equals(c.operator());
            if (!numeric) value = value instanceof BigDecimal bd ? bd.toPlainString() : value;
            boolean like = "LIKE".equals(c.operator());
            if (like && endsWithEscape(value.toString())) {
                throw new dev.ostium.restapi.QueryException("a LIKE pattern cannot end with the escape character '\\'");
            }
            String operator = like ? "like" : c.operator().equals("!=") ? "<>" : c.operator();
            sql.append(" and ").append(numeric ? column : "cast(" + column + " as varchar(400))")
                    .append(' ').append(operator).append(" :").append(name);
            // The same escape character on both databases: '\' makes the next % or _ literal.
            if (like) sql.append(" escape '\\'");
            binds.put(name, value);
        }
        if (q.orderBy() != null) {
            sql.append(" order by ").append(m.fields.get(q.orderBy())).append(q.descending() ? " desc" : " asc");
        } else {
            sql.append(" order by id");
        }
        sql.append(" limit ").append(q.limit());
        return db.jdbi().withHandle(h -> {
            var query = h.createQuery(sql.toString());
            binds.forEach(query::bind);
            return query.map((rs, ctx) -> row(rs, q.fields())).list();
        });
    }

    private static Map<String, Object> row(ResultSet rs, List<String> fields) throws SQLException {
        Map<String, Object> row = new LinkedHashMap<>();
        for (String f : fields) {
            Object v = rs.getObject(f);
            row.put(f, v instanceof BigDecimal bd ? bd.toPlainString() : v == null ? "" : String.valueOf(v));
        }
        return row;
    }

    /** True when the pattern ends with an unpaired escape character, which both databases refuse. */
    private static boolean endsWithEscape(String pattern) {
        int n = 0;
        for (int i = pattern.length() - 1; i >= 0 && pattern.charAt(i) == '\\'; i--) n++;
        return n % 2 == 1;
    }
}
