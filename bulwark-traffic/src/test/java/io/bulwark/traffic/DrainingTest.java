package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DrainingTest {
  private final TestBackend first = TestBackend.start("app-1");
  private final TestBackend second = TestBackend.start("app-2");
  private final ExecutorService clients = Executors.newFixedThreadPool(2);
  private Gateway gateway;

  @AfterEach
  void stopAll() {
    clients.shutdownNow();
    if (gateway != null) {
      gateway.close(Duration.ofSeconds(2));
    }
    first.close();
    second.close();
  }

  private void startGateway(Duration deregistrationDelay) {
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .pool(
                    PoolConfig.builder("app")
                        .noHealthCheck()
                        .deregistrationDelay(deregistrationDelay)
                        .target(first.target())
                        .target(second.target())
                        .build())
                .build());
  }

  /** Starts a slow request and returns the backend holding it. */
  private TestBackend slowRequestOn(List<Future<HttpResponse<String>>> out) {
    out.add(clients.submit(() -> Http.get(gateway.port(), "/slow")));
    await().until(() -> first.slowStarted() + second.slowStarted() == 1);
    return first.slowStarted() == 1 ? first : second;
  }

  @Test
  void finishesTheInFlightRequestOfADrainingTargetAndSendsItNothingNew() throws Exception {
    startGateway(Duration.ofSeconds(30));
    List<Future<HttpResponse<String>>> slow = new java.util.ArrayList<>();
    TestBackend busy = slowRequestOn(slow);
    TestBackend other = busy == first ? second : first;

    CompletableFuture<Void> removed = gateway.drain(busy.id);

    assertThat(gateway.target(busy.id).state()).isEqualTo(TargetState.DRAINING);
    assertThat(gateway.target(busy.id).inFlight()).isEqualTo(1);
    for (int i = 0; i < 20; i++) {
      assertThat(Http.get(gateway.port(), "/next").body()).isEqualTo(other.id);
    }
    assertThat(busy.requests()).isEqualTo(1);
    assertThat(removed).isNotDone();

    busy.releaseSlow();
    HttpResponse<String> finished = slow.get(0).get(10, TimeUnit.SECONDS);
    assertThat(finished.statusCode()).isEqualTo(200);
    assertThat(finished.body()).isEqualTo(busy.id);
    removed.get(5, TimeUnit.SECONDS);
    assertThat(gateway.pool("app").targets())
        .extracting(TargetStatus::id)
        .containsExactly(other.id);
    assertThatThrownBy(() -> gateway.target(busy.id)).isInstanceOf(UnknownTargetException.class);
  }

  @Test
  void removesAnIdleTargetAtOnce() throws Exception {
    startGateway(Duration.ofSeconds(30));

    gateway.drain("app-1").get(2, TimeUnit.SECONDS);

    assertThat(gateway.pool("app").targets()).extracting(TargetStatus::id).containsExactly("app-2");
  }

  @Test
  void removesADrainingTargetWhenTheDeregistrationDelayRunsOut() throws Exception {
    startGateway(Duration.ofMillis(300));
    List<Future<HttpResponse<String>>> slow = new java.util.ArrayList<>();
    TestBackend busy = slowRequestOn(slow);

    gateway.drain(busy.id).get(5, TimeUnit.SECONDS);

    assertThat(gateway.pool("app").targets()).hasSize(1);
    assertThat(slow.get(0)).isNotDone();
    busy.releaseSlow();
    assertThat(slow.get(0).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  void closingTheGatewayLetsInFlightRequestsFinishAndRefusesNewConnections() throws Exception {
    startGateway(Duration.ofSeconds(30));
    List<Future<HttpResponse<String>>> slow = new java.util.ArrayList<>();
    TestBackend busy = slowRequestOn(slow);
    int port = gateway.port();

    Future<?> closing = clients.submit(() -> gateway.close(Duration.ofSeconds(10)));
    await()
        .until(
            () -> {
              try {
                new java.net.Socket("127.0.0.1", port).close();
                return false;
              } catch (java.io.IOException refused) {
                return true;
              }
            });
    assertThat(closing).isNotDone();
    busy.releaseSlow();

    assertThat(slow.get(0).get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    closing.get(10, TimeUnit.SECONDS);
    gateway = null;
  }
}
