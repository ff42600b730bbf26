package io.bulwark.commerce.auth;

import io.bulwark.commerce.CommerceException;
import java.util.UUID;

/**
 * The authenticated user behind a request, as an access token vouches for it.
 *
 * @param userId the user's id
 * @param username the login name
 * @param role the role whose permissions apply
 */
public record Caller(UUID userId, String username, Role role) {

  /** True when the caller's role grants {@code permission}. */
  public boolean has(Permission permission) {
    return role.permissions().contains(permission);
  }

  /** Throws {@link CommerceException.Forbidden} unless the caller has {@code permission}. */
  public Caller require(Permission permission) {
    if (!has(permission)) {
      throw new CommerceException.Forbidden(
          "role " + role.slug() + " lacks permission " + permission.name().toLowerCase());
    }
    return this;
  }

  /** Allows the caller acting on their own {@code userId}, or one holding {@code permission}. */
  public Caller requireSelfOr(UUID userId, Permission permission) {
    if (!this.userId.equals(userId) && !has(permission)) {
      throw new CommerceException.Forbidden(
          "user "
              + this.userId
              + " may not access another user's data (needs "
              + permission.name().toLowerCase()
              + ")");
    }
    return this;
  }
}
