package dev.ostium.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class KeyRotationTest extends ServerTest {

    private JWKSet jwks() throws Exception {
        return JWKSet.parse(server.get("/oauth2/jwks").body());
    }

    @Test
    void rotationAddsANewActiveKeyAndKeepsTheOldOnePublishedUntilItsTokensExpire() throws Exception {
        App app = server.create(Map.of("name", "jwt", "user", "alice", "tokenFormat", "jwt"));
        String before = server.token(app);
        String oldKid = SignedJWT.parse(before).getHeader().getKeyID();

        assertThat(server.admin("POST", "/admin/api/keys/rotate", null).status()).isEqualTo(200);

        String after = server.token(app);
        String newKid = SignedJWT.parse(after).getHeader().getKeyID();
        assertThat(newKid).isNotEqualTo(oldKid);
        JWKSet published = jwks();
        assertThat(published.getKeyByKeyId(oldKid)).isNotNull();
        assertThat(published.getKeyByKeyId(newKid)).isNotNull();
        // tokens signed with the retired key stay valid until they expire
        assertThat(server.introspect(app, before).path("active").asBoolean()).isTrue();
        assertThat(server.query(before, "SELECT * FROM Invoice;").status()).isEqualTo(200);

        try {
            server.clock.advance(Duration.ofHours(26));
            server.node().keys.dropExpired();
            assertThat(jwks().getKeyByKeyId(oldKid)).isNull();
            assertThat(jwks().getKeyByKeyId(newKid)).isNotNull();
        } finally {
            server.clock.reset();
        }
    }

    @Test
    void privateKeysAreSealedAtRest() {
        var rows = server.node().db.jdbi().withHandle(h -> h.createQuery("select private_sealed from signing_keys")
                .mapTo(String.class).list());
        assertThat(rows).isNotEmpty().allSatisfy(sealed -> {
            assertThat(sealed).startsWith("v1.");
            assertThat(sealed).doesNotContain("\"d\"").doesNotContain("kty");
        });
    }

    @Test
    void theJwksDocumentIsPreparedOncePerChangeOfKeys() {
        var keys = server.node().keys;
        String served = keys.publicJwksJson();
        // the same prepared document for every request, not a new serialisation each time
        assertThat(keys.publicJwksJson()).isSameAs(served);
        assertThat(server.get("/oauth2/jwks").body()).isEqualTo(served);
        server.admin("POST", "/admin/api/keys/rotate", null);
        assertThat(keys.publicJwksJson()).isNotEqualTo(served);
        assertThat(server.get("/oauth2/jwks").body()).isEqualTo(keys.publicJwksJson());
    }
}
