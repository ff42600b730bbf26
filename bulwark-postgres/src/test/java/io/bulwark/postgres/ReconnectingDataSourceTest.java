package io.bulwark.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.util.DriverDataSource;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconnectingDataSourceTest {

  @TempDir Path dir;

  @Test
  void waitsForADatabaseThatComesUpWhileItTries() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ReconnectingDataSource ds = dataSource("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
    // nothing listens yet: a plain attempt is refused at once
    CompletableFuture<Connection> borrowed =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return ds.getConnection();
              } catch (SQLException e) {
                throw new IllegalStateException(e);
              }
            });
    try (PostgresServer server = PostgresServer.builder(dir.resolve("pg")).port(port).build()) {
      assertThat(borrowed).isNotDone();
      server.start();
      try (Connection c = borrowed.get(60, TimeUnit.SECONDS)) {
        assertThat(c.isValid(2)).isTrue();
      }
    }
  }

  @Test
  void failsAtOnceForAnErrorThatWaitingCannotFix() throws Exception {
    try (PostgresServer server = PostgresServer.builder(dir.resolve("pg")).build().start()) {
      ReconnectingDataSource ds =
          dataSource("jdbc:postgresql://127.0.0.1:" + server.port() + "/no_such_database");
      long started = System.nanoTime();
      assertThatThrownBy(ds::getConnection)
          .isInstanceOfSatisfying(
              SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("3D000"));
      // patience is 120 s: an error about the request itself must not wait it out
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
    }
  }

  @Test
  void givesUpAfterItsPatienceWithTheLastError() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ReconnectingDataSource ds =
        new ReconnectingDataSource(
            driver("jdbc:postgresql://127.0.0.1:" + port + "/postgres"),
            Duration.ofMillis(20),
            Duration.ofMillis(200));
    assertThatThrownBy(ds::getConnection)
        .isInstanceOfSatisfying(
            SQLException.class, e -> assertThat(e.getSQLState()).startsWith("08"));
  }

  private static ReconnectingDataSource dataSource(String url) {
    return new ReconnectingDataSource(driver(url), Duration.ofMillis(50), Duration.ofSeconds(120));
  }

  private static DriverDataSource driver(String url) {
    return new DriverDataSource(
        url, "org.postgresql.Driver", new Properties(), PostgresServer.SUPERUSER, "");
  }
}
