package dev.ostium.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ostium.config.ConfigLoader;
import dev.ostium.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MasterKeyTest {

    @Test
    void sealedValuesOpenOnlyWithTheSameKeyAndAssociatedData() {
        MasterKey key = new MasterKey(new byte[32]);
        String sealed = key.seal("secret material", "kid-1");
        assertThat(sealed).doesNotContain("secret material");
        assertThat(key.open(sealed, "kid-1")).isEqualTo("secret material");
        assertThatThrownBy(() -> key.open(sealed, "kid-2")).isInstanceOf(IllegalStateException.class);
        byte[] other = new byte[32];
        other[0] = 1;
        assertThatThrownBy(() -> new MasterKey(other).open(sealed, "kid-1")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aKeyIsGeneratedIntoTheDataDirectoryOnFirstStartAndReusedAfter() throws Exception {
        Path dir = TestDatabase.tempDir();
        var config = ConfigLoader.load(null, Map.of(), Map.of("data-dir", dir.toString()));
        MasterKey first = MasterKey.load(config);
        Path file = dir.resolve("master.key");
        assertThat(file).exists();
        assertThat(Files.getPosixFilePermissions(file).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
        String sealed = first.seal("x", "y");
        assertThat(MasterKey.load(config).open(sealed, "y")).isEqualTo("x");
    }
}
