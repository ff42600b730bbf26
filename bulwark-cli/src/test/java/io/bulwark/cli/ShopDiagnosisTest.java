package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.commerce.DemoData;
import io.bulwark.kernel.Json;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.testkit.PostgresExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A shop process records its telemetry and takes fault injections for administrators only, and
 * {@code bulwark diagnose} finds a lock held on the shop's catalog.
 */
class ShopDiagnosisTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();

  @TempDir Path home;

  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void findsALockOnTheCatalogForAnAdministratorAndNobodyElse() throws Exception {
    BulwarkServer.Builder builder =
        BulwarkServer.builder(
            ServerConfig.builder()
                .name("shop")
                .home(home)
                .httpPort(0)
                .jdbcUrl(pg.jdbcUrl())
                .poolSize(8)
                .shutdownGrace(Duration.ofSeconds(1))
                .build());
    Commerce commerce =
        DemoCommand.installShop(
            builder,
            CommerceOptions.builder()
                .jwtSecret("test-secret-test-secret-test-secret-0123")
                .bcryptCost(4)
                .build(),
            null);
    try (BulwarkServer server = builder.start()) {
      DemoData.seed(commerce, "admin-password-1");
      String url = server.baseUrl();
      String admin = login(url, "admin", "admin-password-1");
      String customer = login(url, DemoData.CUSTOMER, DemoData.CUSTOMER_PASSWORD);
      assertThat(status(url + "/api/v1/admin/telemetry", null)).isEqualTo(401);
      assertThat(status(url + "/api/v1/admin/telemetry", customer)).isEqualTo(403);
      assertThat(bulwark("chaos", "list", "--url", url, "--token", customer).exit).isEqualTo(2);

      Instant start = Instant.now();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> Instant.now().isAfter(start.plusSeconds(8)));
      Run injected =
          bulwark(
              "chaos",
              "inject",
              "slow-query",
              "--target",
              "database",
              "--duration",
              "30s",
              "--url",
              url,
              "--token",
              admin);
      assertThat(injected.exit).as(injected.err).isZero();
      assertThat(injected.out).contains("slow-query on database  ACTIVE");
      Instant injectedAt = Instant.now();
      await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> Instant.now().isAfter(injectedAt.plusSeconds(6)));

      Run diagnosis =
          bulwark(
              "diagnose",
              "--url",
              url,
              "--token",
              admin,
              "--symptom",
              "catalog pages hang",
              "--severity",
              "HIGH",
              "--since",
              "5s",
              "--component",
              "database");

      assertThat(diagnosis.exit).as(diagnosis.err).isZero();
      assertThat(diagnosis.out)
          .contains("root cause: slow-query on database")
          .contains("FROM inventory_products")
          .contains("pg_terminate_backend(");
      Run stopped = bulwark("chaos", "stop", "--url", url, "--token", admin);
      assertThat(stopped.out).contains("STOPPED");
    }
  }

  private record Run(int exit, String out, String err) {}

  private static Run bulwark(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = BulwarkCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  private String login(String url, String user, String password) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(url + "/api/v1/auth/login"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return Json.parse(r.body()).get("accessToken").asText();
  }

  private int status(String url, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
