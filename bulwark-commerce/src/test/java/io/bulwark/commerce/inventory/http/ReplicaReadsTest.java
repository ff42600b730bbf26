package io.bulwark.commerce.inventory.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.TestServer;
import io.bulwark.dr.ClusterSpec;
import io.bulwark.dr.LocalClusters;
import io.bulwark.dr.cluster.MemberServer;
import io.bulwark.dr.cluster.ServerProbe;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catalog read on a real streaming standby: a primary and a synchronous standby cloned from it
 * as the cluster clones them, and the shop given the cluster's replica-preferring read URL.
 */
class ReplicaReadsTest {

  @TempDir Path home;

  @Test
  void readsTheCatalogOnTheStandbyAndFallsBackToThePrimaryWhenItStops() throws Exception {
    ClusterSpec spec = LocalClusters.demo(home.resolve("db"));
    try (MemberServer a = new MemberServer(spec, spec.requireMember("pg-a"), false);
        MemberServer b = new MemberServer(spec, spec.requireMember("pg-b"), false)) {
      a.initialisePrimary();
      LocalClusters.createDatabaseIfMissing(spec.jdbcUrl("postgres"), "bulwark");
      b.cloneFrom(a.member());
      b.start();
      a.setSynchronousStandbys(List.of("pg-b"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> a.state().replication().stream().anyMatch(s -> s.syncState().equals("quorum")));

      try (TestServer shop =
          new TestServer(
              spec.jdbcUrl("bulwark"),
              home.resolve("shop"),
              c -> c.readJdbcUrl(spec.readJdbcUrl("bulwark")),
              o -> o,
              (server, commerce) -> {})) {
        String admin = shop.adminToken();
        TestServer.Response created =
            shop.send(
                "POST",
                "/api/v1/products",
                admin,
                "{\"sku\":\"replica-1\",\"name\":\"Read on the standby\",\"price\":1200,"
                    + "\"available\":3}");
        assertThat(created.status()).isEqualTo(201);

        // written on the primary, read on the standby once it has replayed the commit
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  TestServer.Response r = shop.get("/api/v1/products/replica-1", admin);
                  assertThat(r.status()).isEqualTo(200);
                  assertThat(source(r)).isEqualTo("replica");
                  assertThat(r.json().get("name").asText()).isEqualTo("Read on the standby");
                });
        TestServer.Response list = shop.get("/api/v1/products", admin);
        assertThat(source(list)).isEqualTo("replica");
        assertThat(list.body()).contains("\"replica-1\"");
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  Map<String, Double> m = metrics(shop);
                  assertThat(m).containsEntry("bulwark_db_read_replica", 1.0);
                  assertThat(m.get("bulwark_db_read_lag_seconds")).isBetween(0.0, 5.0);
                });

        // the standby stops applying what it receives: commits still return (it flushes them),
        // its answers go stale, and the gauge shows how far behind they are
        try (Connection standby = ServerProbe.connect(b.member())) {
          standby.createStatement().execute("select pg_wal_replay_pause()");
          assertThat(
                  shop.send(
                          "POST",
                          "/api/v1/products",
                          admin,
                          "{\"sku\":\"replica-2\",\"name\":\"Not replayed yet\",\"price\":900}")
                      .status())
              .isEqualTo(201);
          TestServer.Response stale = shop.get("/api/v1/products/replica-2", admin);
          assertThat(stale.status()).isEqualTo(404);
          assertThat(source(stale)).isEqualTo("replica");
          await()
              .atMost(Duration.ofSeconds(10))
              .untilAsserted(
                  () -> assertThat(metrics(shop).get("bulwark_db_read_lag_seconds")).isPositive());
          standby.createStatement().execute("select pg_wal_replay_resume()");
        }
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  assertThat(shop.get("/api/v1/products/replica-2", admin).status()).isEqualTo(200);
                  assertThat(metrics(shop).get("bulwark_db_read_lag_seconds")).isLessThan(1.0);
                });

        // browse continuously while the standby stops: every answer is a 200
        Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
        AtomicBoolean browsing = new AtomicBoolean(true);
        Thread browser =
            Thread.ofVirtual()
                .start(
                    () -> {
                      while (browsing.get()) {
                        try {
                          statuses.add(shop.get("/api/v1/products", admin).status());
                        } catch (Exception e) {
                          statuses.add(-1);
                        }
                      }
                    });
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.size() >= 20);
        b.stopImmediately();
        // commits would wait for the stopped standby otherwise; the agent does this in a cluster
        a.setSynchronousStandbys(List.of());
        int before = statuses.size();
        await()
            .atMost(Duration.ofSeconds(15))
            .untilAsserted(
                () -> {
                  TestServer.Response r = shop.get("/api/v1/products/replica-1", admin);
                  assertThat(r.status()).isEqualTo(200);
                  assertThat(source(r)).isEqualTo("primary");
                });
        await().atMost(Duration.ofSeconds(10)).until(() -> statuses.size() >= before + 20);
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> assertThat(metrics(shop)).containsEntry("bulwark_db_read_replica", 0.0));
        browsing.set(false);
        browser.join(Duration.ofSeconds(35));
        assertThat(statuses).isNotEmpty().containsOnly(200);
        assertThat(metrics(shop)).containsEntry("bulwark_db_read_lag_seconds", 0.0);
      }
    }
  }

  private static String source(TestServer.Response r) {
    return r.raw().headers().firstValue(InventoryHttp.READ_SOURCE).orElse("(none)");
  }

  private static final Pattern SAMPLE =
      Pattern.compile("^(bulwark_db_read_[a-z_]+)(?:\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

  private static Map<String, Double> metrics(TestServer shop) throws Exception {
    String text =
        shop.http
            .send(
                HttpRequest.newBuilder(URI.create(shop.server.baseUrl() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    Map<String, Double> out = new java.util.TreeMap<>();
    Matcher m = SAMPLE.matcher(text);
    while (m.find()) {
      out.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return out;
  }
}
