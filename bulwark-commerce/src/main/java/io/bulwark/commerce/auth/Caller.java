package io.bulwark.commerce.auth;

import io.bulwark.commerce.CommerceException;
import java.util.Set;
import java.util.UUID;

/**
 * The authenticated user behind a request, as an access token vouches for it, with the permissions
 * their role grants now (read from the roles' data when the token was checked).
 *
 * @param userId the user's id
 * @param username the login name
 * @param role the name of the role whose permissions apply
 * @param permissions what that role grants
 */
public record Caller(UUID userId, String username, String role, Set<Permission> permissions) {

  /** Copies the permissions. */
  public Caller {
    permissions = Set.copyOf(permissions);
  }

  /** A caller holding {@code role} with the permissions it carries. */
  public Caller(UUID userId, String username, Role role) {
    this(userId, username, role.name(), role.permissions());
  }

  /** True when the caller's role grants {@code permission}. */
  public boolean has(Permission permission) {
    return permissions.contains(permission);
  }

  /** Throws {@link CommerceException.Forbidden} unless the caller has {@code permission}. */
  public Caller require(Permission permission) {
    if (!has(permission)) {
      throw new CommerceException.Forbidden(
          "role " + role + " lacks permission " + permission.slug());
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
              + permission.slug()
              + ")");
    }
    return this;
  }
}
