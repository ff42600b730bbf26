package io.bulwark.commerce.ordering;

import java.util.Collection;
import java.util.Map;

/** Ordering's query port to the catalog: names and prices, never taken from the client. */
@FunctionalInterface
public interface Catalog {

  /** The products among {@code skus} that exist, by sku. */
  Map<String, Entry> find(Collection<String> skus);

  /**
   * A product as ordering sees it.
   *
   * @param sku product key
   * @param name display name
   * @param priceMinor unit price in minor units
   * @param currency ISO 4217 code
   */
  record Entry(String sku, String name, long priceMinor, String currency) {}
}
