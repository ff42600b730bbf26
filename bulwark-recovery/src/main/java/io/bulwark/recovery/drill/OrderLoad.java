package io.bulwark.recovery.drill;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded order load: {@code POST /api/v1/orders/{id}} through the gateway at a fixed rate, each
 * order with an id of its own, each answer recorded (status, region, time). Requests do not wait
 * for each other, so an outage shows as failures at the same rate rather than as a stalled loop.
 */
final class OrderLoad implements AutoCloseable {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private final String gatewayUrl;
  private final double perSecond;
  private final Clock clock;
  private final String prefix;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
  private final ConcurrentLinkedQueue<OrderAttempt> attempts = new ConcurrentLinkedQueue<>();
  private final AtomicLong sent = new AtomicLong();
  private final Thread pacer;
  private volatile boolean running = true;

  private OrderLoad(String gatewayUrl, double perSecond, Clock clock, String prefix) {
    this.gatewayUrl = gatewayUrl;
    this.perSecond = perSecond;
    this.clock = clock;
    this.prefix = prefix;
    this.pacer = Thread.ofPlatform().name("drill-load").daemon().unstarted(this::pace);
  }

  /**
   * Starts sending {@code perSecond} orders a second to {@code gatewayUrl}; ids {@code prefix-N}.
   */
  static OrderLoad start(String gatewayUrl, double perSecond, Clock clock, String prefix) {
    if (!(perSecond > 0) || perSecond > 1000) {
      throw new IllegalArgumentException(
          "orders per second must be > 0 and <= 1000, got " + perSecond);
    }
    OrderLoad load = new OrderLoad(gatewayUrl, perSecond, clock, prefix);
    load.pacer.start();
    return load;
  }

  private void pace() {
    long interval = (long) (1_000_000_000L / perSecond);
    long next = System.nanoTime();
    while (running) {
      long n = sent.incrementAndGet();
      String id = prefix + "-" + n;
      requests.submit(() -> send(id));
      next += interval;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
    }
  }

  private void send(String id) {
    Instant sentAt = clock.instant();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(gatewayUrl + "/api/v1/orders/" + id))
            .timeout(REQUEST_TIMEOUT)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    int status = 0;
    Optional<String> region = Optional.empty();
    try {
      HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
      status = r.statusCode();
      region = r.headers().firstValue("X-Region");
    } catch (IOException e) {
      // no answer: refused, reset or timed out; recorded with status 0
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    attempts.add(new OrderAttempt(id, sentAt, clock.instant(), status, region));
  }

  /** What was answered so far, in the order the answers came. */
  List<OrderAttempt> attempts() {
    List<OrderAttempt> out = new ArrayList<>(attempts);
    out.sort(Comparator.comparing(OrderAttempt::answeredAt));
    return out;
  }

  /** Stops sending and waits for the requests in flight (each has a timeout). */
  @Override
  public void close() {
    running = false;
    try {
      pacer.join(Duration.ofSeconds(2));
      requests.shutdown();
      requests.awaitTermination(REQUEST_TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
