package dev.ostium.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessagesTest {

    private static final Messages ALL = new Messages(dev.ostium.Ostium.MESSAGE_BUNDLES);

    @Test
    void everyStringExistsInEnglishAndInItalian() {
        assertThat(ALL.keys(Messages.ITALIAN)).isEqualTo(ALL.keys(Messages.ENGLISH));
        for (String key : ALL.keys(Messages.ENGLISH)) {
            assertThat(ALL.text(Messages.ENGLISH, key)).as(key).isNotBlank();
            assertThat(ALL.text(Messages.ITALIAN, key)).as(key).isNotBlank();
        }
    }

    @Test
    void placeholdersAreReplacedLiterallySoApostrophesSurvive() {
        assertThat(ALL.text(Messages.ITALIAN, "autopost.title")).isEqualTo("Ritorno all'applicazione");
        assertThat(ALL.text(Messages.ENGLISH, "layout.signed_in_as", "Alice")).isEqualTo("Signed in as Alice");
        assertThat(ALL.text(Messages.ITALIAN, "layout.signed_in_as", "{1}")).isEqualTo("Accesso effettuato come {1}");
    }

    @Test
    void anUnsupportedLanguageFallsBackToEnglish() {
        assertThat(ALL.text(java.util.Locale.GERMAN, "login.title")).isEqualTo("Sign in");
    }
}
