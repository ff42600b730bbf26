package io.bulwark.commerce.ordering.http;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.internal.Fields;
import io.bulwark.commerce.internal.Requests;
import io.bulwark.commerce.ordering.CustomerStats;
import io.bulwark.commerce.ordering.Order;
import io.bulwark.commerce.ordering.OrderItem;
import io.bulwark.commerce.ordering.OrderProjection;
import io.bulwark.commerce.ordering.OrderQueries;
import io.bulwark.commerce.ordering.OrderSaga;
import io.bulwark.commerce.ordering.OrderService;
import io.bulwark.commerce.ordering.OrderStatus;
import io.bulwark.commerce.ordering.PlaceOrder;
import io.bulwark.commerce.ordering.ShippingAddress;
import io.bulwark.http.HttpModule;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * HTTP adapter of ordering: {@code POST /api/v1/orders} (honouring {@code Idempotency-Key}), {@code
 * GET /api/v1/orders/{id}}, {@code GET /api/v1/customers/{id}/orders} and {@code /stats}, and
 * {@code POST /api/v1/admin/projections/orders/rebuild}.
 */
public final class OrderingHttp implements HttpModule {

  private final OrderService commands;
  private final OrderQueries queries;
  private final OrderProjection projection;
  private final AccessTokens tokens;

  /** Routes over the command and query sides. */
  public OrderingHttp(
      OrderService commands,
      OrderQueries queries,
      OrderProjection projection,
      AccessTokens tokens) {
    this.commands = commands;
    this.queries = queries;
    this.projection = projection;
    this.tokens = tokens;
  }

  @Override
  public void register(Javalin app) {
    app.post(
        "/api/v1/orders",
        ctx -> {
          Caller caller = Requests.caller(ctx, tokens).require(Permission.ORDER_CREATE);
          Fields body = Fields.body(ctx, "items", "shippingAddress");
          OrderService.Placed placed =
              commands.place(
                  new PlaceOrder(
                      caller.userId(), lines(body), ctx.header("Idempotency-Key"), address(body)));
          if (placed.replayed()) {
            ctx.header("Idempotent-Replayed", "true");
          }
          ctx.status(202)
              .header("Location", "/api/v1/orders/" + placed.order().id())
              .json(view(placed.order()));
        });
    app.get(
        "/api/v1/orders/{id}",
        ctx -> {
          Caller caller = Requests.caller(ctx, tokens);
          UUID id = Requests.uuidPath(ctx, "id");
          Order order =
              queries.order(id).orElseThrow(() -> new CommerceException.NotFound("no order " + id));
          caller.requireSelfOr(order.customerId(), Permission.ORDER_READ_ANY);
          ctx.json(view(order));
        });
    app.get(
        "/api/v1/customers/{id}/orders",
        ctx -> {
          Caller caller = Requests.caller(ctx, tokens);
          UUID id = customer(ctx, caller);
          OrderStatus status = status(ctx.queryParam("status"));
          Instant from = Requests.instantQuery(ctx, "from");
          Instant to = Requests.instantQuery(ctx, "to");
          if (from != null && to != null && !from.isBefore(to)) {
            throw new CommerceException.InvalidInput(
                "from", "from must be before to but was " + from + " >= " + to);
          }
          int limit = Requests.intQuery(ctx, "limit", 20, 1, 100);
          int offset = Requests.intQuery(ctx, "offset", 0, 0, 100_000);
          OrderQueries.Page page = queries.customerOrders(id, status, from, to, limit, offset);
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("items", page.items().stream().map(OrderingHttp::view).toList());
          m.put("nextOffset", page.nextOffset());
          ctx.json(m);
        });
    app.get(
        "/api/v1/customers/{id}/stats",
        ctx -> {
          Caller caller = Requests.caller(ctx, tokens);
          UUID id = customer(ctx, caller);
          CustomerStats s = queries.stats(id);
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("customerId", s.customerId());
          m.put("customerName", s.customerName());
          m.put("orderCount", s.orderCount());
          m.put("confirmedCount", s.confirmedCount());
          m.put("failedCount", s.failedCount());
          m.put("totalSpent", s.totalSpentMinor());
          m.put("averageOrderValue", s.averageOrderValueMinor());
          m.put("currency", s.currency());
          m.put("lastOrderId", s.lastOrderId());
          m.put("lastOrderAt", s.lastOrderAt());
          ctx.json(m);
        });
    app.post(
        "/api/v1/admin/projections/orders/rebuild",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.OPERATE);
          int events = projection.rebuild();
          ctx.json(Map.of("projection", "orders", "eventsApplied", events));
        });
  }

  private static List<PlaceOrder.Line> lines(Fields body) {
    List<PlaceOrder.Line> out = new ArrayList<>();
    for (Fields item : body.objects("items", true, 1, OrderService.MAX_LINES, "sku", "quantity")) {
      String sku = item.string("sku", true, 64);
      long quantity = item.integer("quantity", true, 1, OrderService.MAX_QUANTITY);
      out.add(new PlaceOrder.Line(sku, (int) quantity));
    }
    return out;
  }

  private static ShippingAddress address(Fields body) {
    Fields a =
        body.object(
            "shippingAddress", false, "name", "line1", "line2", "city", "postalCode", "country");
    if (a == null) {
      return null;
    }
    return ShippingAddress.of(
        a.path(),
        a.string("name", false, ShippingAddress.MAX_NAME),
        a.string("line1", false, ShippingAddress.MAX_LINE),
        a.string("line2", false, ShippingAddress.MAX_LINE),
        a.string("city", false, ShippingAddress.MAX_NAME),
        a.string("postalCode", false, ShippingAddress.MAX_POSTAL_CODE),
        a.string("country", false, 2));
  }

  private static OrderStatus status(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return OrderStatus.valueOf(raw.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CommerceException.InvalidInput(
          "status",
          "status must be PENDING, CONFIRMED or FAILED but was \""
              + Requests.abbreviate(raw)
              + "\"",
          e);
    }
  }

  /** The JSON shape of an order. */
  public static Map<String, Object> view(Order o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", o.id());
    m.put("status", o.status().name());
    if (o.reason() != null) {
      m.put("reason", o.reason());
    }
    m.put("customerId", o.customerId());
    m.put("customerName", o.customerName());
    List<Map<String, Object>> items = new ArrayList<>();
    for (OrderItem i : o.items()) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("sku", i.sku());
      line.put("name", i.name());
      line.put("quantity", i.quantity());
      line.put("unitPrice", i.unitPriceMinor());
      line.put("lineTotal", i.lineTotalMinor());
      items.add(line);
    }
    m.put("items", items);
    if (o.shippingAddress() != null) {
      m.put("shippingAddress", o.shippingAddress().toMap());
    }
    m.put("total", o.totalMinor());
    m.put("currency", o.currency());
    m.put("createdAt", o.createdAt());
    m.put("updatedAt", o.updatedAt());
    m.put("sagaExecutionArn", OrderSaga.executionArn(o.id()));
    return m;
  }

  /**
   * The customer the {@code {id}} path segment names, {@code me} being the caller; only the caller
   * or someone who may read any order gets there.
   */
  private static UUID customer(Context ctx, Caller caller) {
    UUID id = "me".equals(ctx.pathParam("id")) ? caller.userId() : Requests.uuidPath(ctx, "id");
    caller.requireSelfOr(id, Permission.ORDER_READ_ANY);
    return id;
  }
}
