package dev.ostium.restapi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ostium.testing.ServerTest;
import dev.ostium.testing.TestDatabase;
import dev.ostium.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The README's curl session of the REST API, run as written against a real server. */
@ParameterizedClass(name = "{0}")
@EnumSource(TestDatabase.class)
class ReadmeTest extends ServerTest {

    private static final Pattern EXPECTED = Pattern.compile("(?m)^# → (\\d{3})");
    private static final Pattern STATUS = Pattern.compile("(?m)(?:^|})HTTP/[0-9.]+ (\\d{3})");

    @Test
    void theRestApiSessionAnswersAsTheReadmeSays() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("## The REST API with curl");
        assertThat(section).isPositive();
        int start = readme.indexOf("```sh\n", section) + 6;
        String block = readme.substring(start, readme.indexOf("\n```", start));
        List<String> expected = all(EXPECTED, block);
        assertThat(expected).hasSizeGreaterThan(8);

        String token = server.token(server.createService("alice", "rest.all"));
        Path dir = Files.createTempDirectory("ostium-readme-");
        try {
            Path script = dir.resolve("session.sh");
            Files.writeString(script, "set -eu\n" + block + "\n");
            ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().put("BASE", server.base());
            pb.environment().put("TOKEN", token);
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(all(STATUS, out)).as(out).containsExactlyElementsOf(expected);
            assertThat(out).contains("unknown field 'totl' at 1:8; did you mean 'total'?").contains("Idempotent-Replayed: true")
                    .contains("\"email1\":\"is not an email address\"");
        } finally {
            TestServer.deleteTree(dir);
        }
    }

    private static List<String> all(Pattern p, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) out.add(m.group(1));
        return out;
    }
}
