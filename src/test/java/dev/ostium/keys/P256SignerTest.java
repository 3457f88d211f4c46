package dev.ostium.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.security.Provider;
import java.security.Signature;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class P256SignerTest {

    private static final JWSHeader ES256 = new JWSHeader(JWSAlgorithm.ES256);

    @Test
    void matchesTheDeterministicSignatureOfRfc6979() throws Exception {
        // RFC 6979 A.2.5: P-256, SHA-256, message "sample".
        byte[] x = HexFormat.of().parseHex("C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
        ECKey publicPart = new ECKey.Builder(Curve.P_256,
                Base64URL.encode(HexFormat.of().parseHex("60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6")),
                Base64URL.encode(HexFormat.of().parseHex("7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"))).build();
        ECKey key = new ECKey.Builder(publicPart).d(Base64URL.encode(x)).build();
        Base64URL signature = new P256Signer(key, Optional::empty).sign(ES256, "sample".getBytes(StandardCharsets.US_ASCII));
        assertThat(HexFormat.of().withUpperCase().formatHex(signature.decode())).isEqualTo(
                "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"
                        + "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
    }

    @Test
    void everySignatureVerifiesWithTheJdkAndNoneSurvivesATamperedInput() throws Exception {
        signsVerifiably(Optional::empty);
    }

    @Test
    void theNativeProviderLoadsHereAndItsSignaturesVerifyToo() throws Exception {
        // The library is built for Linux on x86-64: there it must load, not fall back unnoticed.
        assumeTrue(System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64"));
        assertThat(NativeSignatures.loadNow()).isTrue();
        Provider provider = NativeSignatures.provider().orElseThrow();
        signsVerifiably(() -> Optional.of(provider));
    }

    private static void signsVerifiably(Supplier<Optional<Provider>> natives) throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        P256Signer signer = new P256Signer(key, natives);
        ECDSAVerifier nimbus = new ECDSAVerifier(key.toPublicJWK());
        Random random = new Random(7);
        for (int i = 0; i < 300; i++) {
            byte[] input = new byte[1 + random.nextInt(600)];
            random.nextBytes(input);
            byte[] signature = signer.sign(ES256, input).decode();
            assertThat(signature).hasSize(64);
            Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
            jdk.initVerify(key.toECPublicKey());
            jdk.update(input);
            assertThat(jdk.verify(signature)).isTrue();
            assertThat(nimbus.verify(ES256, input, Base64URL.encode(signature))).isTrue();
            input[random.nextInt(input.length)] ^= 1;
            assertThat(nimbus.verify(ES256, input, Base64URL.encode(signature))).isFalse();
        }
    }

    @Test
    void refusesAnotherAlgorithmOrCurveOrAPublicKey() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        assertThatThrownBy(() -> new P256Signer(key).sign(new JWSHeader(JWSAlgorithm.ES384), new byte[1]))
                .isInstanceOf(JOSEException.class);
        assertThatThrownBy(() -> new P256Signer(new ECKeyGenerator(Curve.P_384).generate())).isInstanceOf(JOSEException.class);
        assertThatThrownBy(() -> new P256Signer(key.toPublicJWK())).isInstanceOf(JOSEException.class);
    }
}
