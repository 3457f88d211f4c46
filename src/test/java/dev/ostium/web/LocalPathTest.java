package dev.ostium.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalPathTest {

    @ParameterizedTest
    @ValueSource(strings = {"/", "/account/", "/oauth2/authorize?client_id=a&state=x%20y&redirect_uri=https%3A%2F%2Fapp.example%2Fcb",
            "/account/apps?page=2"})
    void aPathOfThisServerIsKept(String path) {
        assertThat(LocalPath.parse(path)).contains(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "//evil.example", "//evil.example/path", "/\\evil.example", "\\\\evil.example",
            "/\\/evil.example", "https://evil.example/", "HTTPS://evil.example", "http:evil.example", "javascript:alert(1)",
            "data:text/html,x", "evil.example/path", "./relative", "/\tevil", "/ /evil", "/a\r\nSet-Cookie: x=y",
            "/a\u0000b", "/a\u007fb", "/a\u0085b", "/a#fragment"})
    void anythingABrowserCouldTakeForAnotherPlaceIsRefused(String candidate) {
        assertThat(LocalPath.parse(candidate)).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void nullAndOverlongAreRefused() {
        assertThat(LocalPath.parse(null)).isEmpty();
        assertThat(LocalPath.parse("/" + "a".repeat(LocalPath.MAX_LENGTH))).isEmpty();
    }
}
