package io.bulwark.commerce.auth;

import java.util.Set;

/**
 * What each role grants, as the permission check reads it. Implementations read the roles' data
 * (the identity context's tables, through a short cache) so that a change to a role takes effect
 * within seconds, without new tokens.
 */
@FunctionalInterface
public interface Roles {

  /** The permissions role {@code name} grants; empty for a role that does not exist. */
  Set<Permission> permissions(String name);

  /** The built-in roles only, as seeded: for tools and tests that have no database. */
  static Roles builtIn() {
    return name -> Role.ofBuiltIn(name).map(Role::permissions).orElse(Set.of());
  }
}
