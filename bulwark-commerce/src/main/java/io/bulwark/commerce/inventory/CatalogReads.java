package io.bulwark.commerce.inventory;

import java.util.List;
import java.util.Optional;

/**
 * The catalog's product list and detail as shoppers browse them: reads that may be slightly stale,
 * so they may run on a replica when the server has one. Ordering does not use this: an order prices
 * its lines and reserves stock on the primary, through {@link Inventory}.
 */
public interface CatalogReads {

  /**
   * What a read returned and which kind of server answered it.
   *
   * @param value the read's result
   * @param fromReplica true when a replica answered, false when the primary did
   */
  record Read<T>(T value, boolean fromReplica) {}

  /** Every product, ordered by SKU. */
  Read<List<Product>> products();

  /** The product with {@code sku}, if there is one (yet, on the server that answered). */
  Read<Optional<Product>> product(String sku);
}
