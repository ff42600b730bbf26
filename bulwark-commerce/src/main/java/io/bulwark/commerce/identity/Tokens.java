package io.bulwark.commerce.identity;

import java.util.UUID;

/**
 * What a successful login or refresh returns.
 *
 * @param accessToken JWT to send as {@code Authorization: Bearer …}
 * @param refreshToken one-time token that buys the next pair
 * @param tokenType always {@code Bearer}
 * @param expiresIn access token lifetime in seconds
 * @param userId the user the tokens belong to
 */
public record Tokens(
    String accessToken, String refreshToken, String tokenType, long expiresIn, UUID userId) {}
