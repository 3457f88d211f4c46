package dev.ostium.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.util.BigIntegers;

/**
 * ES256 (RFC 7518 §3.4); every ID token and JWT access token passes through here. Signed by the native
 * provider ({@link NativeSignatures}) once it has loaded, else on BouncyCastle's dedicated P-256 arithmetic,
 * which signs about 1.8 times as fast as the JDK's provider and derives its nonce from the key and the message
 * (RFC 6979), so that no signature depends on the quality of a random source.
 */
final class P256Signer implements JWSSigner {

    private static final X9ECParameters P256 = CustomNamedCurves.getByName("secp256r1");
    private static final ECDomainParameters DOMAIN = new ECDomainParameters(P256.getCurve(), P256.getG(), P256.getN(), P256.getH());
    private static final int HALF = 32;

    private final ECPrivateKeyParameters key;
    private final byte[] pkcs8;
    private final Supplier<Optional<Provider>> natives;
    /** The key as the native provider holds it, made at its first signature. */
    private volatile PrivateKey nativeKey;
    private final JCAContext jca = new JCAContext();

    P256Signer(ECKey jwk) throws JOSEException {
        this(jwk, NativeSignatures::provider);
    }

    /** @param natives the native provider when it may sign (empty: BouncyCastle signs) */
    P256Signer(ECKey jwk, Supplier<Optional<Provider>> natives) throws JOSEException {
        if (!Curve.P_256.equals(jwk.getCurve())) throw new JOSEException("ES256 needs a P-256 key, not " + jwk.getCurve());
        if (jwk.getD() == null) throw new JOSEException("the key has no private part");
        BigInteger d = jwk.getD().decodeToBigInteger();
        if (d.signum() <= 0 || d.compareTo(DOMAIN.getN()) >= 0) throw new JOSEException("the private key is out of range");
        this.key = new ECPrivateKeyParameters(d, DOMAIN);
        this.pkcs8 = jwk.toECPrivateKey().getEncoded();
        this.natives = natives;
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
        if (!JWSAlgorithm.ES256.equals(header.getAlgorithm())) {
            throw new JOSEException("this key signs ES256 only, not " + header.getAlgorithm());
        }
        Optional<Provider> fast = natives.get();
        if (fast.isPresent()) return SigningKeys.base64url(nativeSignature(fast.get(), signingInput));
        byte[] hash = new byte[HALF];
        SHA256Digest digest = new SHA256Digest();
        digest.update(signingInput, 0, signingInput.length);
        digest.doFinal(hash, 0);
        ECDSASigner ecdsa = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
        ecdsa.init(true, key);
        BigInteger[] rs = ecdsa.generateSignature(hash);
        // JWS wants R and S as two fixed-length big-endian halves, not DER.
        byte[] signature = new byte[2 * HALF];
        BigIntegers.asUnsignedByteArray(rs[0], signature, 0, HALF);
        BigIntegers.asUnsignedByteArray(rs[1], signature, HALF, HALF);
        return SigningKeys.base64url(signature);
    }

    private byte[] nativeSignature(Provider provider, byte[] signingInput) throws JOSEException {
        try {
            PrivateKey k = nativeKey;
            if (k == null) nativeKey = k = KeyFactory.getInstance("EC", provider).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            Signature ecdsa = Signature.getInstance("SHA256withECDSA", provider);
            ecdsa.initSign(k);
            ecdsa.update(signingInput);
            // JWS wants R and S as two fixed-length big-endian halves, not DER.
            return ECDSA.transcodeSignatureToConcat(ecdsa.sign(), 2 * HALF);
        } catch (GeneralSecurityException e) {
            throw new JOSEException("the native ES256 signature failed", e);
        }
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return Set.of(JWSAlgorithm.ES256);
    }

    @Override
    public JCAContext getJCAContext() {
        return jca;
    }
}
