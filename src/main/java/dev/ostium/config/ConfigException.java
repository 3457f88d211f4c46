package dev.ostium.config;

/** A configuration value that cannot be used; the message says which and why. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
