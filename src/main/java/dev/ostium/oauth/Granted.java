package dev.ostium.oauth;

import dev.ostium.tokens.AccessTokens;

/** What a grant hands the client: an access token, and a refresh token and an ID token when due. */
public record Granted(AccessTokens.Issued access, String refreshToken, String idToken) {

    public static Granted accessOnly(AccessTokens.Issued access) {
        return new Granted(access, null, null);
    }
}
