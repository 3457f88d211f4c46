package dev.ostium.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.ostium.db.ChangeFeed;
import dev.ostium.db.Database;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's signing keys: one active ES256 and one active RS256 key, plus retired keys that stay in
 * the JWKS until every token they signed has expired. Private parts are sealed with the master key.
 */
public final class SigningKeys {

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    public static final String TOPIC = "keys";
    public static final List<JWSAlgorithm> ALGORITHMS = List.of(JWSAlgorithm.ES256, JWSAlgorithm.RS256);

    private final Database db;
    private final MasterKey masterKey;
    private final ChangeFeed changes;
    private final Clock clock;
    /** How long a retired key must stay published: the longest lifetime of anything it signs. */
    private final Duration publishAfterRetirement;

    private volatile State state;
    private final Map<String, JWSVerifier> verifiers = new ConcurrentHashMap<>();
    private final Map<HeaderKey, JWSHeader> headers = new ConcurrentHashMap<>();

    private record Active(JWK jwk, JWSSigner signer) {}

    /** @param publishedJson the JWKS document as served, prepared once per change of keys */
    private record State(Map<JWSAlgorithm, Active> active, JWKSet published, String publishedJson) {}

    public record KeyInfo(String kid, String alg, long createdAt, Long retiredAt) {}

    public SigningKeys(Database db, MasterKey masterKey, ChangeFeed changes, Clock clock, Duration publishAfterRetirement) {
        this.db = db;
        this.masterKey = masterKey;
        this.changes = changes;
        this.clock = clock;
        this.publishAfterRetirement = publishAfterRetirement;
        changes.onChange((topic, ref) -> {
            if (TOPIC.equals(topic) || ChangeFeed.EVERYTHING.equals(topic)) reload();
        });
    }

    /**
     * Starts loading the native signer in the background; ES256 is signed in Java until it is ready, and
     * wherever it cannot load (see {@link NativeSignatures}).
     */
    public static void loadNativeSigner() {
        NativeSignatures.loadInBackground();
    }

    /** Generates the first keys when there are none, then loads. */
    public void init() {
        db.jdbi().useTransaction(h -> {
            for (JWSAlgorithm alg : ALGORITHMS) {
                boolean present = h.createQuery("select count(*) from signing_keys where alg = :alg and retired_at is null")
                        .bind("alg", alg.getName()).mapTo(Integer.class).one() > 0;
                if (!present) insert(h, generate(alg));
            }
        });
        reload();
    }

    /** Adds new active keys; the previous ones are retired but stay published while their tokens live. */
    public List<KeyInfo> rotate() {
        db.jdbi().useTransaction(h -> {
            h.createUpdate("update signing_keys set retired_at = :now where retired_at is null")
                    .bind("now", clock.millis()).execute();
            for (JWSAlgorithm alg : ALGORITHMS) insert(h, generate(alg));
            changes.record(h, TOPIC, "rotate");
        });
        changes.applyLocally(TOPIC, "rotate");
        return list();
    }

    public List<KeyInfo> list() {
        return db.jdbi().withHandle(h -> h.createQuery(
                        "select kid, alg, created_at, retired_at from signing_keys order by created_at, kid")
                .map((rs, ctx) -> new KeyInfo(rs.getString("kid"), rs.getString("alg"), rs.getLong("created_at"),
                        rs.getObject("retired_at") == null ? null : rs.getLong("retired_at")))
                .list());
    }

    /** Deletes retired keys whose every token has expired. */
    public int dropExpired() {
        long cutoff = clock.millis() - publishAfterRetirement.toMillis();
        int n = db.jdbi().withHandle(h -> h.createUpdate(
                "delete from signing_keys where retired_at is not null and retired_at < :cutoff")
                .bind("cutoff", cutoff).execute());
        if (n > 0) reload();
        return n;
    }

    private JWK generate(JWSAlgorithm alg) {
        String kid = alg.getName().toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 8)
                + "-" + Long.toString(clock.millis(), 36);
        try {
            if (JWSAlgorithm.ES256.equals(alg)) {
                return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(alg).generate();
            }
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(alg).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate a " + alg + " key", e);
        }
    }

    private void insert(org.jdbi.v3.core.Handle h, JWK jwk) {
        h.createUpdate("insert into signing_keys (kid, alg, public_jwk, private_sealed, created_at) "
                        + "values (:kid, :alg, :pub, :priv, :at)")
                .bind("kid", jwk.getKeyID())
                .bind("alg", jwk.getAlgorithm().getName())
                .bind("pub", jwk.toPublicJWK().toJSONString())
                .bind("priv", masterKey.seal(jwk.toJSONString(), jwk.getKeyID()))
                .bind("at", clock.millis())
                .execute();
    }

    private void reload() {
        long cutoff = clock.millis() - publishAfterRetirement.toMillis();
        List<Map<String, Object>> rows = db.jdbi().withHandle(h -> h.createQuery(
                        "select kid, alg, public_jwk, private_sealed, retired_at from signing_keys "
                                + "where retired_at is null or retired_at >= :cutoff order by created_at desc, kid")
                .bind("cutoff", cutoff)
                .map((rs, ctx) -> Map.<String, Object>of(
                        "kid", rs.getString("kid"), "alg", rs.getString("alg"), "pub", rs.getString("public_jwk"),
                        "priv", rs.getString("private_sealed"), "active", rs.getObject("retired_at") == null))
                .list());
        Map<JWSAlgorithm, Active> active = new ConcurrentHashMap<>();
        List<JWK> published = new ArrayList<>();
        try {
            for (Map<String, Object> row : rows) {
                published.add(JWK.parse((String) row.get("pub")));
                JWSAlgorithm alg = JWSAlgorithm.parse((String) row.get("alg"));
                if ((Boolean) row.get("active") && !active.containsKey(alg)) {
                    String kid = (String) row.get("kid");
                    JWK priv = JWK.parse(masterKey.open((String) row.get("priv"), kid));
                    JWSSigner signer = priv instanceof ECKey ec ? new P256Signer(ec) : new RSASSASigner((RSAKey) priv);
                    active.put(alg, new Active(priv, signer));
                }
            }
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("a stored signing key cannot be read", e);
        }
        JWKSet set = new JWKSet(published);
        state = new State(Map.copyOf(active), set, set.toString(true));
        verifiers.keySet().retainAll(published.stream().map(JWK::getKeyID).toList());
    }

    /** The public keys to publish at the JWKS endpoint. */
    /** The JWKS document as served at /oauth2/jwks. */
    public String publicJwksJson() {
        return state.publishedJson();
    }

    public JWKSet publicJwks() {
        return state.published();
    }

    /**
     * A JWT signed with the active key for {@code alg}, in compact form. The JOSE library builds the header,
     * the claims' JSON, the signing input and the serialization; the Base64url encoding is the JDK's (the
     * library's own encoder, one character at a time, took a tenth of a refresh request's CPU). A key's
     * header is encoded once.
     */
    public String sign(JWSAlgorithm alg, String type, JWTClaimsSet claims) {
        Active key = state.active().get(alg);
        if (key == null) throw new IllegalArgumentException("no active key for " + alg);
        String kid = key.jwk().getKeyID();
        JWSHeader header = headers.get(new HeaderKey(kid, alg, type));
        if (header == null) {
            if (headers.size() > 64) headers.clear(); // keys retired long ago
            JWSHeader built = new JWSHeader.Builder(alg).keyID(kid)
                    .type(type == null ? null : new com.nimbusds.jose.JOSEObjectType(type)).build();
            header = new JWSHeader.Builder(built).parsedBase64URL(base64url(built.toString().getBytes(StandardCharsets.UTF_8))).build();
            headers.put(new HeaderKey(kid, alg, type), header);
        }
        JWSObject jws = new JWSObject(header, new Payload(base64url(claims.toString().getBytes(StandardCharsets.UTF_8))));
        try {
            jws.sign(key.signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("signing failed", e);
        }
        return jws.serialize();
    }

    private record HeaderKey(String kid, JWSAlgorithm alg, String type) {}

    /** Base64url without padding (RFC 7515 §2), by the JDK's encoder. */
    static Base64URL base64url(byte[] bytes) {
        return new Base64URL(BASE64URL.encodeToString(bytes));
    }

    /** Checks a signature made by one of our published keys (active or retired). */
    public boolean verify(JWSObject jws) {
        String kid = jws.getHeader().getKeyID();
        if (kid == null) return false;
        JWK jwk = state.published().getKeyByKeyId(kid);
        if (jwk == null || !jws.getHeader().getAlgorithm().equals(jwk.getAlgorithm())) return false;
        JWSVerifier verifier = verifiers.computeIfAbsent(kid, k -> {
            try {
                return jwk instanceof ECKey ec ? new ECDSAVerifier(ec) : new RSASSAVerifier((RSAKey) jwk);
            } catch (JOSEException e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            return jws.verify(verifier);
        } catch (JOSEException e) {
            return false;
        }
    }
}
