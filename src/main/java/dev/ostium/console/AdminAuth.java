package dev.ostium.console;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.ostium.directory.Directory;
import dev.ostium.directory.PasswordLogin;
import dev.ostium.directory.User;
import io.javalin.http.Context;
import io.javalin.http.UnauthorizedResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HTTP Basic authentication of administrators for the admin API. A successful Argon2id check is
 * remembered for two minutes, keyed by an HMAC of the credentials under a key that lives only in this
 * process, so scripts making many calls are not slowed down and memory holds no fast hash of a password.
 * A user who is not an administrator gets exactly the answer of a wrong password, so the admin API
 * cannot be used to test passwords; failures are throttled and recorded by {@link PasswordLogin}.
 */
public final class AdminAuth {

    public static final String REALM = "ostium-admin";

    private final Directory directory;
    private final PasswordLogin login;
    private final Cache<String, Long> recent = Caffeine.newBuilder().executor(Runnable::run).expireAfterWrite(Duration.ofMinutes(2)).maximumSize(1000).build();
    private final SecretKeySpec cacheKey;

    public AdminAuth(Directory directory, PasswordLogin login) {
        this.directory = directory;
        this.login = login;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        this.cacheKey = new SecretKeySpec(key, "HmacSHA256");
    }

    private String cacheKeyOf(String credentials) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(cacheKey);
            return Base64.getEncoder().encodeToString(mac.doFinal(credentials.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public void require(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) throw challenge(ctx, "administrator credentials are required");
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw challenge(ctx, "malformed Basic credentials");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) throw challenge(ctx, "malformed Basic credentials");
        String username = decoded.substring(0, colon);
        String key = cacheKeyOf(decoded);
        Long cached = recent.getIfPresent(key);
        Optional<User> user = cached != null
                ? directory.byId(cached).filter(User::enabled).filter(User::admin)
                : login.attempt(username, decoded.substring(colon + 1), ctx.ip(), "admin-api");
        if (user.isPresent() && !user.get().admin()) {
            login.refused(username, ctx.ip(), "admin-api", "not an administrator");
            user = Optional.empty();
        }
        if (user.isEmpty()) {
            recent.invalidate(key);
            throw challenge(ctx, "wrong username or password, or not an administrator");
        }
        recent.put(key, user.get().id());
        ctx.attribute("admin", user.get());
    }

    private static UnauthorizedResponse challenge(Context ctx, String message) {
        ctx.header("WWW-Authenticate", "Basic realm=\"" + REALM + "\", charset=\"UTF-8\"");
        return new UnauthorizedResponse(message);
    }
}
