package dev.ostium.directory;

import dev.ostium.web.FailureThrottle;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import dev.ostium.audit.AuditEvent;
import dev.ostium.audit.AuditTrail;

/**
 * A person proving who they are with a username and password, from an address: the one place where
 * failures are throttled (per account and per address) and recorded. A locked account or address is
 * refused with 429 before the password is checked; the answer never says whether the account exists.
 */
public final class PasswordLogin {

    private final Authenticator authenticator;
    private final AuditTrail audit;
    /** Per account: five free tries, then 1 s doubling up to one minute — short enough not to lock anyone out. */
    private final FailureThrottle accounts;
    /** Per address: more free tries (offices share addresses), then 1 s doubling up to 15 minutes. */
    private final FailureThrottle addresses;

    public PasswordLogin(Directory directory, AuditTrail audit, Clock clock) {
        this(directory::authenticate, audit, clock);
    }

    /** @param authenticator the check itself (the directory's Argon2id hashes, or a host application's) */
    public PasswordLogin(Authenticator authenticator, AuditTrail audit, Clock clock) {
        this.authenticator = authenticator;
        this.audit = audit;
        this.accounts = new FailureThrottle(clock, 5, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofMinutes(1));
        this.addresses = new FailureThrottle(clock, 20, Duration.ofMinutes(15), Duration.ofSeconds(1), Duration.ofMinutes(15));
    }

    /**
     * The enabled user with this username and password; empty when either is wrong or the user is disabled.
     * Throws {@link dev.ostium.web.TryLater} when the account or the address has failed too often lately.
     */
    public Optional<User> attempt(String username, String password, String address, String where) {
        String account = "account:" + (username == null ? "" : username.toLowerCase(Locale.ROOT));
        String from = "address:" + address;
        accounts.check(account);
        addresses.check(from);
        Optional<User> user = username == null || username.length() > 100 || password == null || password.length() > 1000
                ? Optional.empty()
                : authenticator.authenticate(username, password);
        if (user.isEmpty()) {
            accounts.failed(account);
            addresses.failed(from);
            audit.record(AuditEvent.of("login.failed", printable(username), null, null, address, Map.of("where", where)));
        } else {
            accounts.succeeded(account);
        }
        return user;
    }

    /** A login that passed the password check but is refused for another reason counts as a failure too. */
    public void refused(String username, String address, String where, String why) {
        accounts.failed("account:" + username.toLowerCase(Locale.ROOT));
        addresses.failed("address:" + address);
        audit.record(AuditEvent.of("login.refused", printable(username), null, null, address,
                Map.of("where", where, "reason", why)));
    }

    private static String printable(String s) {
        if (s == null) return "-";
        String t = s.length() > 100 ? s.substring(0, 100) : s;
        return t.replaceAll("[^\\x21-\\x7E]", "?");
    }
}
