package dev.ostium.directory;

import java.util.Optional;

/**
 * Checks a person's username and password for the login page. The default asks the {@link Directory}
 * (Argon2id hashes); a host application can give the server its own, e.g. one that asks the business
 * application's login service. Whatever it answers, the login page lets in only a user the directory knows
 * as enabled.
 */
@FunctionalInterface
public interface Authenticator {

    /** The user when the credentials are right; empty otherwise (never saying which part was wrong). */
    Optional<User> authenticate(String username, String password);
}
