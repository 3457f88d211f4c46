package dev.ostium.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @Test
    void defaultsGiveAnEmbeddedServerOnLoopback() {
        Config c = ConfigLoader.load(null, Map.of(), Map.of());
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8080);
        assertThat(c.issuer().toString()).isEqualTo("http://127.0.0.1:8080");
        assertThat(c.embeddedDatabase()).isTrue();
        assertThat(c.dbUrl()).startsWith("jdbc:h2:file:" + c.dataDir().resolve("ostium"));
        assertThat(c.accessTokenTtl()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.clientIdPrefix()).isEqualTo("ost_");
        assertThat(c.masterKey()).isNull();
    }

    @Test
    void fileThenEnvironmentThenFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("ostium.properties");
        Files.writeString(file, "port=9000\nhost=0.0.0.0\naccess-token-ttl=5m\nclient-id-prefix=vte_\nissuer=https://crm.example.com/\n");
        Config fromFile = ConfigLoader.load(file, Map.of(), Map.of());
        assertThat(fromFile.port()).isEqualTo(9000);
        assertThat(fromFile.accessTokenTtl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(fromFile.issuer().toString()).isEqualTo("https://crm.example.com");
        assertThat(fromFile.clientIdPrefix()).isEqualTo("vte_");

        Config env = ConfigLoader.load(file, Map.of("OSTIUM_PORT", "9100", "OSTIUM_DB_URL", "jdbc:postgresql://127.0.0.1:5432/ostium"), Map.of());
        assertThat(env.port()).isEqualTo(9100);
        assertThat(env.embeddedDatabase()).isFalse();
        assertThat(env.host()).isEqualTo("0.0.0.0");

        Config flags = ConfigLoader.load(file, Map.of("OSTIUM_PORT", "9100"), Map.of("port", "9200", "access-token-ttl", "90"));
        assertThat(flags.port()).isEqualTo(9200);
        assertThat(flags.accessTokenTtl()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void badValuesAreReportedByName(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("port", "eighty"))).hasMessageContaining("port");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("access-token-ttl", "-5m"))).hasMessageContaining("access-token-ttl");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("db-url", "jdbc:mysql://x"))).hasMessageContaining("db-url");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("issuer", "ftp://x"))).hasMessageContaining("issuer");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("client-id-prefix", "a b"))).hasMessageContaining("client-id-prefix");
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "prot=8080\n");
        assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of())).hasMessageContaining("unknown configuration key 'prot'");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.properties"), Map.of(), Map.of())).isInstanceOf(ConfigException.class);
    }

    @Test
    void durationsReadTheWayPeopleWriteThem() {
        assertThat(Durations.parse("600")).isEqualTo(Duration.ofSeconds(600));
        assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(Durations.parse("14d")).isEqualTo(Duration.ofDays(14));
        assertThat(Durations.parse("PT15M")).isEqualTo(Duration.ofMinutes(15));
        assertThatThrownBy(() -> Durations.parse("0s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("soon")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void accessTokenLifetimesAreBounded() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("access-token-ttl", "3650d")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("access-token-ttl");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), Map.of("access-token-ttl", "5s")))
                .isInstanceOf(ConfigException.class);
        assertThat(ConfigLoader.load(null, Map.of(), Map.of("access-token-ttl", "24h")).accessTokenTtl()).isEqualTo(Duration.ofHours(24));
    }
}
