package dev.ostium.apps;

import java.util.List;

/**
 * What an admin sends to create or change a client template; on update a null field keeps its value.
 * Lifetimes are in seconds.
 *
 * @param refreshRetryWindow seconds (0 to 60) during which a client may present its just-rotated refresh
 *                           token again and get back the same pair; 0 (the default) turns it off
 */
public record TemplateSpec(
        String name,
        String description,
        List<String> scopes,
        String tokenFormat,
        Long codeTtl,
        Long accessTokenTtl,
        Long refreshTokenTtl,
        Long idTokenTtl,
        Long refreshRetryWindow) {}
