package dev.ostium.directory;

/** A person (or technical user) of the business application. */
public record User(long id, String username, String displayName, String email, String organisation,
                   boolean admin, boolean enabled) {

    /** The OpenID Connect / JWT subject: stable across renames. */
    public String subject() {
        return Long.toString(id);
    }
}
