package io.bulwark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a careless operator meets it, with real processes: a second demo on the same home, a
 * PostgreSQL killed with -9 under the running demo, then the demo itself killed with -9.
 */
class DemoProtectsItsDataTest {

  @TempDir Path home;
  @TempDir Path other;

  @Test
  void refusesASecondDemoRestartsAKilledDatabaseAndTakesItsDatabaseAlongWhenKilled()
      throws Exception {
    Process demo = DemoProcess.start(home);
    try (HttpClient http = HttpClient.newHttpClient()) {
      String url = DemoProcess.url(demo);
      assertThat(url).isNotNull();
      Path pidFile = home.resolve("demo/pg/postmaster.pid");
      long postgres = postmaster(pidFile);

      // a second demo on the same home is refused, naming the running one; its database lives on
      Path secondErr = other.resolve("second-stderr.txt");
      Process second = DemoProcess.start(home, secondErr);
      assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).isEqualTo(2);
      assertThat(Files.readString(secondErr))
          .contains("pid " + demo.pid())
          .contains(url)
          .doesNotContain("Exception");
      assertThat(ProcessHandle.of(postgres)).get().matches(ProcessHandle::isAlive);
      assertThat(get(http, url + "/health/ready", null).statusCode()).isEqualTo(200);

      // kill -9 of PostgreSQL: 503 database-unavailable meanwhile, then restarted under supervision
      String token = login(http, url);
      ProcessHandle.of(postgres).orElseThrow().destroyForcibly();
      await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.of(postgres).isEmpty());
      Path logFile = home.resolve("demo/logs/bulwark.json");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> Files.readString(logFile).contains("exited unexpectedly"));
      List<HttpResponse<String>> answers = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                // a read that reaches the database on every request (the catalog is cached)
                HttpResponse<String> r = get(http, url + "/api/v1/users/me", token);
                answers.add(r);
                return r.statusCode() == 200;
              });
      assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).isIn(200, 503));
      assertThat(answers)
          .as("answered while the database was down")
          .filteredOn(r -> r.statusCode() == 503)
          .isNotEmpty();
      assertThat(answers)
          .filteredOn(r -> r.statusCode() == 503)
          .allSatisfy(
              r -> {
                assertThat(Json.parse(r.body()).get("type").asText())
                    .endsWith("database-unavailable");
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
              });
      long restarted = postmaster(pidFile);
      assertThat(restarted).isNotEqualTo(postgres);
      List<String> log = Files.readAllLines(logFile);
      assertThat(log).filteredOn(l -> l.contains("exited unexpectedly")).hasSize(1);
      assertThat(log).filteredOn(l -> l.contains("PostgreSQL is back")).hasSize(1);
      // one line per change of state (per loop), not one per request or round, no stack traces
      List<String> outage = log.subList(indexOf(log, "exited unexpectedly"), log.size());
      assertThat(outage)
          .as("what the server logged from the database's death on")
          .noneMatch(l -> l.contains("\"throwable\":{"))
          .filteredOn(l -> l.contains("answering 503 database-unavailable"))
          .hasSizeLessThanOrEqualTo(1);
      assertThat(outage).filteredOn(l -> l.contains("failed again")).isEmpty();
      assertThat(outage).hasSizeLessThan(15);

      // kill -9 of the demo: its PostgreSQL stops by itself
      demo.destroyForcibly();
      assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ProcessHandle.of(restarted).map(p -> !p.isAlive()).orElse(true));
    } finally {
      demo.destroyForcibly();
    }
  }

  private static int indexOf(List<String> log, String text) {
    for (int i = 0; i < log.size(); i++) {
      if (log.get(i).contains(text)) {
        return i;
      }
    }
    throw new AssertionError("no log line contains \"" + text + "\"");
  }

  private static long postmaster(Path pidFile) throws Exception {
    return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
  }

  private static HttpResponse<String> get(HttpClient http, String url, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String login(HttpClient http, String url) throws Exception {
    JsonNode tokens =
        Json.parse(
            http.send(
                    HttpRequest.newBuilder(URI.create(url + "/api/v1/auth/login"))
                        .header("Content-Type", "application/json")
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "{\"username\":\"demo\",\"password\":\"demo-password\"}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    return tokens.get("accessToken").asText();
  }
}
