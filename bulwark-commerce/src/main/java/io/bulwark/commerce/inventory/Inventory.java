package io.bulwark.commerce.inventory;

import static io.bulwark.commerce.internal.Transactions.ts;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.commerce.internal.Transactions;
import io.bulwark.kernel.Ids;
import io.bulwark.kernel.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The catalog and inventory context. Stock is changed only by conditional updates ({@code available
 * >= n}) under a {@code check (available >= 0)} constraint, so no interleaving of requests can
 * oversell. Reservations are keyed by the caller's id (the order id), which makes reserve, commit
 * and release idempotent: a saga may retry any of them after a crash.
 */
public final class Inventory {

  private static final Pattern SKU = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

  private final Transactions tx;
  private final EventBus bus;
  private final Duration reservationTtl;
  private final Clock clock;

  /** Inventory over {@code dataSource}, publishing events on {@code bus}. */
  public Inventory(DataSource dataSource, EventBus bus, Duration reservationTtl, Clock clock) {
    this.tx = new Transactions(dataSource);
    this.bus = bus;
    this.reservationTtl = reservationTtl;
    this.clock = clock;
  }

  /**
   * Adds a product with {@code initialStock} units.
   *
   * @throws CommerceException.InvalidInput naming the field that breaks a rule
   * @throws CommerceException.Conflict when the sku exists
   */
  public Product create(Product p, int initialStock) {
    validate(p);
    if (initialStock < 0) {
      throw new CommerceException.InvalidInput(
          "$.available", "available must be >= 0 but was " + initialStock);
    }
    Instant now = clock.instant();
    List<DomainEvent> events = new ArrayList<>();
    boolean created =
        tx.inTransaction(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "insert into inventory_products (sku, name, price_minor, currency,"
                          + " low_stock_threshold, created_at, updated_at) values (?,?,?,?,?,?,?)"
                          + " on conflict (sku) do nothing")) {
                ps.setString(1, p.sku());
                ps.setString(2, p.name());
                ps.setLong(3, p.priceMinor());
                ps.setString(4, p.currency());
                ps.setInt(5, p.lowStockThreshold());
                ps.setTimestamp(6, ts(now));
                ps.setTimestamp(7, ts(now));
                if (ps.executeUpdate() == 0) {
                  return false;
                }
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "insert into inventory_stock (sku, available, reserved, updated_at) values"
                          + " (?,?,0,?)")) {
                ps.setString(1, p.sku());
                ps.setInt(2, initialStock);
                ps.setTimestamp(3, ts(now));
                ps.executeUpdate();
              }
              stockEvents(c, events, p.sku(), initialStock, 0, p.lowStockThreshold(), "created");
              return true;
            });
    if (!created) {
      throw new CommerceException.Conflict(
          "sku-exists", "a product with sku \"" + p.sku() + "\" already exists");
    }
    events.forEach(bus::publish);
    return p;
  }

  /** Every product, ordered by sku. */
  public List<Product> products() {
    return tx.read(
        c -> {
          try (PreparedStatement ps =
                  c.prepareStatement(
                      "select sku, name, price_minor, currency, low_stock_threshold from"
                          + " inventory_products order by sku");
              ResultSet rs = ps.executeQuery()) {
            List<Product> out = new ArrayList<>();
            while (rs.next()) {
              out.add(product(rs));
            }
            return out;
          }
        });
  }

  /** The products among {@code skus} that exist, by sku. */
  public Map<String, Product> products(Collection<String> skus) {
    return tx.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select sku, name, price_minor, currency, low_stock_threshold from"
                      + " inventory_products where sku = any (?)")) {
            ps.setArray(1, c.createArrayOf("text", skus.toArray()));
            Map<String, Product> out = new LinkedHashMap<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                Product p = product(rs);
                out.put(p.sku(), p);
              }
            }
            return out;
          }
        });
  }

  /** Stock of {@code sku}, if the product exists. */
  public Optional<StockLevel> stock(String sku) {
    return tx.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select s.sku, s.available, s.reserved, p.low_stock_threshold from"
                      + " inventory_stock s join inventory_products p using (sku) where s.sku ="
                      + " ?")) {
            ps.setString(1, sku);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(
                      new StockLevel(rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)))
                  : Optional.empty();
            }
          }
        });
  }

  /**
   * Sets the available stock of {@code sku} to {@code available}.
   *
   * @throws CommerceException.NotFound for an unknown sku
   */
  public StockLevel setAvailable(String sku, int available) {
    if (available < 0) {
      throw new CommerceException.InvalidInput(
          "$.available", "available must be >= 0 but was " + available);
    }
    return changeStock(sku, true, available, "set");
  }

  /**
   * Adds {@code delta} (may be negative) to the available stock of {@code sku}.
   *
   * @throws CommerceException.Conflict when that would take stock below zero
   */
  public StockLevel adjust(String sku, int delta) {
    return changeStock(sku, false, delta, "adjusted");
  }

  private StockLevel changeStock(String sku, boolean absolute, int value, String reason) {
    List<DomainEvent> events = new ArrayList<>();
    StockLevel level =
        tx.inTransaction(
            c -> {
              StockLevel before = lockStock(c, sku);
              long after = absolute ? value : (long) before.available() + value;
              if (after < 0 || after > Integer.MAX_VALUE) {
                throw new CommerceException.Conflict(
                    "stock-out-of-range",
                    "stock of "
                        + sku
                        + " would become "
                        + after
                        + " (available "
                        + before.available()
                        + ", change "
                        + value
                        + ")");
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "update inventory_stock set available = ?, updated_at = ? where sku = ?")) {
                ps.setInt(1, (int) after);
                ps.setTimestamp(2, ts(clock.instant()));
                ps.setString(3, sku);
                ps.executeUpdate();
              }
              StockLevel now =
                  new StockLevel(sku, (int) after, before.reserved(), before.lowStockThreshold());
              stockEvents(
                  c, events, sku, now.available(), now.reserved(), now.lowStockThreshold(), reason);
              return now;
            });
    events.forEach(bus::publish);
    return level;
  }

  /**
   * Holds {@code lines} under {@code reservationId} until committed, released or expired. All or
   * nothing: when any line lacks stock, nothing is held and the shortfall is reported.
   */
  public Reservation reserve(UUID reservationId, List<Line> lines) {
    List<Line> sorted =
        lines.stream().sorted(Comparator.comparing(Line::sku)).toList(); // one lock order
    List<DomainEvent> events = new ArrayList<>();
    Reservation outcome;
    try {
      outcome =
          tx.inTransaction(
              c -> {
                Instant now = clock.instant();
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "insert into inventory_reservations (id, status, expires_at, created_at,"
                            + " updated_at) values (?, 'HELD', ?, ?, ?) on conflict (id) do"
                            + " nothing")) {
                  ps.setObject(1, reservationId);
                  ps.setTimestamp(2, ts(now.plus(reservationTtl)));
                  ps.setTimestamp(3, ts(now));
                  ps.setTimestamp(4, ts(now));
                  if (ps.executeUpdate() == 0) {
                    String status = status(c, reservationId);
                    return status.equals("HELD") || status.equals("COMMITTED")
                        ? new Reservation.Held()
                        : new Reservation.Released();
                  }
                }
                for (Line line : sorted) {
                  try (PreparedStatement ps =
                      c.prepareStatement(
                          "update inventory_stock s set available = available - ?, reserved ="
                              + " reserved + ?, updated_at = ? where sku = ? and available >= ?"
                              + " returning available, reserved, (select low_stock_threshold"
                              + " from inventory_products p where p.sku = s.sku)")) {
                    ps.setInt(1, line.quantity());
                    ps.setInt(2, line.quantity());
                    ps.setTimestamp(3, ts(now));
                    ps.setString(4, line.sku());
                    ps.setInt(5, line.quantity());
                    try (ResultSet rs = ps.executeQuery()) {
                      if (!rs.next()) {
                        throw new Shortfall(
                            new Reservation.Insufficient(
                                line.sku(), line.quantity(), available(c, line.sku())));
                      }
                      int available = rs.getInt(1);
                      int threshold = rs.getInt(3);
                      if (available <= threshold && available + line.quantity() > threshold) {
                        events.add(
                            record(
                                c,
                                "LowStockAlert",
                                line.sku(),
                                Map.of(
                                    "sku", line.sku(),
                                    "available", available,
                                    "threshold", threshold)));
                      }
                    }
                  }
                  try (PreparedStatement ps =
                      c.prepareStatement(
                          "insert into inventory_reservation_lines (reservation_id, sku,"
                              + " quantity) values (?,?,?)")) {
                    ps.setObject(1, reservationId);
                    ps.setString(2, line.sku());
                    ps.setInt(3, line.quantity());
                    ps.executeUpdate();
                  }
                }
                events.add(
                    0,
                    record(
                        c,
                        "InventoryReserved",
                        null,
                        Map.of(
                            "reservationId",
                            reservationId.toString(),
                            "lines",
                            linesJson(sorted))));
                return new Reservation.Held();
              });
    } catch (Shortfall s) {
      outcome = s.outcome;
      Reservation.Insufficient i = s.outcome;
      events.add(
          tx.inTransaction(
              c ->
                  record(
                      c,
                      "InsufficientStock",
                      i.sku(),
                      Map.of(
                          "reservationId", reservationId.toString(),
                          "sku", i.sku(),
                          "requested", i.requested(),
                          "available", i.available()))));
    }
    events.forEach(bus::publish);
    return outcome;
  }

  /**
   * Turns held stock into sold stock. Idempotent.
   *
   * @return true when the reservation is committed, false when it was released or expired first
   */
  public boolean commit(UUID reservationId) {
    List<DomainEvent> events = new ArrayList<>();
    boolean ok =
        tx.inTransaction(
            c -> {
              if (!transition(c, reservationId, "COMMITTED")) {
                return "COMMITTED".equals(statusOrNull(c, reservationId));
              }
              for (Line line : lines(c, reservationId)) {
                try (PreparedStatement ps =
                    c.prepareStatement(
                        "update inventory_stock set reserved = reserved - ?, updated_at = ? where"
                            + " sku = ? returning available, reserved")) {
                  ps.setInt(1, line.quantity());
                  ps.setTimestamp(2, ts(clock.instant()));
                  ps.setString(3, line.sku());
                  try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    events.add(
                        record(
                            c,
                            "InventoryUpdated",
                            line.sku(),
                            Map.of(
                                "sku", line.sku(),
                                "available", rs.getInt(1),
                                "reserved", rs.getInt(2),
                                "reason", "sold")));
                  }
                }
              }
              return true;
            });
    events.forEach(bus::publish);
    return ok;
  }

  /**
   * Returns held stock to available. Idempotent; releasing an unknown id records a tombstone so a
   * late reserve under that id holds nothing.
   */
  public void release(UUID reservationId) {
    release(reservationId, "RELEASED");
  }

  /** Releases every held reservation past its expiry; returns how many. */
  public int expireAbandoned() {
    List<UUID> ids =
        tx.read(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "select id from inventory_reservations where status = 'HELD' and"
                          + " expires_at < ? order by expires_at limit 200")) {
                ps.setTimestamp(1, ts(clock.instant()));
                List<UUID> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    out.add(rs.getObject(1, UUID.class));
                  }
                }
                return out;
              }
            });
    ids.forEach(id -> release(id, "EXPIRED"));
    return ids.size();
  }

  /** The status of a reservation (HELD, COMMITTED, RELEASED, EXPIRED), if it exists. */
  public Optional<String> reservationStatus(UUID reservationId) {
    return Optional.ofNullable(tx.read(c -> statusOrNull(c, reservationId)));
  }

  /** The newest {@code limit} events of this context, oldest first. */
  public List<DomainEvent> recentEvents(int limit) {
    return tx.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select id, type, coalesce(sku, ''), occurred_at, position, payload::text from"
                      + " (select * from inventory_events order by position desc limit ?) e order"
                      + " by position")) {
            ps.setInt(1, limit);
            List<DomainEvent> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> payload = Json.mapper().readValue(rs.getString(6), Map.class);
                out.add(
                    new DomainEvent(
                        rs.getObject(1, UUID.class),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getTimestamp(4).toInstant(),
                        rs.getLong(5),
                        payload));
              }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
              throw new IllegalStateException("unreadable inventory event payload", e);
            }
            return out;
          }
        });
  }

  private void release(UUID reservationId, String finalStatus) {
    List<DomainEvent> events = new ArrayList<>();
    tx.inTransaction(
        c -> {
          Instant now = clock.instant();
          try (PreparedStatement ps =
              c.prepareStatement(
                  "insert into inventory_reservations (id, status, expires_at, created_at,"
                      + " updated_at) values (?, ?, ?, ?, ?) on conflict (id) do nothing")) {
            ps.setObject(1, reservationId);
            ps.setString(2, finalStatus);
            ps.setTimestamp(3, ts(now));
            ps.setTimestamp(4, ts(now));
            ps.setTimestamp(5, ts(now));
            if (ps.executeUpdate() == 1) {
              return null; // tombstone: nothing was held
            }
          }
          if (!transition(c, reservationId, finalStatus)) {
            return null;
          }
          for (Line line : lines(c, reservationId)) {
            try (PreparedStatement ps =
                c.prepareStatement(
                    "update inventory_stock set available = available + ?, reserved = reserved -"
                        + " ?, updated_at = ? where sku = ? returning available, reserved")) {
              ps.setInt(1, line.quantity());
              ps.setInt(2, line.quantity());
              ps.setTimestamp(3, ts(now));
              ps.setString(4, line.sku());
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                events.add(
                    record(
                        c,
                        "InventoryUpdated",
                        line.sku(),
                        Map.of(
                            "sku", line.sku(),
                            "available", rs.getInt(1),
                            "reserved", rs.getInt(2),
                            "reason", finalStatus.toLowerCase())));
              }
            }
          }
          return null;
        });
    events.forEach(bus::publish);
  }

  private boolean transition(Connection c, UUID id, String to) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update inventory_reservations set status = ?, updated_at = ? where id = ? and status"
                + " = 'HELD'")) {
      ps.setString(1, to);
      ps.setTimestamp(2, ts(clock.instant()));
      ps.setObject(3, id);
      return ps.executeUpdate() == 1;
    }
  }

  private static String status(Connection c, UUID id) throws SQLException {
    String s = statusOrNull(c, id);
    if (s == null) {
      throw new IllegalStateException("reservation " + id + " vanished");
    }
    return s;
  }

  private static String statusOrNull(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("select status from inventory_reservations where id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private static List<Line> lines(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select sku, quantity from inventory_reservation_lines where reservation_id = ? order"
                + " by sku")) {
      ps.setObject(1, id);
      List<Line> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(new Line(rs.getString(1), rs.getInt(2)));
        }
      }
      return out;
    }
  }

  private static int available(Connection c, String sku) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("select available from inventory_stock where sku = ?")) {
      ps.setString(1, sku);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  private StockLevel lockStock(Connection c, String sku) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select s.available, s.reserved, p.low_stock_threshold from inventory_stock s join"
                + " inventory_products p using (sku) where s.sku = ? for update of s")) {
      ps.setString(1, sku);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new CommerceException.NotFound("no product with sku \"" + sku + "\"");
        }
        return new StockLevel(sku, rs.getInt(1), rs.getInt(2), rs.getInt(3));
      }
    }
  }

  private void stockEvents(
      Connection c,
      List<DomainEvent> events,
      String sku,
      int available,
      int reserved,
      int threshold,
      String reason)
      throws SQLException {
    events.add(
        record(
            c,
            "InventoryUpdated",
            sku,
            Map.of("sku", sku, "available", available, "reserved", reserved, "reason", reason)));
    if (available <= threshold) {
      events.add(
          record(
              c,
              "LowStockAlert",
              sku,
              Map.of("sku", sku, "available", available, "threshold", threshold)));
    }
  }

  private DomainEvent record(Connection c, String type, String sku, Map<String, Object> payload)
      throws SQLException {
    DomainEvent e =
        new DomainEvent(
            Ids.newId(clock), type, sku == null ? "" : sku, clock.instant(), 0, payload);
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into inventory_events (id, type, sku, payload, occurred_at) values"
                + " (?,?,?,?::jsonb,?)")) {
      ps.setObject(1, e.id());
      ps.setString(2, type);
      ps.setString(3, sku);
      ps.setString(4, Json.write(payload));
      ps.setTimestamp(5, ts(e.occurredAt()));
      ps.executeUpdate();
    }
    return e;
  }

  private static List<Map<String, Object>> linesJson(List<Line> lines) {
    return lines.stream()
        .map(l -> Map.<String, Object>of("sku", l.sku(), "quantity", l.quantity()))
        .toList();
  }

  private static Product product(ResultSet rs) throws SQLException {
    return new Product(
        rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4), rs.getInt(5));
  }

  /** Checks a product's fields, naming the first bad one by JSON path. */
  public static void validate(Product p) {
    if (p.sku() == null || !SKU.matcher(p.sku()).matches()) {
      throw new CommerceException.InvalidInput(
          "$.sku", "sku must be 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (p.name() == null
        || p.name().isBlank()
        || p.name().length() > 200
        || p.name().chars().anyMatch(Character::isISOControl)) {
      throw new CommerceException.InvalidInput(
          "$.name", "name must be 1 to 200 characters without control characters");
    }
    if (p.priceMinor() < 0 || p.priceMinor() > 1_000_000_000_000L) {
      throw new CommerceException.InvalidInput(
          "$.price", "price must be in 0..1000000000000 minor units but was " + p.priceMinor());
    }
    if (p.currency() == null || !CURRENCY.matcher(p.currency()).matches()) {
      throw new CommerceException.InvalidInput(
          "$.currency", "currency must be an ISO 4217 code like EUR");
    }
    if (p.lowStockThreshold() < 0 || p.lowStockThreshold() > 1_000_000) {
      throw new CommerceException.InvalidInput(
          "$.lowStockThreshold",
          "lowStockThreshold must be in 0..1000000 but was " + p.lowStockThreshold());
    }
  }

  /** Carries a shortfall out of the reserving transaction so that it rolls back. */
  private static final class Shortfall extends RuntimeException {
    private final transient Reservation.Insufficient outcome;

    Shortfall(Reservation.Insufficient outcome) {
      super(null, null, false, false);
      this.outcome = outcome;
    }
  }
}
