package dev.ostium.apps;

import java.time.Instant;
import java.util.Set;

/** A named set of allowed scopes, token format and lifetimes that apps are created from and follow. */
public record ClientTemplate(long id, String name, String description, Set<String> scopes, TokenFormat tokenFormat,
                             Lifetimes lifetimes, Instant createdAt, Instant updatedAt) {}
