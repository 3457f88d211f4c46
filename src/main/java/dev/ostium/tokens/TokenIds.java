package dev.ostium.tokens;

import dev.ostium.apps.ClientSecrets;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Identifiers and values of access tokens.
 *
 * <p>Every token record is keyed by a time-ordered id: 48 bits of milliseconds then 80 random bits. New
 * records therefore land at the end of the primary-key index instead of on a random page, which keeps the
 * group-committed inserts cheap on both H2 and PostgreSQL. The id is not a secret: a JWT carries it as
 * its jti, and an opaque token carries it in front of its secret part.
 *
 * <p>An opaque token is {@code base64url(id[16] || verifier[32])}: the verifier is 256 random bits and
 * is stored only as its SHA-256 digest, compared in constant time after the record is found by id.
 */
public final class TokenIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final int ID_BYTES = 16;
    private static final int VERIFIER_BYTES = 32;

    /** A freshly minted opaque token: what the client gets, and what the server stores. */
    public record Minted(String value, String id, String verifierHash) {}

    /** A presented opaque token split into its lookup id and the digest of its secret part. */
    public record Presented(String id, String verifierHash) {}

    private TokenIds() {}

    public static String newId(long nowMillis) {
        return B64.encodeToString(idBytes(nowMillis));
    }

    public static Minted mintOpaque(long nowMillis) {
        byte[] id = idBytes(nowMillis);
        byte[] verifier = new byte[VERIFIER_BYTES];
        RANDOM.nextBytes(verifier);
        return opaque(id, verifier);
    }

    /**
     * A token whose random parts come from a seed instead of the random generator: the same seed and time
     * give the same token, which lets a lost refresh answer be computed again instead of stored.
     *
     * @param seed at least 42 bytes: 10 for the id, 32 for the verifier
     */
    public static Minted mintOpaque(long nowMillis, byte[] seed) {
        byte[] id = ByteBuffer.allocate(ID_BYTES).putShort((short) (nowMillis >>> 32)).putInt((int) nowMillis)
                .put(seed, 0, 10).array();
        byte[] verifier = new byte[VERIFIER_BYTES];
        System.arraycopy(seed, 10, verifier, 0, VERIFIER_BYTES);
        return opaque(id, verifier);
    }

    /** The id part a seed gives, as {@link #mintOpaque(long, byte[])} would. */
    public static String seededId(long nowMillis, byte[] seed) {
        return B64.encodeToString(ByteBuffer.allocate(ID_BYTES).putShort((short) (nowMillis >>> 32)).putInt((int) nowMillis)
                .put(seed, 0, 10).array());
    }

    private static Minted opaque(byte[] id, byte[] verifier) {
        byte[] value = ByteBuffer.allocate(ID_BYTES + VERIFIER_BYTES).put(id).put(verifier).array();
        return new Minted(B64.encodeToString(value), B64.encodeToString(id), ClientSecrets.digest(verifier));
    }

    /** Splits an opaque token; empty when it cannot be one of ours. */
    public static Optional<Presented> parseOpaque(String token) {
        if (token.length() != 64) return Optional.empty();
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (raw.length != ID_BYTES + VERIFIER_BYTES) return Optional.empty();
        byte[] id = new byte[ID_BYTES];
        byte[] verifier = new byte[VERIFIER_BYTES];
        System.arraycopy(raw, 0, id, 0, ID_BYTES);
        System.arraycopy(raw, ID_BYTES, verifier, 0, VERIFIER_BYTES);
        return Optional.of(new Presented(B64.encodeToString(id), ClientSecrets.digest(verifier)));
    }

    private static byte[] idBytes(long nowMillis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        return ByteBuffer.allocate(ID_BYTES).putShort((short) (nowMillis >>> 32)).putInt((int) nowMillis).put(random).array();
    }
}
