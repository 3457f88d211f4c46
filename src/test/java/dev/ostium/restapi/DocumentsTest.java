package dev.ostium.restapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.SignedJWT;
import dev.ostium.crm.Modules;
import dev.ostium.testing.Response;
import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer.App;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** What a client discovers about the API before calling it: the OpenAPI document and the resource metadata. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class DocumentsTest extends ServerTest {

    @Test
    void theOpenApiDocumentIsValidAndDescribesEveryModule() {
        Response r = server.get("/restapi/v1/openapi.json");
        assertThat(r.status()).isEqualTo(200);
        // Larger than the 4 KiB buffer answers are copied through, so it is copied in several steps, and arrives
        // whole: it parses below.
        assertThat(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isGreaterThan(4096);
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(r.body(), null, options);
        assertThat(parsed.getMessages()).isEmpty();
        OpenAPI api = parsed.getOpenAPI();
        assertThat(api.getOpenapi()).isEqualTo("3.1.0");
        assertThat(api.getServers().get(0).getUrl()).isEqualTo(server.base() + "/restapi/v1");
        SecurityScheme oauth = api.getComponents().getSecuritySchemes().get("oauth2");
        assertThat(oauth.getType()).isEqualTo(SecurityScheme.Type.OAUTH2);
        assertThat(oauth.getFlows().getClientCredentials().getTokenUrl()).isEqualTo(server.base() + "/oauth2/token");
        assertThat(oauth.getFlows().getClientCredentials().getScopes()).containsKeys("rest.all", "rest.all.read", "rest.all.write", "api");
        // a person's app gets its token through the code flow, at the endpoints discovery names
        assertThat(oauth.getFlows().getAuthorizationCode().getAuthorizationUrl()).isEqualTo(server.base() + "/oauth2/authorize");
        assertThat(oauth.getFlows().getAuthorizationCode().getTokenUrl()).isEqualTo(server.base() + "/oauth2/token");
        assertThat(oauth.getFlows().getAuthorizationCode().getScopes()).containsKeys("rest.all", "rest.all.read", "rest.all.write", "api");
        assertThat(api.getPaths()).containsKeys("/vtews/query", "/me", "/describe", "/describe/{module}");
        for (String m : Modules.names()) {
            assertThat(api.getPaths()).containsKeys("/" + m, "/" + m + "/{id}");
            assertThat(api.getComponents().getSchemas()).containsKeys(m, m + "Input");
        }
        assertThat(api.getComponents().getSchemas().get("InvoiceInput").getRequired()).contains("invoice_no", "lineitems")
                .doesNotContain("total");
        assertThat(api.getPaths().get("/Accounts/{id}").getPatch().getSecurity().get(0).get("oauth2")).containsExactly("rest.all.write");
    }

    @Test
    void theResourceMetadataNamesTheApiItsServerAndScopes() {
        for (String path : new String[] {"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/restapi"}) {
            Response r = server.get(path);
            assertThat(r.status()).isEqualTo(200);
            JsonNode m = r.json();
            assertThat(m.path("resource").asText()).isEqualTo(server.base() + "/restapi");
            assertThat(m.path("authorization_servers").get(0).asText()).isEqualTo(server.base());
            assertThat(m.path("scopes_supported").toString()).contains("rest.all.read", "rest.all.write", "api");
            assertThat(m.path("bearer_methods_supported").get(0).asText()).isEqualTo("header");
        }
    }

    @Test
    void theTokenEndpointAcceptsOurResourceAndRefusesOthers() throws Exception {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", "resource test");
        spec.put("user", "alice");
        spec.put("scopes", java.util.List.of("rest.all.read"));
        spec.put("tokenFormat", "jwt");
        App app = server.create(spec);
        String resource = server.get("/.well-known/oauth-protected-resource").json().path("resource").asText();
        Response ok = server.postForm("/oauth2/token", app, Map.of("grant_type", "client_credentials", "resource", resource));
        assertThat(ok.status()).as(ok.body()).isEqualTo(200);
        String jwt = ok.json().path("access_token").asText();
        assertThat(SignedJWT.parse(jwt).getJWTClaimsSet().getAudience()).containsExactly(resource);
        assertThat(server.query(jwt, "SELECT count(*) FROM Invoice").status()).isEqualTo(200);
        for (String other : new String[] {"https://elsewhere.example/api", server.base(), resource + "/", "not a uri"}) {
            Response refused = server.postForm("/oauth2/token", app, Map.of("grant_type", "client_credentials", "resource", other));
            assertThat(refused.status()).as(other).isEqualTo(400);
            assertThat(refused.json().path("error").asText()).isEqualTo("invalid_target");
        }
    }
}
