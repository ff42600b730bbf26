package io.bulwark.commerce.auth;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A role and the permissions it grants. Roles are data (the identity context's {@code
 * identity_roles} table); the four built-in ones below are seeded rows that cannot be changed.
 *
 * @param name lower-case name, as it appears in tokens and JSON (see {@link #NAME})
 * @param permissions what the role grants
 */
public record Role(String name, Set<Permission> permissions) {

  /** What a role name looks like: 2 to 32 lower-case letters, digits, '_' or '-'. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{1,31}");

  /** Shops and orders for themselves. */
  public static final Role CUSTOMER =
      new Role("customer", EnumSet.of(Permission.CATALOG_READ, Permission.ORDER_CREATE));

  /** A customer whose orders go first. */
  public static final Role VIP =
      new Role("vip", EnumSet.of(Permission.CATALOG_READ, Permission.ORDER_CREATE));

  /** Runs the shop: sees stock, orders and users, rebuilds projections. */
  public static final Role OPERATOR =
      new Role(
          "operator",
          EnumSet.of(
              Permission.CATALOG_READ,
              Permission.INVENTORY_READ,
              Permission.ORDER_READ_ANY,
              Permission.USER_READ_ANY,
              Permission.OPERATE));

  /** May do everything. */
  public static final Role ADMIN = new Role("admin", EnumSet.allOf(Permission.class));

  /** The built-in roles, as seeded by the identity migration {@code V2}. */
  public static final List<Role> BUILT_IN = List.of(CUSTOMER, VIP, OPERATOR, ADMIN);

  /**
   * Checks the name and copies the permissions.
   *
   * @throws IllegalArgumentException when the name does not match {@link #NAME}
   */
  public Role {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "role name must be 2 to 32 lower-case letters, digits, '_' or '-' starting with a"
              + " letter but was \""
              + name
              + "\"");
    }
    permissions = Set.copyOf(permissions);
  }

  /** True for the four seeded roles, which cannot be changed. */
  public boolean builtIn() {
    return builtIn(name);
  }

  /** True when {@code name} is one of the four seeded roles. */
  public static boolean builtIn(String name) {
    return BUILT_IN.stream().anyMatch(r -> r.name.equals(name));
  }

  /** The built-in role named {@code name}, if it is one. */
  public static Optional<Role> ofBuiltIn(String name) {
    return BUILT_IN.stream().filter(r -> r.name.equals(name)).findFirst();
  }
}
