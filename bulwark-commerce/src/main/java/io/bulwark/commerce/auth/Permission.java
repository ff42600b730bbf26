package io.bulwark.commerce.auth;

/** What a caller may do. Roles grant sets of permissions; endpoints check permissions. */
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
  /** Read any user's profile. */
  USER_READ_ANY,
  /** Change any user's profile and role. */
  USER_WRITE_ANY,
  /** Rebuild projections and run other operations. */
  OPERATE
}
