package dev.ostium.apps;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Random secrets and their digests. A secret is 256 random bits, so a plain SHA-256 digest is as hard
 * to reverse as the secret is to guess; a slow KDF would only slow the token endpoint down.
 */
public final class ClientSecrets {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final MessageDigest SHA256 = sha256Prototype();

    private ClientSecrets() {}

    /** 256 random bits, base64url without padding (43 characters). */
    public static String newSecret() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return B64.encodeToString(b);
    }

    public static String newClientId(String prefix) {
        byte[] b = new byte[10];
        RANDOM.nextBytes(b);
        return prefix + HexFormat.of().formatHex(b);
    }

    public static String digest(String value) {
        return digest(value.getBytes(StandardCharsets.UTF_8));
    }

    /** SHA-256, base64url without padding. */
    public static String digest(byte[] value) {
        return B64.encodeToString(sha256(value));
    }

    /** Compares a presented secret with a stored digest in time independent of where they differ. */
    public static boolean matches(String presented, String storedDigest) {
        return presented != null && sameDigest(digest(presented), storedDigest);
    }

    /** Compares two digests in time independent of where they differ. */
    public static boolean sameDigest(String a, String b) {
        return a != null && b != null
                && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] sha256(byte[] in) {
        try {
            // Cloning a ready digest skips the provider lookup that getInstance does on every call.
            return ((MessageDigest) SHA256.clone()).digest(in);
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest sha256Prototype() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.clone();
            return md;
        } catch (NoSuchAlgorithmException | CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
