package dev.ostium.tokens;

import dev.ostium.apps.ClientSecrets;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Identifiers and values of tokens.
 *
 * <p>A token record is stored under a 64-bit key ({@link TokenKeys}), the table's own row key, so finding or
 * inserting a record is one lookup in one index. A token's id carries that key, and only it: 16 bytes, the key
 * with its top bit set, then 8 zero bytes (the length of the earlier ids, so opaque tokens keep their length).
 * The id is not a secret: a JWT carries it as its jti, and an opaque token carries it in front of its secret
 * part.
 *
 * <p>Ids of tokens issued before the keys (48 bits of milliseconds, then 80 random bits: the top bit is never
 * set) are found through the table of earlier ids ({@link TokenKeys#resolve}).
 *
 * <p>An opaque token is {@code base64url(id[16] || verifier[32])}: the verifier is 256 random bits and
 * is stored only as its SHA-256 digest, compared in constant time after the record is found by id.
 */
public final class TokenIds {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final int ID_BYTES = 16;
    private static final int VERIFIER_BYTES = 32;
    private static final long KEYED = 1L << 63;

    /** A freshly minted opaque token: what the client gets, and what the server stores. */
    public record Minted(String value, String id, String verifierHash) {}

    /** A presented opaque token split into its lookup id and the digest of its secret part. */
    public record Presented(String id, String verifierHash) {}

    private TokenIds() {}

    /** A time-ordered random id (48 bits of milliseconds, 80 random bits), for records not keyed by {@link TokenKeys}. */
    public static String newId(long nowMillis) {
        byte[] random = new byte[10];
        RANDOM.nextBytes(random);
        return B64.encodeToString(ByteBuffer.allocate(ID_BYTES).putShort((short) (nowMillis >>> 32)).putInt((int) nowMillis)
                .put(random).array());
    }

    /** The id of the token stored under {@code key}: the same key always gives the same id. */
    public static String id(long key) {
        return B64.encodeToString(idBytes(key));
    }

    /**
     * The key an id carries; empty for an id of the earlier kind or one that is not exactly as {@link #id} writes
     * it. Only the one spelling counts: a token is known (and cached, and invalidated) by its id, so another
     * spelling of the same key must not find the record.
     */
    public static OptionalLong key(String id) {
        if (id == null || id.length() != 22) return OptionalLong.empty();
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(id);
        } catch (IllegalArgumentException e) {
            return OptionalLong.empty();
        }
        ByteBuffer bytes = ByteBuffer.wrap(raw);
        long first = bytes.getLong();
        long key = first & ~KEYED;
        if ((first & KEYED) == 0 || key == 0 || bytes.getLong() != 0 || !id.equals(id(key))) return OptionalLong.empty();
        return OptionalLong.of(key);
    }

    /** A new opaque token stored under {@code key}, with a random verifier. */
    public static Minted mintOpaque(long key) {
        byte[] verifier = new byte[VERIFIER_BYTES];
        RANDOM.nextBytes(verifier);
        return opaque(idBytes(key), verifier);
    }

    /**
     * A token whose verifier comes from a seed instead of the random generator: the same key and seed give the
     * same token, which lets a lost refresh answer be computed again instead of stored.
     *
     * @param seed at least 32 bytes, the verifier
     */
    public static Minted mintOpaque(long key, byte[] seed) {
        byte[] verifier = new byte[VERIFIER_BYTES];
        System.arraycopy(seed, 0, verifier, 0, VERIFIER_BYTES);
        return opaque(idBytes(key), verifier);
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

    private static byte[] idBytes(long key) {
        if (key <= 0) throw new IllegalArgumentException("token keys are positive");
        return ByteBuffer.allocate(ID_BYTES).putLong(key | KEYED).putLong(0).array();
    }
}
