package dev.ostium.oauth;

import dev.ostium.tokens.TokenIds;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tokens a refresh hands out are derived from the refresh token presented, with a server key: the
 * same presented token gives the same successor pair. So a client whose answer was lost can be given
 * exactly that pair again without the server storing anything secret to answer the retry, and without
 * the key nobody can compute a successor from a stolen token.
 */
final class RefreshTokenCodec {

    /** An opaque token's verifier (see {@link TokenIds#mintOpaque(long, byte[])}); its id comes from its key. */
    private static final int SEED_BYTES = 32;

    /** Keyed once; each derivation works on a clone, which skips the provider lookup and the key schedule. */
    private final Mac keyed;

    RefreshTokenCodec(byte[] key) {
        try {
            keyed = Mac.getInstance("HmacSHA512");
            keyed.init(new SecretKeySpec(key, "HmacSHA512"));
            keyed.clone();
        } catch (GeneralSecurityException | CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] successorRefreshSeed(String presented) {
        return seed("refresh", presented);
    }

    byte[] successorAccessSeed(String presented) {
        return seed("access", presented);
    }

    private byte[] seed(String purpose, String presented) {
        try {
            Mac mac = (Mac) keyed.clone();
            byte[] out = mac.doFinal((purpose + "\u0000" + presented).getBytes(StandardCharsets.US_ASCII));
            byte[] seed = new byte[SEED_BYTES];
            System.arraycopy(out, 0, seed, 0, SEED_BYTES);
            return seed;
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
