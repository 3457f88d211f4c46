package dev.ostium.apps;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.AsymmetricJWK;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.security.PrivateKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/** Key material of signed-JWT service accounts: generated pairs handed over once, or uploaded public keys. */
public final class AppKeys {

    /** What the admin receives once: the private key as PEM (PKCS#8) and as JWK, plus the public JWK we keep. */
    public record GeneratedKey(String privateKeyPem, String privateJwk, JWK publicJwk) {}

    private AppKeys() {}

    public static GeneratedKey generate(String algorithm) {
        JWSAlgorithm alg = algorithm == null ? JWSAlgorithm.RS256 : JWSAlgorithm.parse(algorithm);
        String kid = UUID.randomUUID().toString();
        try {
            JWK jwk;
            PrivateKey privateKey;
            if (JWSAlgorithm.RS256.equals(alg)) {
                // No "alg": the pair signs with any RSA algorithm the server accepts (RS256..PS512).
                RSAKey k = new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
                jwk = k;
                privateKey = k.toPrivateKey();
            } else if (JWSAlgorithm.ES256.equals(alg)) {
                ECKey k = new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
                jwk = k;
                privateKey = k.toPrivateKey();
            } else {
                throw AppException.invalid("key algorithm must be RS256 or ES256");
            }
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(privateKey.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            return new GeneratedKey(pem, jwk.toJSONString(), jwk.toPublicJWK());
        } catch (JOSEException e) {
            throw new IllegalStateException("key generation failed", e);
        }
    }

    /**
     * Reads an uploaded public key: PEM (public key or certificate), a JWK, or a JWK set. Private parts,
     * if someone sends them, are dropped: only public keys are kept.
     */
    public static JWKSet parsePublic(String text) {
        if (text == null || text.isBlank()) throw AppException.invalid("publicKey is empty");
        if (text.length() > 16_000) throw AppException.invalid("publicKey is too long");
        String s = text.trim();
        List<JWK> keys = new ArrayList<>();
        try {
            if (s.startsWith("-----BEGIN")) {
                if (s.contains("PRIVATE KEY")) throw AppException.invalid("upload the public key, not the private key");
                keys.add(JWK.parseFromPEMEncodedObjects(s));
            } else if (s.startsWith("{") && s.contains("\"keys\"")) {
                keys.addAll(JWKSet.parse(s).getKeys());
            } else if (s.startsWith("{")) {
                keys.add(JWK.parse(s));
            } else {
                throw AppException.invalid("publicKey must be a PEM public key or certificate, a JWK or a JWK set");
            }
        } catch (ParseException | JOSEException | IllegalArgumentException e) {
            if (e instanceof AppException ae) throw ae;
            throw AppException.invalid("publicKey cannot be read: " + e.getMessage());
        }
        List<JWK> out = new ArrayList<>();
        for (JWK k : keys) {
            if (!(k instanceof AsymmetricJWK)) throw AppException.invalid("publicKey must be an RSA or EC key");
            if (k instanceof RSAKey rsa && rsa.size() < 2048) throw AppException.invalid("RSA keys must have at least 2048 bits");
            if (k.getKeyUse() != null && !KeyUse.SIGNATURE.equals(k.getKeyUse())) {
                throw AppException.invalid("publicKey must be a signature key (use=sig)");
            }
            out.add(k.toPublicJWK());
        }
        if (out.isEmpty()) throw AppException.invalid("publicKey holds no key");
        return new JWKSet(out);
    }

    /**
     * The app's registered public keys that could have made a signature with this header: same key id
     * (when both name one) and same algorithm (when the key names one).
     */
    public static List<java.security.PublicKey> candidates(ExternalApp app, com.nimbusds.jose.JWSHeader header) {
        List<java.security.PublicKey> out = new ArrayList<>();
        if (app.publicKeys() == null) return out;
        for (JWK jwk : app.publicKeys().getKeys()) {
            if (header.getKeyID() != null && jwk.getKeyID() != null && !header.getKeyID().equals(jwk.getKeyID())) continue;
            if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().equals(header.getAlgorithm())) continue;
            try {
                out.add(((AsymmetricJWK) jwk).toPublicKey());
            } catch (JOSEException e) {
                // an unusable registered key simply does not match
            }
        }
        return out;
    }
}
