package dev.ostium.account;

/** The account landing page. */
public record AccountView(String displayName, String username, String email, String signedInSince) {}
