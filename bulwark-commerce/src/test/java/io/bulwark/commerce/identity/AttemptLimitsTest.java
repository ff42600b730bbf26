package io.bulwark.commerce.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.commerce.TestServer;
import io.bulwark.commerce.TestServer.Response;
import io.bulwark.commerce.auth.Role;
import io.bulwark.testkit.PostgresExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Login and registration limits, over real HTTP requests that arrive at once. */
class AttemptLimitsTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static TestServer app;

  @BeforeAll
  static void start() {
    // a real bcrypt cost, so that each password check takes long enough for attempts to overlap
    app =
        new TestServer(
            pg.jdbcUrl(),
            home,
            o ->
                o.bcryptCost(8)
                    .loginFailuresPerAccount(5)
                    .loginFailuresPerAddress(12)
                    .registrationsPerAddress(3));
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  @Test
  void checksAtMostFivePasswordsOfTwentyConcurrentWrongLogins() {
    app.commerce.identity().create("target", "password-1", "Target", Role.CUSTOMER);

    Map<Integer, Long> statuses =
        concurrently(20, i -> login("target", "wrong-password-" + i)).stream()
            .collect(Collectors.groupingBy(HttpResponse::statusCode, Collectors.counting()));

    assertThat(statuses.getOrDefault(401, 0L))
        .as("passwords checked, of %s", statuses)
        .isBetween(1L, 5L);
    assertThat(statuses.getOrDefault(429, 0L)).isEqualTo(20 - statuses.getOrDefault(401, 0L));
    HttpResponse<String> locked = login("target", "password-1").join();
    assertThat(locked.statusCode()).as("the right password waits too").isEqualTo(429);
    assertThat(locked.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void successfulLoginsDoNotUseUpTheAddressAllowance() {
    app.commerce.identity().create("regular", "password-1", "Regular", Role.CUSTOMER);
    for (int i = 0; i < 15; i++) {
      assertThat(login("regular", "password-1").join().statusCode())
          .as("login %d of 15 from one address (allowance 12 failures)", i + 1)
          .isEqualTo(200);
    }
  }

  @Test
  void limitsRegistrationsPerAddressWithRetryAfter() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(register("newcomer" + i).status()).isEqualTo(201);
    }
    Response refused = register("newcomer3");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.json().get("detail").asText()).contains("registrations");
    long retryAfter =
        Long.parseLong(refused.raw().headers().firstValue("Retry-After").orElseThrow());
    assertThat(retryAfter).isBetween(3_000L, 3_600L);
    assertThat(app.commerce.identity().findByUsername("newcomer3")).isEmpty();
  }

  private static Response register(String username) throws Exception {
    return app.send(
        "POST",
        "/api/v1/auth/register",
        null,
        "{\"username\":\"" + username + "\",\"password\":\"password-1\",\"name\":\"N\"}");
  }

  private static CompletableFuture<HttpResponse<String>> login(String user, String password) {
    return app.http.sendAsync(
        TestServer.request(
                app.server.baseUrl() + "/api/v1/auth/login",
                "POST",
                null,
                "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static <T> List<T> concurrently(int n, Function<Integer, CompletableFuture<T>> request) {
    List<CompletableFuture<T>> all = IntStream.range(0, n).mapToObj(request::apply).toList();
    return all.stream().map(CompletableFuture::join).toList();
  }
}
