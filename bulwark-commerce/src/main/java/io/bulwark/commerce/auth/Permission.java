package io.bulwark.commerce.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a caller may do: the fixed vocabulary that code checks. Roles (data) grant sets of
 * permissions; endpoints check permissions.
 */
public enum Permission {
  /** Read the catalog. */
  CATALOG_READ,
  /** Create and change products. */
  CATALOG_WRITE,
  /** Read stock levels. */
  INVENTORY_READ,
  /** Set and adjust stock. */
  INVENTORY_WRITE,
  /** Place orders for oneself. */
  ORDER_CREATE,
  /** Read any customer's orders, not only one's own. */
  ORDER_READ_ANY,
  /** Read any user's profile and the roles. */
  USER_READ_ANY,
  /** Change any user's profile and role, and create and change roles. */
  USER_WRITE_ANY,
  /** Rebuild projections and run other operations. */
  OPERATE;

  /** Lower-case name as it appears in JSON and in the roles' data, like {@code order_create}. */
  public String slug() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The permission whose {@link #slug()} is {@code slug}, if there is one. */
  public static Optional<Permission> ofSlug(String slug) {
    for (Permission p : values()) {
      if (p.slug().equals(slug)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
