package io.bulwark.commerce.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** A user's role and the permissions it grants. */
public enum Role {
  /** Shops and orders for themselves. */
  CUSTOMER(EnumSet.of(Permission.CATALOG_READ, Permission.ORDER_CREATE)),
  /** A customer whose orders go first. */
  VIP(EnumSet.of(Permission.CATALOG_READ, Permission.ORDER_CREATE)),
  /** Runs the shop: sees stock, orders and users, rebuilds projections. */
  OPERATOR(
      EnumSet.of(
          Permission.CATALOG_READ,
          Permission.INVENTORY_READ,
          Permission.ORDER_READ_ANY,
          Permission.USER_READ_ANY,
          Permission.OPERATE)),
  /** May do everything. */
  ADMIN(EnumSet.allOf(Permission.class));

  private final Set<Permission> permissions;

  Role(EnumSet<Permission> permissions) {
    this.permissions = Set.copyOf(permissions);
  }

  /** The permissions this role grants. */
  public Set<Permission> permissions() {
    return permissions;
  }

  /** Lower-case name as it appears in tokens and JSON. */
  public String slug() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code slug} (case-insensitive); throws for an unknown name. */
  public static Role of(String slug) {
    for (Role r : values()) {
      if (r.name().equalsIgnoreCase(slug)) {
        return r;
      }
    }
    throw new IllegalArgumentException(
        "role must be one of customer, vip, operator, admin but was \"" + slug + "\"");
  }
}
