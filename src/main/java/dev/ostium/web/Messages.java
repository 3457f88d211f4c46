package dev.ostium.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every string a person reads, from per-feature message bundles ({@code messages_en.properties},
 * {@code messages_it.properties} beside the feature's classes, read as UTF-8). A key is looked up in the
 * bundles in the order given; each feature keeps its own file, so features do not edit one shared file.
 *
 * <p>Placeholders are {@code {0}}, {@code {1}}…, replaced literally: no {@link java.text.MessageFormat}
 * quoting rules, so an Italian apostrophe is just an apostrophe.
 */
public final class Messages {

    private static final Logger log = LoggerFactory.getLogger(Messages.class);
    public static final Locale ENGLISH = Locale.ENGLISH;
    public static final Locale ITALIAN = Locale.ITALIAN;
    /** The languages of the pages, the first being the fallback. */
    public static final List<Locale> SUPPORTED = List.of(ENGLISH, ITALIAN);

    private static final ResourceBundle.Control EXACT = ResourceBundle.Control.getNoFallbackControl(
            ResourceBundle.Control.FORMAT_PROPERTIES);

    private final List<String> baseNames;
    private final Map<Locale, List<ResourceBundle>> bundles = new ConcurrentHashMap<>();

    /** @param baseNames bundle base names such as {@code dev.ostium.account.messages} */
    public Messages(List<String> baseNames) {
        this.baseNames = List.copyOf(baseNames);
        for (Locale l : SUPPORTED) bundlesFor(l);
    }

    private List<ResourceBundle> bundlesFor(Locale locale) {
        return bundles.computeIfAbsent(locale, l -> {
            List<ResourceBundle> out = new ArrayList<>();
            for (String name : baseNames) {
                try {
                    out.add(ResourceBundle.getBundle(name, l, Messages.class.getClassLoader(), EXACT));
                } catch (MissingResourceException e) {
                    throw new IllegalStateException("message bundle " + name + " has no " + l + " file", e);
                }
            }
            return out;
        });
    }

    public static Locale supported(Locale wanted) {
        if (wanted == null) return ENGLISH;
        for (Locale l : SUPPORTED) if (l.getLanguage().equals(wanted.getLanguage())) return l;
        return ENGLISH;
    }

    public String text(Locale locale, String key, Object... args) {
        String pattern = null;
        for (ResourceBundle b : bundlesFor(supported(locale))) {
            if (b.containsKey(key)) {
                pattern = b.getString(key);
                break;
            }
        }
        if (pattern == null) {
            log.warn("missing message '{}' for {}", key, locale);
            return key;
        }
        for (int i = 0; i < args.length; i++) pattern = pattern.replace("{" + i + "}", String.valueOf(args[i]));
        return pattern;
    }

    /** Every key of every bundle in one language (for the test that both languages say everything). */
    public java.util.Set<String> keys(Locale locale) {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (ResourceBundle b : bundlesFor(supported(locale))) keys.addAll(b.keySet());
        return keys;
    }
}
