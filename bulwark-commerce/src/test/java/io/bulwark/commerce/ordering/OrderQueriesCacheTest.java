package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.TestServer.Response;
import io.bulwark.commerce.ordering.jdbc.EventStoreOrderLog;
import io.bulwark.commerce.ordering.jdbc.JdbcOrderViews;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.testkit.PostgresExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order views' cache keeps a view for one hour unless this process's projection reports a
 * change: a change projected by another process shows here once the hour is over.
 */
class OrderQueriesCacheTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static TestServer app;

  @BeforeAll
  static void start() throws Exception {
    app = new TestServer(pg.jdbcUrl(), home, o -> o);
    String admin = app.adminToken();
    app.send(
        "POST",
        "/api/v1/products",
        admin,
        "{\"sku\":\"CACHE-1\",\"name\":\"Cached\",\"price\":100,\"lowStockThreshold\":0,"
            + "\"available\":100}");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static UUID order(String token, String key) throws Exception {
    Response r =
        app.send(
            "POST",
            "/api/v1/orders",
            token,
            "{\"items\":[{\"sku\":\"CACHE-1\",\"quantity\":1}]}",
            key);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return UUID.fromString(r.json().get("id").asText());
  }

  @Test
  void aViewChangedByAnotherProcessShowsHereAfterOneHour() throws Exception {
    String token = app.customer("cache-carla");
    UUID customer = UUID.fromString(app.get("/api/v1/users/me", token).json().get("id").asText());
    order(token, "cache-1");
    OrderQueries here = app.commerce.orderQueries();
    await().atMost(Duration.ofSeconds(30)).until(() -> here.stats(customer).orderCount() == 1);

    // a second process's queries over the same views, timed by a ticker the test moves
    PostgresTransactions tx = PostgresTransactions.of(pg.database().dataSource());
    AtomicLong nanos = new AtomicLong();
    OrderQueries elsewhere =
        new OrderQueries(
            new JdbcOrderViews(tx), new EventStoreOrderLog(tx, Clock.systemUTC()), nanos::get);
    assertThat(elsewhere.stats(customer).orderCount()).isEqualTo(1);
    assertThat(elsewhere.customerOrders(customer, null, null, null, 10, 0).items()).hasSize(1);

    order(token, "cache-2"); // projected here, which invalidates only this process's cache
    await().atMost(Duration.ofSeconds(30)).until(() -> here.stats(customer).orderCount() == 2);

    nanos.addAndGet(OrderQueries.TTL.minusSeconds(1).toNanos());
    assertThat(elsewhere.stats(customer).orderCount()).as("cached for the hour").isEqualTo(1);
    assertThat(elsewhere.customerOrders(customer, null, null, null, 10, 0).items()).hasSize(1);

    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(elsewhere.stats(customer).orderCount()).as("read again after it").isEqualTo(2);
    assertThat(elsewhere.customerOrders(customer, null, null, null, 10, 0).items()).hasSize(2);
    assertThat(OrderQueries.TTL).isEqualTo(Duration.ofHours(1));
  }
}
