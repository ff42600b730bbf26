package io.bulwark.commerce.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.events.DomainEvent;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.commerce.inventory.jdbc.JdbcInventoryStore;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.testkit.ManualClock;
import io.bulwark.testkit.PostgresExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class InventoryTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating("inventory");

  static final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
  static final List<DomainEvent> events = new CopyOnWriteArrayList<>();
  static Inventory inventory;

  @BeforeAll
  static void setUp() {
    EventBus bus = new EventBus();
    bus.subscribe(events::add);
    PostgresTransactions tx = PostgresTransactions.of(pg.database().dataSource());
    inventory = new Inventory(new JdbcInventoryStore(tx), tx, bus, Duration.ofMinutes(10), clock);
  }

  static void product(String sku, int stock, int threshold) {
    inventory.create(new Product(sku, "Product " + sku, 100, "EUR", threshold), stock);
  }

  @Test
  void reservesCommitsAndReleasesIdempotently() {
    product("A-1", 10, 0);
    UUID r = UUID.randomUUID();
    assertThat(inventory.reserve(r, List.of(new Line("A-1", 4))))
        .isInstanceOf(Reservation.Held.class);
    assertThat(inventory.reserve(r, List.of(new Line("A-1", 4))))
        .isInstanceOf(Reservation.Held.class);
    assertThat(inventory.stock("A-1").orElseThrow())
        .extracting(StockLevel::available, StockLevel::reserved)
        .containsExactly(6, 4);
    assertThat(inventory.commit(r)).isTrue();
    assertThat(inventory.commit(r)).isTrue();
    inventory.release(r);
    assertThat(inventory.stock("A-1").orElseThrow())
        .extracting(StockLevel::available, StockLevel::reserved)
        .containsExactly(6, 0);

    UUID released = UUID.randomUUID();
    inventory.reserve(released, List.of(new Line("A-1", 2)));
    inventory.release(released);
    inventory.release(released);
    assertThat(inventory.commit(released)).isFalse();
    assertThat(inventory.stock("A-1").orElseThrow().available()).isEqualTo(6);
  }

  @Test
  void reservesAllLinesOrNone() {
    product("B-1", 5, 0);
    product("B-2", 1, 0);
    Reservation r =
        inventory.reserve(UUID.randomUUID(), List.of(new Line("B-1", 3), new Line("B-2", 2)));
    assertThat(r).isEqualTo(new Reservation.Insufficient("B-2", 2, 1));
    assertThat(inventory.stock("B-1").orElseThrow().available()).isEqualTo(5);
    assertThat(events)
        .anyMatch(e -> e.type().equals("InsufficientStock") && e.aggregateId().equals("B-2"));
  }

  @Test
  void releasesAbandonedReservationsWhenTheyExpire() {
    product("C-1", 3, 0);
    UUID r = UUID.randomUUID();
    inventory.reserve(r, List.of(new Line("C-1", 3)));
    clock.advance(Duration.ofMinutes(9));
    inventory.expireAbandoned();
    assertThat(inventory.reservationStatus(r)).contains("HELD");
    clock.advance(Duration.ofMinutes(2));
    assertThat(inventory.expireAbandoned()).isGreaterThanOrEqualTo(1);
    assertThat(inventory.reservationStatus(r)).contains("EXPIRED");
    assertThat(inventory.stock("C-1").orElseThrow().available()).isEqualTo(3);
    assertThat(inventory.commit(r)).as("an expired hold cannot be sold").isFalse();
  }

  @Test
  void neverGoesBelowZeroUnderConcurrentReservations() throws Exception {
    product("D-1", 10, 0);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Reservation>> results = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        results.add(
            pool.submit(() -> inventory.reserve(UUID.randomUUID(), List.of(new Line("D-1", 1)))));
      }
      int held = 0;
      for (Future<Reservation> f : results) {
        if (f.get() instanceof Reservation.Held) {
          held++;
        }
      }
      assertThat(held).isEqualTo(10);
      assertThat(inventory.stock("D-1").orElseThrow())
          .extracting(StockLevel::available, StockLevel::reserved)
          .containsExactly(0, 10);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void setsAndAdjustsStockButRefusesToGoNegative() {
    product("E-1", 2, 0);
    assertThat(inventory.setAvailable("E-1", 7).available()).isEqualTo(7);
    assertThat(inventory.adjust("E-1", -3).available()).isEqualTo(4);
    assertThatThrownBy(() -> inventory.adjust("E-1", -5))
        .isInstanceOf(CommerceException.Conflict.class)
        .hasMessageContaining("would become -1");
    assertThatThrownBy(() -> inventory.setAvailable("NOPE", 1))
        .isInstanceOf(CommerceException.NotFound.class);
    assertThat(inventory.stock("E-1").orElseThrow().available()).isEqualTo(4);
  }

  @Test
  void raisesLowStockAlertsWhenStockFallsToTheThreshold() {
    product("F-1", 10, 3);
    events.clear();
    inventory.reserve(UUID.randomUUID(), List.of(new Line("F-1", 6)));
    assertThat(events).noneMatch(e -> e.type().equals("LowStockAlert"));
    inventory.reserve(UUID.randomUUID(), List.of(new Line("F-1", 2)));
    assertThat(events)
        .filteredOn(e -> e.type().equals("LowStockAlert"))
        .singleElement()
        .satisfies(e -> assertThat(e.payload()).containsEntry("available", 2));
    assertThat(events).anyMatch(e -> e.type().equals("InventoryReserved"));
    assertThat(inventory.recentEvents(50)).anyMatch(e -> e.type().equals("LowStockAlert"));
  }

  @Test
  void rejectsInvalidProductsNamingTheField() {
    assertThatThrownBy(() -> inventory.create(new Product("bad sku!", "x", 1, "EUR", 0), 0))
        .isInstanceOf(CommerceException.InvalidInput.class)
        .extracting(e -> ((CommerceException) e).extensions().get("field"))
        .isEqualTo("$.sku");
    assertThatThrownBy(() -> inventory.create(new Product("G-1", "x", -1, "EUR", 0), 0))
        .extracting(e -> ((CommerceException) e).extensions().get("field"))
        .isEqualTo("$.price");
    assertThatThrownBy(() -> inventory.create(new Product("G-1", "x", 1, "euro", 0), 0))
        .extracting(e -> ((CommerceException) e).extensions().get("field"))
        .isEqualTo("$.currency");
  }
}
