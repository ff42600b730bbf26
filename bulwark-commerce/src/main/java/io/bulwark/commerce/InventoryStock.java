package io.bulwark.commerce;

import io.bulwark.commerce.inventory.Inventory;
import io.bulwark.commerce.inventory.Line;
import io.bulwark.commerce.inventory.Reservation;
import io.bulwark.commerce.ordering.Stock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Ordering's stock commands as inventory reservations keyed by the order id. */
final class InventoryStock implements Stock {

  private final Inventory inventory;

  InventoryStock(Inventory inventory) {
    this.inventory = inventory;
  }

  @Override
  public String reserve(UUID orderId, Map<String, Integer> quantities) {
    List<Line> lines = new ArrayList<>();
    quantities.forEach((sku, q) -> lines.add(new Line(sku, q)));
    return switch (inventory.reserve(orderId, lines)) {
      case Reservation.Held h -> null;
      case Reservation.Insufficient i ->
          "insufficient stock: "
              + i.sku()
              + " requested "
              + i.requested()
              + ", available "
              + i.available();
      case Reservation.Released r -> "insufficient stock: reservation already released";
    };
  }

  @Override
  public boolean commit(UUID orderId) {
    return inventory.commit(orderId);
  }

  @Override
  public void release(UUID orderId) {
    inventory.release(orderId);
  }
}
