package io.bulwark.commerce.auth;

import java.util.OptionalLong;
import java.util.UUID;

/**
 * Where {@link AccessTokens} read a user's current token version: a token issued at an older
 * version (before a logout or a role change) is refused.
 */
@FunctionalInterface
public interface TokenVersions {

  /** The current token version of {@code userId}; empty when there is no such user. */
  OptionalLong current(UUID userId);
}
