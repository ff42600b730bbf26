package io.bulwark.commerce.inventory.http;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.internal.Fields;
import io.bulwark.commerce.internal.Requests;
import io.bulwark.commerce.inventory.CatalogReads;
import io.bulwark.commerce.inventory.Inventory;
import io.bulwark.commerce.inventory.Product;
import io.bulwark.commerce.inventory.Replenishment;
import io.bulwark.commerce.inventory.StockLevel;
import io.bulwark.http.HttpModule;
import io.bulwark.http.Validators;
import io.javalin.Javalin;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * HTTP adapter of catalog and inventory: {@code /api/v1/products}, {@code /api/v1/inventory} and
 * {@code /api/v1/replenishments}.
 */
public final class InventoryHttp implements HttpModule {

  /**
   * How long the gateway's edge cache may serve the catalog without asking: a price change shows
   * within this; every later read revalidates with the ETag.
   */
  static final Duration CATALOG_TTL = Duration.ofSeconds(5);

  /**
   * The header that says which kind of server answered a catalog read: {@code replica} or {@code
   * primary}.
   */
  public static final String READ_SOURCE = "X-Read-Source";

  private final Inventory inventory;
  private final CatalogReads catalog;
  private final AccessTokens tokens;

  /**
   * Routes for {@code inventory}, with the product list and detail read from {@code catalog},
   * authenticating with {@code tokens}.
   */
  public InventoryHttp(Inventory inventory, CatalogReads catalog, AccessTokens tokens) {
    this.inventory = inventory;
    this.catalog = catalog;
    this.tokens = tokens;
  }

  @Override
  public void register(Javalin app) {
    app.get(
        "/api/v1/products",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.CATALOG_READ);
          CatalogReads.Read<List<Product>> read = catalog.products();
          ctx.header(READ_SOURCE, source(read));
          Validators.json(
              ctx, read.value().stream().map(InventoryHttp::view).toList(), CATALOG_TTL);
        });
    app.get(
        "/api/v1/products/{sku}",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.CATALOG_READ);
          String sku = ctx.pathParam("sku");
          CatalogReads.Read<Optional<Product>> read = catalog.product(sku);
          ctx.header(READ_SOURCE, source(read));
          Validators.json(ctx, view(read.value().orElseThrow(() -> notFound(sku))), CATALOG_TTL);
        });
    app.post(
        "/api/v1/products",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.CATALOG_WRITE);
          Fields n =
              Fields.body(
                  ctx, "sku", "name", "price", "currency", "lowStockThreshold", "available");
          String sku = n.string("sku", true, 64);
          String name = n.string("name", true, 200);
          long price = n.integer("price", true, 0, 1_000_000_000_000L);
          String currency = n.string("currency", false, 3);
          Long threshold = n.integer("lowStockThreshold", false, 0, 1_000_000);
          Long initial = n.integer("available", false, 0, 1_000_000_000);
          int available = initial == null ? 0 : initial.intValue();
          Product p =
              new Product(
                  sku,
                  name,
                  price,
                  currency == null ? "EUR" : currency,
                  threshold == null ? 5 : threshold.intValue());
          inventory.create(p, available);
          ctx.status(201).header("Location", "/api/v1/products/" + p.sku()).json(view(p));
        });
    app.get(
        "/api/v1/inventory/{sku}",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.INVENTORY_READ);
          String sku = ctx.pathParam("sku");
          ctx.json(stockView(inventory.stock(sku).orElseThrow(() -> notFound(sku))));
        });
    app.put(
        "/api/v1/inventory/{sku}",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.INVENTORY_WRITE);
          int available =
              Fields.body(ctx, "available").integer("available", true, 0, 1_000_000_000).intValue();
          ctx.json(stockView(inventory.setAvailable(ctx.pathParam("sku"), available)));
        });
    app.post(
        "/api/v1/inventory/{sku}/adjustments",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.INVENTORY_WRITE);
          int delta =
              Fields.body(ctx, "delta")
                  .integer("delta", true, -1_000_000_000, 1_000_000_000)
                  .intValue();
          ctx.json(stockView(inventory.adjust(ctx.pathParam("sku"), delta)));
        });
    app.get(
        "/api/v1/inventory-events",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.INVENTORY_READ);
          int limit = Requests.intQuery(ctx, "limit", 100, 1, 1000);
          ctx.json(inventory.recentEvents(limit).stream().map(InventoryHttp::eventView).toList());
        });
    registerReplenishments(app);
    registerRejection(app);
  }

  private void registerReplenishments(Javalin app) {
    app.get(
        "/api/v1/replenishments",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.INVENTORY_READ);
          Replenishment.Status status = status(ctx.queryParam("status"));
          int limit = Requests.intQuery(ctx, "limit", 100, 1, 1000);
          ctx.json(
              inventory.replenishments(status, limit).stream()
                  .map(InventoryHttp::replenishmentView)
                  .toList());
        });
    app.get(
        "/api/v1/replenishments/{id}",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.INVENTORY_READ);
          UUID id = Requests.uuidPath(ctx, "id");
          ctx.json(
              replenishmentView(
                  inventory
                      .replenishment(id)
                      .orElseThrow(
                          () -> new CommerceException.NotFound("no replenishment " + id))));
        });
    operatorStep(app, "approve", inventory::approve);
    operatorStep(app, "receive", inventory::receive);
  }

  /**
   * {@code POST /api/v1/replenishments/{id}/STEP} with an optional {@code quantity}: an operator
   * moves the request on ({@code 202} with the request as it is now).
   */
  private void operatorStep(
      Javalin app, String step, BiFunction<UUID, Integer, Replenishment> move) {
    app.post(
        "/api/v1/replenishments/{id}/" + step,
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.OPERATE);
          UUID id = Requests.uuidPath(ctx, "id");
          Long quantity = Fields.body(ctx, "quantity").integer("quantity", false, 1, 1_000_000);
          ctx.status(202)
              .json(
                  replenishmentView(move.apply(id, quantity == null ? null : quantity.intValue())));
        });
  }

  private void registerRejection(Javalin app) {
    app.post(
        "/api/v1/replenishments/{id}/reject",
        ctx -> {
          Requests.caller(ctx, tokens).require(Permission.OPERATE);
          UUID id = Requests.uuidPath(ctx, "id");
          String reason = Fields.body(ctx, "reason").string("reason", false, 200);
          ctx.status(202).json(replenishmentView(inventory.reject(id, reason)));
        });
  }

  private static Replenishment.Status status(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    for (Replenishment.Status s : Replenishment.Status.values()) {
      if (s.name().equalsIgnoreCase(raw)) {
        return s;
      }
    }
    throw new CommerceException.InvalidInput(
        "status",
        "status must be one of requested, approved, received, rejected but was \""
            + Requests.abbreviate(raw)
            + "\"");
  }

  static Map<String, Object> replenishmentView(Replenishment r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", r.id());
    m.put("sku", r.sku());
    m.put("quantity", r.quantity());
    m.put("status", r.status().name());
    m.put("waiting", r.waiting());
    if (r.receivedQuantity() != null) {
      m.put("receivedQuantity", r.receivedQuantity());
    }
    m.put("requestedAt", r.requestedAt());
    m.put("updatedAt", r.updatedAt());
    return m;
  }

  private static CommerceException notFound(String sku) {
    return new CommerceException.NotFound(
        "no product with sku \"" + Requests.abbreviate(sku) + "\"");
  }

  private static String source(CatalogReads.Read<?> read) {
    return read.fromReplica() ? "replica" : "primary";
  }

  static Map<String, Object> view(Product p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sku", p.sku());
    m.put("name", p.name());
    m.put("price", p.priceMinor());
    m.put("currency", p.currency());
    m.put("lowStockThreshold", p.lowStockThreshold());
    return m;
  }

  static Map<String, Object> stockView(StockLevel s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sku", s.sku());
    m.put("available", s.available());
    m.put("reserved", s.reserved());
    m.put("lowStockThreshold", s.lowStockThreshold());
    m.put("lowStock", s.available() <= s.lowStockThreshold());
    return m;
  }

  static Map<String, Object> eventView(DomainEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", e.id());
    m.put("type", e.type());
    m.put("position", e.version());
    m.put("occurredAt", e.occurredAt());
    m.put("payload", e.payload());
    return m;
  }
}
