package dev.ostium.account;

/** The logout confirmation. */
public record LogoutView(String displayName) {}
