package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GatewayFailoverTest {
  private final List<TestBackend> backends = new ArrayList<>();
  private Gateway gateway;

  @BeforeEach
  void startBackendsAndGateway() {
    for (String id : List.of("web-1", "web-2", "web-3")) {
      backends.add(TestBackend.start(id));
    }
    PoolConfig.Builder pool =
        PoolConfig.builder("web")
            .healthCheck(
                HealthCheck.builder()
                    .interval(Duration.ofMillis(200))
                    .timeout(Duration.ofMillis(150))
                    .build())
            .outlierDetection(OutlierDetection.of(3, Duration.ofSeconds(30)));
    backends.forEach(b -> pool.target(b.target()));
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .pool(pool.build())
                .defaultRoute(RouteConfig.of("/", Duration.ofSeconds(5), 2))
                .build());
  }

  @AfterEach
  void stopAll() {
    gateway.close(Duration.ofSeconds(2));
    backends.forEach(TestBackend::close);
  }

  @Test
  void losesNoIdempotentRequestWhenABackendDiesUnderLoad() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<Future<?>> loops = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      loops.add(
          clients.submit(
              () -> {
                while (running.get()) {
                  try {
                    HttpResponse<String> r = Http.get(gateway.port(), "/orders");
                    if (r.statusCode() == 200) {
                      ok.incrementAndGet();
                    } else {
                      failures.add(r.statusCode() + " " + r.body());
                    }
                  } catch (RuntimeException e) {
                    failures.add(e.toString());
                  }
                }
              }));
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= 300);
    TestBackend victim = backends.get(1);
    victim.stopAbruptly();
    int atKill = ok.get();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> gateway.target("web-2").state() == TargetState.UNHEALTHY);
    await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= atKill + 600);
    running.set(false);
    for (Future<?> loop : loops) {
      loop.get();
    }
    clients.shutdown();

    assertThat(failures).isEmpty();
    assertThat(gateway.target("web-2").healthy()).isFalse();
    assertThat(gateway.pool("web").serving()).isTrue();
    assertThat(backends.get(0).requests()).isGreaterThan(100);
    assertThat(backends.get(2).requests()).isGreaterThan(100);
  }

  @Test
  void retriesARequestCarryingAnIdempotencyKeyButNotAPlainPost() {
    backends.get(0).status(503);
    backends.get(1).status(503);
    backends.get(2).status(503);

    HttpResponse<String> plain = Http.send("POST", gateway.port(), "/orders", "{}");
    assertThat(plain.statusCode()).isEqualTo(503);
    assertThat(backends.stream().mapToInt(TestBackend::requests).sum()).isEqualTo(1);

    HttpResponse<String> keyed =
        Http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/orders"))
                .header("Idempotency-Key", "order-42")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build());
    assertThat(keyed.statusCode()).isEqualTo(503);
    assertThat(backends.stream().mapToInt(TestBackend::requests).sum()).isEqualTo(4);
    assertThat(backends).allSatisfy(b -> assertThat(b.requests()).isBetween(1, 2));
  }

  @Test
  void ejectsATargetAfterConsecutiveFailuresAndRoutesAroundIt() {
    backends.get(0).status(500);
    for (int i = 0; i < 30; i++) {
      assertThat(Http.get(gateway.port(), "/x").statusCode()).isIn(200, 500);
    }
    assertThat(gateway.target("web-1").state()).isEqualTo(TargetState.EJECTED);
    assertThat(gateway.target("web-1").ejectedUntil()).isPresent();
    int before = backends.get(0).requests();
    for (int i = 0; i < 20; i++) {
      assertThat(Http.get(gateway.port(), "/x").statusCode()).isEqualTo(200);
    }
    assertThat(backends.get(0).requests()).isEqualTo(before);
  }
}
