package dev.ostium.crm;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.regex.Pattern;

/** Moving values between the database, the API's JSON and the rules of each field type. */
public final class FieldValues {

    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s.]+(\\.[^@\\s.]+)+");
    private static final Pattern PHONE = Pattern.compile("\\+?[0-9 ()./-]{3,40}");
    private static final BigDecimal MAX_MONEY = new BigDecimal("1e14");

    private FieldValues() {}

    /** The column's value as the API shows it: strings, whole numbers, exact decimals as strings, ISO dates and times. */
    public static Object read(ResultSet rs, int column, Field f) throws SQLException {
        return switch (f.type()) {
            case TEXT, EMAIL, PHONE, PICKLIST -> rs.getString(column);
            case BOOLEAN -> {
                boolean b = rs.getBoolean(column);
                yield rs.wasNull() ? null : b;
            }
            case REFERENCE, USER, GROUP -> {
                long v = rs.getLong(column);
                yield rs.wasNull() ? null : v;
            }
            case NUMBER -> {
                BigDecimal v = rs.getBigDecimal(column);
                if (v == null) yield null;
                yield f.scale() == 0 ? (Object) v.longValue() : v.setScale(f.scale(), RoundingMode.UNNECESSARY);
            }
            case MONEY -> {
                BigDecimal v = rs.getBigDecimal(column);
                yield v == null ? null : v.setScale(2, RoundingMode.HALF_EVEN).toPlainString();
            }
            case DATE -> {
                LocalDate d = rs.getObject(column, LocalDate.class);
                yield d == null ? null : d.toString();
            }
            case DATETIME -> {
                long v = rs.getLong(column);
                yield rs.wasNull() ? null : Instant.ofEpochMilli(v).toString();
            }
        };
    }

    /**
     * A JSON value checked against the field and converted to what the column holds.
     *
     * @throws IllegalArgumentException with a message for the field, when the value does not fit
     */
    public static Object parse(Field f, JsonNode v) {
        if (v == null || v.isNull()) return null;
        switch (f.type()) {
            case TEXT, EMAIL, PHONE, PICKLIST -> {
                if (!v.isTextual()) throw new IllegalArgumentException("must be a string");
                String s = v.textValue();
                if (s.isEmpty()) return null;
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if ((Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r') || Character.getType(c) == Character.FORMAT) {
                        throw new IllegalArgumentException("contains a control character");
                    }
                }
                if (s.length() > f.maxLength()) throw new IllegalArgumentException("is longer than " + f.maxLength() + " characters");
                if (f.type() == FieldType.EMAIL && !EMAIL.matcher(s).matches()) throw new IllegalArgumentException("is not an email address");
                if (f.type() == FieldType.PHONE && (!PHONE.matcher(s).matches() || s.chars().filter(Character::isDigit).count() < 3)) {
                    throw new IllegalArgumentException("is not a phone number");
                }
                if (f.type() == FieldType.PICKLIST && !f.picklist().contains(s)) {
                    throw new IllegalArgumentException("must be one of: " + String.join(", ", f.picklist()));
                }
                return s;
            }
            case NUMBER, MONEY -> {
                BigDecimal n = decimal(v);
                int scale = f.type() == FieldType.MONEY ? 2 : f.scale();
                if (n.stripTrailingZeros().scale() > scale) {
                    throw new IllegalArgumentException(scale == 0 ? "must be a whole number" : "has more than " + scale + " decimals");
                }
                if (f.type() == FieldType.MONEY && n.abs().compareTo(MAX_MONEY) >= 0) throw new IllegalArgumentException("is too large");
                if (f.min() != null && n.compareTo(f.min()) < 0) throw new IllegalArgumentException("must be at least " + f.min());
                if (f.max() != null && n.compareTo(f.max()) > 0) throw new IllegalArgumentException("must be at most " + f.max());
                return scale == 0 ? (Object) n.longValueExact() : n.setScale(scale, RoundingMode.UNNECESSARY);
            }
            case REFERENCE, USER, GROUP -> {
                BigDecimal n = decimal(v);
                if (n.signum() <= 0 || n.stripTrailingZeros().scale() > 0 || n.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
                    throw new IllegalArgumentException("must be a record id (a positive whole number)");
                }
                return n.longValueExact();
            }
            case DATE -> {
                if (!v.isTextual()) throw new IllegalArgumentException("must be a date written \"YYYY-MM-DD\"");
                try {
                    String s = v.textValue();
                    if (s.length() != 10) throw new DateTimeParseException("length", s, 0);
                    return LocalDate.parse(s);
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("is not a valid date (\"YYYY-MM-DD\")");
                }
            }
            case BOOLEAN -> {
                if (!v.isBoolean()) throw new IllegalArgumentException("must be true or false");
                return v.booleanValue();
            }
            case DATETIME -> throw new IllegalArgumentException("is set by the server");
        }
        throw new IllegalStateException("unhandled type " + f.type());
    }

    private static BigDecimal decimal(JsonNode v) {
        try {
            BigDecimal n;
            if (v.isNumber()) n = v.decimalValue();
            else if (v.isTextual() && v.textValue().matches("-?\\d{1,30}(\\.\\d{1,30})?")) n = new BigDecimal(v.textValue());
            else throw new IllegalArgumentException("must be a number");
            if (n.precision() - n.scale() > 19) throw new IllegalArgumentException("is too large");
            return n;
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("must be a number");
        }
    }
}
