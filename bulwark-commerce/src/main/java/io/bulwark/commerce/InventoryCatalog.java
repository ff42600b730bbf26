package io.bulwark.commerce;

import io.bulwark.commerce.inventory.Inventory;
import io.bulwark.commerce.ordering.Catalog;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** Ordering's catalog: names and prices of the inventory context's products. */
final class InventoryCatalog implements Catalog {

  private final Inventory inventory;

  InventoryCatalog(Inventory inventory) {
    this.inventory = inventory;
  }

  @Override
  public Map<String, Entry> find(Collection<String> skus) {
    Map<String, Entry> out = new LinkedHashMap<>();
    inventory
        .products(skus)
        .forEach((sku, p) -> out.put(sku, new Entry(sku, p.name(), p.priceMinor(), p.currency())));
    return out;
  }
}
