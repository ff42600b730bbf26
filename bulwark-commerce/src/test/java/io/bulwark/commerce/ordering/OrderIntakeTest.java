package io.bulwark.commerce.ordering;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.testkit.PostgresExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded order intake and its VIP lane, over HTTP on two server instances sharing one
 * database. Neither instance runs saga workers, so accepted orders stay queued until the test steps
 * the engine ({@code runOnce}: one claim, the highest priority first).
 */
class OrderIntakeTest {

  static final int CAPACITY = 3; // VIP capacity 4: the default 10% headroom, rounded up
  static final String ORDER = "{\"items\":[{\"sku\":\"IN-1\",\"quantity\":1}]}";

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static PaymentSimulatorProcess gateway;
  static TestServer a;
  static TestServer b;
  static PostgresTransactions db;
  static String regular;
  static String vip;

  @BeforeAll
  static void start() throws Exception {
    gateway = PaymentSimulatorProcess.start(SimulatorOptions.defaults());
    a = server("a");
    b = server("b");
    db = PostgresTransactions.of(pg.database().dataSource());
    String admin = a.adminToken();
    a.send(
        "POST",
        "/api/v1/products",
        admin,
        "{\"sku\":\"IN-1\",\"name\":\"Queued\",\"price\":100,\"available\":1000}");
    regular = a.customer("regular");
    a.commerce.identity().upsert("vip", "password-1", "Very Important", Role.VIP);
    vip = a.login("vip", "password-1");
  }

  static TestServer server(String name) {
    return new TestServer(
        pg.jdbcUrl(),
        home.resolve(name),
        o -> o.paymentGateway(gateway.baseUrl()).sagaWorkers(0).intakeCapacity(CAPACITY));
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {a, b, gateway}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Runs every queued saga to its end and lets both instances read the empty queue. */
  @BeforeEach
  void drain() {
    while (a.commerce.engine().runOnce()) {
      // each call steps one saga as far as it goes
    }
    refreshBoth();
    assertThat(a.commerce.orderIntake().depth()).isZero();
  }

  static void refreshBoth() {
    a.commerce.orderIntake().refresh();
    b.commerce.orderIntake().refresh();
  }

  @Test
  void refusesOrdersPastCapacityWithRetryAfterWritingNothingAndTakesTheRetryLater()
      throws Exception {
    fill(a, CAPACITY);
    List<Long> before = written();

    TestServer.Response refused = a.send("POST", "/api/v1/orders", regular, ORDER, "retry-me");

    assertThat(refused.status()).isEqualTo(503);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.raw().headers().firstValue("Retry-After")).hasValue("1");
    assertThat(refused.json().get("type").asText()).endsWith("order-intake-full");
    assertThat(refused.json().get("detail").asText()).contains("capacity 3");
    assertThat(written()).isEqualTo(before); // no order, key, reservation or execution
    assertThat(metric(a, "bulwark_orders_rejected_total{reason=\"capacity\"}")).isPositive();

    drain();
    TestServer.Response taken = a.send("POST", "/api/v1/orders", regular, ORDER, "retry-me");
    assertThat(taken.status()).isEqualTo(202);
    assertThat(taken.raw().headers().firstValue("Idempotent-Replayed")).isEmpty();
    TestServer.Response replayed = a.send("POST", "/api/v1/orders", regular, ORDER, "retry-me");
    assertThat(replayed.status()).isEqualTo(202);
    assertThat(replayed.raw().headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(replayed.json().get("id")).isEqualTo(taken.json().get("id"));
  }

  @Test
  void admitsVipOrdersIntoTheHeadroomWhenRegularOnesAreRefused() throws Exception {
    fill(a, CAPACITY);

    assertThat(a.send("POST", "/api/v1/orders", regular, ORDER).status()).isEqualTo(503);
    assertThat(a.send("POST", "/api/v1/orders", vip, ORDER).status()).isEqualTo(202);
    TestServer.Response full = a.send("POST", "/api/v1/orders", vip, ORDER);
    assertThat(full.status()).isEqualTo(503);
    assertThat(full.json().get("detail").asText()).contains("capacity 4 for VIP customers");
    assertThat(metric(a, "bulwark_orders_intake_seconds_count{lane=\"vip\"}")).isPositive();
    assertThat(metric(a, "bulwark_orders_intake_seconds_count{lane=\"regular\"}")).isPositive();
  }

  @Test
  void startsQueuedVipOrdersBeforeRegularOnesPlacedEarlier() throws Exception {
    UUID first = place(a, regular);
    UUID second = place(a, regular);
    UUID vipOrder = place(b, vip);

    assertThat(a.commerce.engine().runOnce()).isTrue();
    assertThat(status(vipOrder)).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(List.of(status(first), status(second)))
        .containsOnly(OrderStatus.PENDING); // their sagas have not been claimed yet
    assertThat(a.commerce.orderSaga().queued()).isEqualTo(2);

    assertThat(a.commerce.engine().runOnce()).isTrue();
    assertThat(status(first)).isEqualTo(OrderStatus.CONFIRMED);
    assertThat(status(second)).isEqualTo(OrderStatus.PENDING);
  }

  @Test
  void bothInstancesCountTheQueueFromTheDatabase() throws Exception {
    place(a, regular);
    place(b, regular);
    place(b, vip);
    refreshBoth();

    assertThat(a.commerce.orderIntake().depth()).isEqualTo(3);
    assertThat(metric(a, "bulwark_orders_intake_depth")).isEqualTo(3);
    assertThat(metric(b, "bulwark_orders_intake_depth")).isEqualTo(3);
    // orders placed on b fill the queue for a too
    assertThat(a.send("POST", "/api/v1/orders", regular, ORDER).status()).isEqualTo(503);

    a.commerce.engine().runOnce();
    refreshBoth();
    assertThat(metric(b, "bulwark_orders_intake_depth")).isEqualTo(2);
  }

  private static void fill(TestServer server, int orders) throws Exception {
    for (int i = 0; i < orders; i++) {
      place(server, regular);
    }
  }

  private static UUID place(TestServer server, String token) throws Exception {
    TestServer.Response r = server.send("POST", "/api/v1/orders", token, ORDER);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return UUID.fromString(r.json().get("id").asText());
  }

  private static OrderStatus status(UUID order) {
    return a.commerce.orders().order(order).orElseThrow().status();
  }

  /** Order streams, idempotency keys, reservations and order sagas in the database. */
  private static List<Long> written() {
    return List.of(
        count("select count(distinct stream) from eventstore_events where stream like 'order-%'"),
        count("select count(*) from ordering_idempotency"),
        count("select count(*) from inventory_reservations"),
        count("select count(*) from states_executions where machine_name = 'order-saga'"));
  }

  private static long count(String sql) {
    return db.queryFirst(sql, rs -> rs.getLong(1)).orElseThrow();
  }

  /** The value of the sample {@code name} (with its labels) on the server's /metrics. */
  private static double metric(TestServer server, String name) throws Exception {
    String body = server.get("/metrics", null).body();
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+-]+)$").matcher(body);
    assertThat(m.find()).as(name + " on /metrics").isTrue();
    return Double.parseDouble(m.group(1));
  }
}
