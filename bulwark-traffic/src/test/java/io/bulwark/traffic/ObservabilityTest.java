package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ObservabilityTest {
  private final TestBackend backend = TestBackend.start("api-1");
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Logger accessLogger = (Logger) LoggerFactory.getLogger("io.bulwark.traffic.access");
  private final ListAppender<ILoggingEvent> accessLog = new ListAppender<>();
  private Gateway gateway;

  @BeforeEach
  void start() {
    accessLog.start();
    accessLogger.addAppender(accessLog);
    accessLogger.setLevel(Level.INFO);
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .pool(PoolConfig.builder("api").noHealthCheck().target(backend.target()).build())
                .build(),
            registry);
  }

  @AfterEach
  void stop() {
    gateway.close(Duration.ofSeconds(2));
    backend.close();
    accessLogger.detachAppender(accessLog);
    accessLogger.setLevel(Level.WARN);
  }

  @Test
  void generatesARequestIdWhenAbsentAndForwardsIt() {
    HttpResponse<String> response = Http.get(gateway.port(), "/orders");

    String id = response.headers().firstValue("x-request-id").orElseThrow();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(backend.lastRequestId()).isEqualTo(id);
  }

  @Test
  void proxiesHeadRequestsWithoutWaitingForABody() {
    HttpResponse<String> response =
        Http.send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + gateway.port() + "/orders"))
                .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(2))
                .build());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-backend")).hasValue("api-1");
    assertThat(response.body()).isEmpty();
  }

  @Test
  void keepsTheClientsRequestId() {
    HttpResponse<String> response = Http.get(gateway.port(), "/orders", "x-request-id", "req-42");

    assertThat(response.headers().firstValue("x-request-id")).hasValue("req-42");
    assertThat(response.headers().firstValue("x-seen-request-id")).hasValue("req-42");
  }

  @Test
  void writesOneStructuredAccessLogLinePerRequest() {
    Http.get(gateway.port(), "/orders?page=2", "x-request-id", "req-7");

    assertThat(accessLog.list).hasSize(1);
    ILoggingEvent line = accessLog.list.get(0);
    assertThat(line.getFormattedMessage())
        .contains(
            "request_id=req-7",
            "protocol=HTTP/1.1",
            "method=GET",
            "uri=\"/orders?page=2\"",
            "status=200",
            "pool=api",
            "target=api-1",
            "attempts=1");
    assertThat(line.getKeyValuePairs())
        .anySatisfy(kv -> assertThat(kv.key + "=" + kv.value).isEqualTo("status=200"));
  }

  @Test
  void logsTheProtocolEachClientSpoke() throws Exception {
    try (java.net.http.HttpClient h2 =
        java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_2)
            .build()) {
      h2.send(
          java.net.http.HttpRequest.newBuilder(
                  java.net.URI.create("http://127.0.0.1:" + gateway.port() + "/h2"))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
    Http.get(gateway.port(), "/h1");

    assertThat(accessLog.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anySatisfy(line -> assertThat(line).contains("protocol=HTTP/2", "uri=\"/h2\""))
        .anySatisfy(line -> assertThat(line).contains("protocol=HTTP/1.1", "uri=\"/h1\""));
  }

  @Test
  void recordsRequestsLatencyAndTargetStateAsMetrics() {
    for (int i = 0; i < 5; i++) {
      Http.get(gateway.port(), "/orders");
    }
    backend.status(503);
    Http.get(gateway.port(), "/orders");

    var ok =
        registry
            .get("bulwark.gateway.requests")
            .tags("pool", "api", "target", "api-1", "status", "2xx")
            .timer();
    assertThat(ok.count()).isEqualTo(5);
    assertThat(ok.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
    assertThat(
            registry
                .get("bulwark.gateway.errors")
                .tags("pool", "api", "target", "api-1", "reason", "status")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(1);
    assertThat(
            registry.get("bulwark.gateway.target.healthy").tags("target", "api-1").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get("bulwark.gateway.pool.weight").tags("pool", "api").gauge().value())
        .isEqualTo(1);
  }
}
