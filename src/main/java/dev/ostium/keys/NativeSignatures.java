package dev.ostium.keys;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A native JCA provider (AWS-LC, through the Amazon Corretto Crypto Provider) for the signatures on the hot
 * paths: it signs ES256 in about a third of the time of the Java arithmetic. It is never installed for the
 * whole JVM, only handed to the signers. It loads in the background (unpacking and self-testing the library
 * takes a few hundred milliseconds, which start-up does not wait for); until it is ready, and wherever it
 * cannot load (another platform, a temporary directory that may not hold programs), signing stays in Java.
 */
final class NativeSignatures {

    private static final Logger log = LoggerFactory.getLogger(NativeSignatures.class);
    private static final AtomicBoolean started = new AtomicBoolean();
    private static volatile Provider provider;

    private NativeSignatures() {}

    /** Starts loading the provider, once; returns at once. */
    static void loadInBackground() {
        if (started.compareAndSet(false, true)) Thread.ofPlatform().daemon().name("ostium-native-crypto").start(NativeSignatures::load);
    }

    /** The provider once it has loaded and passed its checks; empty before, or if it never will. */
    static Optional<Provider> provider() {
        return Optional.ofNullable(provider);
    }

    /** Loads the provider now, for tests; true when it is usable. */
    static boolean loadNow() {
        started.set(true);
        load();
        return provider != null;
    }

    private static void load() {
        try {
            AmazonCorrettoCryptoProvider p = AmazonCorrettoCryptoProvider.INSTANCE;
            if (p.getLoadingError() != null) {
                log.info("native signatures unavailable here, signing in Java: {}", p.getLoadingError().toString());
                return;
            }
            p.assertHealthy();
            selfCheck(p);
            provider = p;
            log.info("signing ES256 with the native provider {}", p.getVersionStr());
        } catch (GeneralSecurityException | RuntimeException | LinkageError e) {
            log.info("native signatures unavailable here, signing in Java: {}", e.toString());
        }
    }

    /** One signature of the provider's, checked by the JDK's own verifier, before any token depends on it. */
    private static void selfCheck(Provider p) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        byte[] message = "ostium native signature check".getBytes(StandardCharsets.US_ASCII);
        Signature sign = Signature.getInstance("SHA256withECDSA", p);
        sign.initSign(KeyFactory.getInstance("EC", p).generatePrivate(new PKCS8EncodedKeySpec(pair.getPrivate().getEncoded())));
        sign.update(message);
        byte[] signature = sign.sign();
        Signature verify = Signature.getInstance("SHA256withECDSA");
        verify.initVerify(pair.getPublic());
        verify.update(message);
        if (!verify.verify(signature)) throw new GeneralSecurityException("the provider's test signature does not verify");
    }
}
