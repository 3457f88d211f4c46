package dev.ostium.config;

import java.time.Duration;

/** Durations written as people write them: {@code 90s}, {@code 10m}, {@code 1h}, {@code 14d}, or ISO-8601. */
public final class Durations {
    private Durations() {}

    public static Duration parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.startsWith("P") || s.startsWith("p")) {
            try {
                return positive(Duration.parse(s), text);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("not a duration: '" + text + "'");
            }
        }
        if (!s.matches("\\d{1,9}[smhd]?")) {
            throw new IllegalArgumentException("not a duration: '" + text + "' (use e.g. 600s, 10m, 1h, 14d)");
        }
        char unit = Character.isDigit(s.charAt(s.length() - 1)) ? 's' : s.charAt(s.length() - 1);
        long n = Long.parseLong(Character.isDigit(unit) ? s : s.replaceAll("[smhd]$", ""));
        Duration d = switch (unit) {
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            case 'd' -> Duration.ofDays(n);
            default -> Duration.ofSeconds(n);
        };
        return positive(d, text);
    }

    private static Duration positive(Duration d, String text) {
        if (d.isZero() || d.isNegative()) throw new IllegalArgumentException("duration must be positive: '" + text + "'");
        return d;
    }
}
