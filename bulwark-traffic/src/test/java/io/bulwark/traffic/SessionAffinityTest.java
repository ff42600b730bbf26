package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SessionAffinityTest {
  private final List<TestBackend> backends = new ArrayList<>();
  private final MovableClock clock = new MovableClock();
  private Gateway gateway;

  @BeforeEach
  void start() {
    PoolConfig.Builder pool =
        PoolConfig.builder("web")
            .healthCheck(
                HealthCheck.builder()
                    .interval(Duration.ofMillis(100))
                    .timeout(Duration.ofMillis(100))
                    .build());
    for (String id : List.of("web-1", "web-2", "web-3")) {
      TestBackend b = TestBackend.start(id);
      backends.add(b);
      pool.target(b.target());
    }
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .pool(pool.build())
                .affinity(SessionAffinity.withTtl(Duration.ofSeconds(3600)))
                .build(),
            new SimpleMeterRegistry(),
            clock);
  }

  @AfterEach
  void stop() {
    gateway.close(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
  }

  private static String cookieOf(HttpResponse<String> response) {
    String setCookie = response.headers().firstValue("set-cookie").orElseThrow();
    assertThat(setCookie).contains("Max-Age=3600", "Path=/").containsIgnoringCase("HttpOnly");
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  @Test
  void keepsAClientOnItsTargetWhileHealthyAndMovesItWhenNot() {
    HttpResponse<String> first = Http.get(gateway.port(), "/cart");
    String cookie = cookieOf(first);
    String home = first.body();

    for (int i = 0; i < 20; i++) {
      HttpResponse<String> again = Http.get(gateway.port(), "/cart", "cookie", cookie);
      assertThat(again.body()).isEqualTo(home);
      assertThat(again.headers().firstValue("set-cookie")).isEmpty();
    }

    TestBackend homeBackend = backends.stream().filter(b -> b.id.equals(home)).findFirst().get();
    homeBackend.healthStatus(503);
    await().until(() -> gateway.target(home).state() == TargetState.UNHEALTHY);

    HttpResponse<String> moved = Http.get(gateway.port(), "/cart", "cookie", cookie);
    assertThat(moved.body()).isNotEqualTo(home);
    String newCookie = cookieOf(moved);
    for (int i = 0; i < 10; i++) {
      assertThat(Http.get(gateway.port(), "/cart", "cookie", newCookie).body())
          .isEqualTo(moved.body());
    }
  }

  @Test
  void ignoresAnExpiredAffinityCookie() {
    HttpResponse<String> first = Http.get(gateway.port(), "/cart");
    String cookie = cookieOf(first);

    clock.advance(Duration.ofSeconds(3601));

    HttpResponse<String> later = Http.get(gateway.port(), "/cart", "cookie", cookie);
    assertThat(later.headers().firstValue("set-cookie")).isPresent();
  }

  @Test
  void spreadsClientsWithoutACookie() {
    List<String> served = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      served.add(Http.get(gateway.port(), "/cart").body());
    }
    assertThat(served).contains("web-1", "web-2", "web-3");
  }

  /** A clock tests move by hand. */
  static final class MovableClock extends Clock {
    private volatile Instant now = Instant.parse("2026-11-24T12:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneId.of("UTC");
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
