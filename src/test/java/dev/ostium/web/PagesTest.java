package dev.ostium.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class PagesTest {

    @Test
    void aFormActionSourceIsTheOriginOrThePrivateScheme() {
        assertThat(Pages.source(URI.create("https://app.example.com/cb?x=1"))).isEqualTo("https://app.example.com");
        assertThat(Pages.source(URI.create("http://127.0.0.1:53412/callback"))).isEqualTo("http://127.0.0.1:53412");
        assertThat(Pages.source(URI.create("http://[::1]:8080/cb"))).isEqualTo("http://[::1]:8080");
        assertThat(Pages.source(URI.create("com.example.app:/oauth2redirect"))).isEqualTo("com.example.app:");
    }

    @Test
    void acceptLanguagePicksASupportedLanguage() {
        assertThat(Pages.fromAcceptLanguage("it-CH, fr;q=0.9")).isEqualTo(Messages.ITALIAN);
        assertThat(Pages.fromAcceptLanguage("fr, en;q=0.5, it;q=0.4")).isEqualTo(Messages.ENGLISH);
        assertThat(Pages.fromAcceptLanguage("de")).isEqualTo(Messages.ENGLISH);
        assertThat(Pages.fromAcceptLanguage(";;;")).isEqualTo(Messages.ENGLISH);
        assertThat(Pages.fromAcceptLanguage(null)).isEqualTo(Messages.ENGLISH);
    }
}
