package io.bulwark.commerce.inventory.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.inventory.InventoryStore;
import io.bulwark.commerce.inventory.Line;
import io.bulwark.commerce.inventory.Product;
import io.bulwark.commerce.inventory.Replenishment;
import io.bulwark.commerce.inventory.StockLevel;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.PostgresTransactions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The {@link InventoryStore} in PostgreSQL (migrations {@code db/migration/inventory}). Stock is
 * changed only by the conditional update of {@link #changeStock}, under a {@code check (available
 * >= 0)} constraint, so no interleaving of requests can oversell.
 */
public final class JdbcInventoryStore implements InventoryStore {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  static final String PRODUCT =
      "select sku, name, price_minor, currency," + " low_stock_threshold from inventory_products";
  private static final String STOCK =
      "select s.sku, s.available, s.reserved, p.low_stock_threshold from inventory_stock s join"
          + " inventory_products p using (sku) where s.sku = ?";

  private final PostgresTransactions tx;

  /** A store working in {@code tx}'s database and transactions. */
  public JdbcInventoryStore(PostgresTransactions tx) {
    this.tx = tx;
  }

  @Override
  public boolean insert(Product p, int available, Instant at) {
    return tx.inTransaction(
        () -> {
          if (tx.update(
                  "insert into inventory_products (sku, name, price_minor, currency,"
                      + " low_stock_threshold, created_at, updated_at) values (?,?,?,?,?,?,?) on"
                      + " conflict (sku) do nothing",
                  p.sku(),
                  p.name(),
                  p.priceMinor(),
                  p.currency(),
                  p.lowStockThreshold(),
                  at,
                  at)
              == 0) {
            return false;
          }
          tx.update(
              "insert into inventory_stock (sku, available, reserved, updated_at) values"
                  + " (?,?,0,?)",
              p.sku(),
              available,
              at);
          return true;
        });
  }

  @Override
  public List<Product> products() {
    return tx.query(PRODUCT + " order by sku", JdbcInventoryStore::product);
  }

  @Override
  public Map<String, Product> products(Collection<String> skus) {
    Map<String, Product> out = new LinkedHashMap<>();
    for (Product p :
        tx.query(PRODUCT + " where sku = any (?)", JdbcInventoryStore::product, skus)) {
      out.put(p.sku(), p);
    }
    return out;
  }

  @Override
  public Optional<StockLevel> stock(String sku) {
    return tx.queryFirst(STOCK, JdbcInventoryStore::stock, sku);
  }

  @Override
  public Optional<StockLevel> lockStock(String sku) {
    return tx.updateFirst(STOCK + " for update of s", JdbcInventoryStore::stock, sku);
  }

  @Override
  public Optional<StockLevel> changeStock(
      String sku, int availableDelta, int reservedDelta, Instant at) {
    return tx.updateFirst(
        "update inventory_stock s set available = available + ?, reserved = reserved + ?,"
            + " updated_at = ? where sku = ? and available + ? >= 0 returning sku, available,"
            + " reserved, (select low_stock_threshold from inventory_products p where p.sku ="
            + " s.sku)",
        JdbcInventoryStore::stock,
        availableDelta,
        reservedDelta,
        at,
        sku,
        availableDelta);
  }

  @Override
  public boolean insertReservation(UUID id, String status, Instant expiresAt, Instant at) {
    return tx.update(
            "insert into inventory_reservations (id, status, expires_at, created_at, updated_at)"
                + " values (?, ?, ?, ?, ?) on conflict (id) do nothing",
            id,
            status,
            expiresAt,
            at,
            at)
        == 1;
  }

  @Override
  public void insertLine(UUID id, Line line) {
    tx.update(
        "insert into inventory_reservation_lines (reservation_id, sku, quantity) values (?,?,?)",
        id,
        line.sku(),
        line.quantity());
  }

  @Override
  public List<Line> lines(UUID id) {
    return tx.query(
        "select sku, quantity from inventory_reservation_lines where reservation_id = ? order by"
            + " sku",
        rs -> new Line(rs.getString(1), rs.getInt(2)),
        id);
  }

  @Override
  public Optional<String> reservationStatus(UUID id) {
    return tx.queryFirst(
        "select status from inventory_reservations where id = ?", rs -> rs.getString(1), id);
  }

  @Override
  public boolean leaveHeld(UUID id, String status, Instant at) {
    return tx.update(
            "update inventory_reservations set status = ?, updated_at = ? where id = ? and status"
                + " = 'HELD'",
            status,
            at,
            id)
        == 1;
  }

  @Override
  public List<UUID> expiredHeld(Instant now, int limit) {
    return tx.query(
        "select id from inventory_reservations where status = 'HELD' and expires_at < ? order by"
            + " expires_at limit ?",
        rs -> rs.getObject(1, UUID.class),
        now,
        limit);
  }

  private static final String REPLENISHMENT =
      "select id, sku, quantity, status, received_quantity, requested_at, updated_at, task_token"
          + " from inventory_replenishments";

  @Override
  public boolean insertReplenishment(UUID id, String sku, int quantity, Instant at) {
    return tx.update(
            "insert into inventory_replenishments (id, sku, quantity, status, requested_at,"
                + " updated_at) values (?,?,?,'REQUESTED',?,?) on conflict do nothing",
            id,
            sku,
            quantity,
            at,
            at)
        == 1;
  }

  @Override
  public Optional<StoredReplenishment> replenishment(UUID id) {
    return tx.queryFirst(REPLENISHMENT + " where id = ?", JdbcInventoryStore::replenishment, id);
  }

  @Override
  public Optional<StoredReplenishment> lockReplenishment(UUID id) {
    return tx.updateFirst(
        REPLENISHMENT + " where id = ? for update", JdbcInventoryStore::replenishment, id);
  }

  @Override
  public List<Replenishment> replenishments(Replenishment.Status status, int limit) {
    return tx.query(
        REPLENISHMENT
            + " where (?::text is null or status = ?::text) order by requested_at desc, id desc"
            + " limit ?",
        rs -> replenishment(rs).request(),
        status == null ? null : status.name(),
        status == null ? null : status.name(),
        limit);
  }

  @Override
  public void awaitReplenishment(
      UUID id, Replenishment.Status status, Integer quantity, String taskToken, Instant at) {
    tx.update(
        "update inventory_replenishments set status = ?, quantity = coalesce(?, quantity),"
            + " task_token = ?, updated_at = ? where id = ? and status <> 'RECEIVED'",
        status.name(),
        quantity,
        taskToken,
        at,
        id);
  }

  @Override
  public void clearReplenishmentToken(UUID id, Instant at) {
    tx.update(
        "update inventory_replenishments set task_token = null, updated_at = ? where id = ?",
        at,
        id);
  }

  @Override
  public boolean markReplenishmentReceived(UUID id, int quantity, Instant at) {
    return tx.update(
            "update inventory_replenishments set status = 'RECEIVED', received_quantity = ?,"
                + " task_token = null, updated_at = ? where id = ? and status = 'APPROVED'",
            quantity,
            at,
            id)
        == 1;
  }

  @Override
  public boolean markReplenishmentRejected(UUID id, Instant at) {
    return tx.update(
            "update inventory_replenishments set status = 'REJECTED', task_token = null,"
                + " updated_at = ? where id = ? and status = 'REQUESTED'",
            at,
            id)
        == 1;
  }

  private static StoredReplenishment replenishment(ResultSet rs) throws SQLException {
    String token = rs.getString(8);
    return new StoredReplenishment(
        new Replenishment(
            rs.getObject(1, UUID.class),
            rs.getString(2),
            rs.getInt(3),
            Replenishment.Status.valueOf(rs.getString(4)),
            rs.getObject(5, Integer.class),
            rs.getTimestamp(6).toInstant(),
            rs.getTimestamp(7).toInstant(),
            token != null),
        token);
  }

  @Override
  public void record(DomainEvent e) {
    tx.update(
        "insert into inventory_events (id, type, sku, payload, occurred_at) values"
            + " (?,?,?,?::jsonb,?)",
        e.id(),
        e.type(),
        e.aggregateId().isEmpty() ? null : e.aggregateId(),
        Json.write(e.payload()),
        e.occurredAt());
  }

  @Override
  public List<DomainEvent> recentEvents(int limit) {
    return tx.query(
        "select id, type, coalesce(sku, ''), occurred_at, position, payload::text from (select *"
            + " from inventory_events order by position desc limit ?) e order by position",
        rs ->
            new DomainEvent(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                rs.getTimestamp(4).toInstant(),
                rs.getLong(5),
                payload(rs.getString(6))),
        limit);
  }

  private static Map<String, Object> payload(String json) {
    try {
      return Json.mapper().readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable inventory event payload: " + json, e);
    }
  }

  private static StockLevel stock(ResultSet rs) throws SQLException {
    return new StockLevel(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4));
  }

  static Product product(ResultSet rs) throws SQLException {
    return new Product(
        rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getInt(5));
  }
}
