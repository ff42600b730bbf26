package io.bulwark.commerce.ordering;

import io.bulwark.commerce.events.DomainEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The events of an order stream: their names, payloads, and how they fold into an {@link Order}.
 */
public final class OrderEvents {

  /** The order was accepted with catalog prices. */
  public static final String PLACED = "OrderPlaced";

  /** Inventory holds the order's stock. */
  public static final String INVENTORY_RESERVED = "InventoryReserved";

  /** The payment was taken. */
  public static final String PAYMENT_CHARGED = "PaymentCharged";

  /** Stock committed; the order is done. */
  public static final String CONFIRMED = "OrderConfirmed";

  /** The order failed; stock released, payment refunded. */
  public static final String FAILED = "OrderFailed";

  private OrderEvents() {}

  static Map<String, Object> placed(
      Customers.Customer customer,
      List<OrderItem> items,
      long total,
      String currency,
      ShippingAddress shippingAddress) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("customerId", customer.id().toString());
    m.put("customerName", customer.name());
    m.put(
        "items",
        items.stream()
            .map(
                i -> {
                  Map<String, Object> line = new LinkedHashMap<>();
                  line.put("sku", i.sku());
                  line.put("name", i.name());
                  line.put("quantity", i.quantity());
                  line.put("unitPrice", i.unitPriceMinor());
                  return line;
                })
            .toList());
    m.put("total", total);
    m.put("currency", currency);
    m.put("vip", customer.vip());
    if (shippingAddress != null) {
      m.put("shippingAddress", shippingAddress.toMap());
    }
    return m;
  }

  /** The order that {@code events} (one stream, oldest first) describe. */
  public static Order fold(UUID id, List<DomainEvent> events) {
    if (events.isEmpty() || !events.get(0).type().equals(PLACED)) {
      throw new IllegalStateException("order " + id + " has no " + PLACED + " event");
    }
    DomainEvent first = events.get(0);
    Map<String, Object> p = first.payload();
    OrderStatus status = OrderStatus.PENDING;
    String reason = null;
    Instant updated = first.occurredAt();
    for (DomainEvent e : events.subList(1, events.size())) {
      updated = e.occurredAt();
      if (e.type().equals(CONFIRMED)) {
        status = OrderStatus.CONFIRMED;
      } else if (e.type().equals(FAILED)) {
        status = OrderStatus.FAILED;
        reason = String.valueOf(e.payload().get("reason"));
      }
    }
    return new Order(
        id,
        UUID.fromString((String) p.get("customerId")),
        (String) p.get("customerName"),
        items(p.get("items")),
        ((Number) p.get("total")).longValue(),
        (String) p.get("currency"),
        status,
        reason,
        first.occurredAt(),
        updated,
        events.size(),
        ShippingAddress.fromMap(p.get("shippingAddress")));
  }

  /** The items of an {@code OrderPlaced} payload's {@code items} list (as JSON reads it). */
  public static List<OrderItem> items(Object raw) {
    List<OrderItem> out = new ArrayList<>();
    for (Object o : (List<?>) raw) {
      Map<?, ?> m = (Map<?, ?>) o;
      out.add(
          new OrderItem(
              (String) m.get("sku"),
              (String) m.get("name"),
              ((Number) m.get("quantity")).intValue(),
              ((Number) m.get("unitPrice")).longValue()));
    }
    return out;
  }
}
