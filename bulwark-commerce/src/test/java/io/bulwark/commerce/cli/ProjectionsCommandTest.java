package io.bulwark.commerce.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.TestServer.Response;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.platform.Platform;
import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.testkit.PostgresExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProjectionsCommandTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;

  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new ProjectionsCommand())
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static Run external(String subcommand, String url) {
    return run(subcommand, "--jdbc-url", url, "--db-user", PostgresServer.SUPERUSER);
  }

  /** Three confirmed orders in the log and the views, then the server is gone. */
  @BeforeAll
  static void placeOrders() throws Exception {
    try (PaymentSimulatorProcess gateway =
            PaymentSimulatorProcess.start(
                SimulatorOptions.defaults().withLatency(Duration.ZERO, Duration.ofMillis(1)));
        TestServer app =
            new TestServer(pg.jdbcUrl(), home, o -> o.paymentGateway(gateway.baseUrl()))) {
      String admin = app.adminToken();
      assertThat(
              app.send(
                      "POST",
                      "/api/v1/products",
                      admin,
                      "{\"sku\":\"BOOK-1\",\"name\":\"Book\",\"price\":1000,\"available\":50}")
                  .status())
          .isEqualTo(201);
      String token = app.customer("rita");
      List<String> ids = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        Response r =
            app.send(
                "POST",
                "/api/v1/orders",
                token,
                "{\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":" + i + "}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(202);
        ids.add(r.json().get("id").asText());
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  ids.stream()
                      .allMatch(
                          id ->
                              confirmed(app, id, token)
                                  && app.commerce.orderProjection().lag().behind() == 0));
    }
  }

  static boolean confirmed(TestServer app, String id, String token) {
    try {
      return app.get("/api/v1/orders/" + id, token)
          .json()
          .get("status")
          .asText()
          .equals("CONFIRMED");
    } catch (Exception e) {
      return false;
    }
  }

  static long longQuery(String sql) throws Exception {
    try (Connection c = pg.database().dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static void execute(String sql) throws Exception {
    try (Connection c = pg.database().dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  @Test
  void rebuildsDamagedViewsOfAnExternalDatabaseFromTheLogAndStatusShowsTheLag() throws Exception {
    execute("update ordering_order_view set status = 'PENDING', customer_name = 'wrong'");
    execute("delete from ordering_customer_stats");
    execute(
        "update ordering_projection_checkpoints set xid = '0', position = 0 where name = 'orders'");

    Run before = external("status", pg.jdbcUrl());
    assertThat(before.exitCode()).as(before.err()).isZero();
    Matcher lag = Pattern.compile("lag: +(\\d+) events").matcher(before.out());
    assertThat(lag.find()).as(before.out()).isTrue();
    long events = Long.parseLong(lag.group(1));
    assertThat(events).isGreaterThanOrEqualTo(6); // placed and confirmed, for each of 3 orders

    Run rebuilt = external("rebuild", pg.jdbcUrl());
    assertThat(rebuilt.exitCode()).as(rebuilt.err()).isZero();
    assertThat(rebuilt.out())
        .contains("replayed " + events + " events")
        .contains("rebuilt order views: " + events + " events replayed")
        .contains("0 behind");
    assertThat(longQuery("select count(*) from ordering_order_view where status = 'CONFIRMED'"))
        .isEqualTo(3);
    assertThat(longQuery("select count(*) from ordering_order_view where customer_name = 'wrong'"))
        .isZero();
    assertThat(longQuery("select order_count from ordering_customer_stats")).isEqualTo(3);
    assertThat(longQuery("select total_spent_minor from ordering_customer_stats"))
        .isEqualTo(6 * 1000);

    Run after = external("status", pg.jdbcUrl());
    assertThat(after.out())
        .contains("lag:        0 events")
        .contains("held back:  0 events")
        .containsPattern("checkpoint: [1-9][0-9]*/[1-9][0-9]* \\(transaction/position\\)");
    Run json =
        run("status", "--jdbc-url", pg.jdbcUrl(), "--db-user", PostgresServer.SUPERUSER, "--json");
    assertThat(json.exitCode()).as(json.err()).isZero();
    var n = io.bulwark.kernel.Json.parse(json.out());
    assertThat(n.get("behind").asLong()).isZero();
    assertThat(n.get("heldBack").asLong()).isZero();
    assertThat(n.get("checkpoint").asText()).matches("[1-9][0-9]*/[1-9][0-9]*");
  }

  @Test
  void rebuildsAStoppedEmbeddedInstanceRefusesWhileItsPostgresRunsAndReadsItsStatusLive()
      throws Exception {
    Path instances = Files.createTempDirectory(home, "instances");
    PostgresServer postgres =
        PostgresServer.builder(instances.resolve("shop").resolve("pg")).build().start();
    try {
      postgres.createDatabaseIfMissing(Platform.DATABASE);
      try (Database db =
          Database.connect(postgres.jdbcUrl(Platform.DATABASE), PostgresServer.SUPERUSER, "", 2)) {
        db.migrate("eventstore");
        Commerce.MIGRATIONS.forEach(db::migrate);
      }
      Run refused = run("rebuild", "--home", instances.toString(), "--name", "shop");
      assertThat(refused.exitCode()).isEqualTo(1);
      assertThat(refused.err())
          .contains("instance \"shop\" is running (PostgreSQL pid " + postgres.pid().orElseThrow())
          .doesNotContain("Exception");
      Run live = run("status", "--home", instances.toString(), "--name", "shop");
      assertThat(live.exitCode()).as(live.err()).isZero();
      assertThat(live.out()).contains("lag:        0 events");
      assertThat(postgres.pid()).as("status leaves the running instance alone").isPresent();
    } finally {
      postgres.close();
    }

    Run rebuilt = run("rebuild", "--home", instances.toString(), "--name", "shop");
    assertThat(rebuilt.exitCode()).as(rebuilt.err()).isZero();
    assertThat(rebuilt.out()).contains("rebuilt order views: 0 events replayed");
    assertThat(instances.resolve("shop/pg/postmaster.pid")).doesNotExist();
  }

  @Test
  void statusRefusesADatabaseWhoseOrdersAreStillInTheOldLogAndRebuildMovesThemFirst()
      throws Exception {
    pg.server().createDatabaseIfMissing(pg.databaseName() + "_old");
    String old = pg.jdbcUrl() + "_old";
    try (Database db = Database.connect(old, PostgresServer.SUPERUSER, "", 2)) {
      Flyway.configure(Database.class.getClassLoader())
          .dataSource(db.dataSource())
          .locations("classpath:db/migration/ordering")
          .table("schema_history_ordering")
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .target("2")
          .load()
          .migrate();
      try (Connection c = db.dataSource().getConnection();
          Statement s = c.createStatement()) {
        s.execute(
            "insert into ordering_events (id, stream_id, version, type, payload, occurred_at)"
                + " values (gen_random_uuid(), gen_random_uuid(), 1, 'OrderPlaced', '{\"customerId\":"
                + " \"0193a5f0-0000-7000-8000-000000000001\", \"customerName\": \"Old\", \"items\":"
                + " [], \"total\": 700, \"currency\": \"EUR\", \"vip\": false}', now())");
      }
    }

    Run refused = external("status", old);
    assertThat(refused.exitCode()).as(refused.err()).isEqualTo(1);
    assertThat(refused.err())
        .contains("not yet moved to the event store")
        .doesNotContain("Exception");

    Run rebuilt = external("rebuild", old);
    assertThat(rebuilt.exitCode()).as(rebuilt.err()).isZero();
    assertThat(rebuilt.out()).contains("rebuilt order views: 1 events replayed");
    Run status = external("status", old);
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("lag:        0 events");
  }

  @Test
  void answersBadInputWithOneLineAndExitCodeTwo() throws Exception {
    Path empty = Files.createTempDirectory(home, "empty");
    pg.server().createDatabaseIfMissing(pg.databaseName() + "_blank");
    String blank = pg.jdbcUrl() + "_blank";
    List<Run> bad =
        List.of(
            run("rebuild", "--home", empty.toString(), "--jdbc-url", pg.jdbcUrl()),
            run("rebuild", "--home", empty.toString()),
            run("rebuild", "--home", empty.toString(), "--name", "../etc"),
            run("rebuild", "--jdbc-url", "jdbc:mysql://localhost/shop"),
            run("rebuild", "--db-user", "postgres"),
            run("rebuild", "--frobnicate"),
            run("status", "--home", empty.toString(), "--name", "nope"),
            external("rebuild", blank),
            run());
    for (Run r : bad) {
      assertThat(r.exitCode()).as(r.err()).isEqualTo(2);
      assertThat(r.err()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
    }
    assertThat(bad.get(1).err()).contains("no instance \"demo\" in " + empty);
    assertThat(bad.get(7).err()).contains("is it a Bulwark database?");
    try (Connection c = pg.server().connect(pg.databaseName() + "_blank");
        ResultSet rs =
            c.createStatement()
                .executeQuery("select count(*) from pg_tables where schemaname = 'public'")) {
      rs.next();
      assertThat(rs.getInt(1)).as("nothing migrated into a foreign database").isZero();
    }
  }
}
