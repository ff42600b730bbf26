package io.bulwark.fleet;

import io.bulwark.kernel.Check;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backlog per instance of a queue the group's instances work through, for target tracking on
 * queue depth as AWS recommends for queues: the queue's depth, read from a gauge on the in-service
 * instances' {@code /metrics} (Prometheus text), divided by the instances in service. The queue is
 * shared (every instance reports the same depth, read from one database), so one answer is enough:
 * a scrape asks one in-service instance, taking turns so that no instance carries every scrape, and
 * asks the next only when that one does not answer within the timeout, answers with an error (403
 * too: give a {@link #withBearerToken token} when {@code /metrics} is guarded) or without the
 * gauge; the depth is {@code NaN} when none answered.
 *
 * <p>Scraping runs asynchronously so that a slow instance never holds up the group: {@link #sample}
 * returns the depth of the last finished scrape and starts the next one unless one is still under
 * way; the first call is {@code NaN}. Thread-safe.
 */
public final class QueueBacklog implements Metric {

  /** The shop's order intake depth ({@code bulwark.orders.intake.depth}) as Prometheus names it. */
  public static final String ORDER_INTAKE_DEPTH = "bulwark_orders_intake_depth";

  /** How long one instance may take to answer, by default. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

  private final InstanceGroup group;
  private final String gauge;
  private final Duration timeout;
  private final Optional<String> bearerToken;
  private final HttpClient client;
  private final AtomicInteger turn = new AtomicInteger();
  private CompletableFuture<Double> scraping;
  private double lastDepth = Double.NaN;

  private QueueBacklog(
      InstanceGroup group, String gauge, Duration timeout, Optional<String> bearerToken) {
    this.group = group;
    this.gauge = gauge;
    this.timeout = timeout;
    this.bearerToken = bearerToken;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .executor(Executors.newVirtualThreadPerTaskExecutor())
            .build();
  }

  /**
   * The backlog per instance of the queue whose depth {@code group}'s instances report as the
   * Prometheus gauge {@code gauge} (e.g. {@link #ORDER_INTAKE_DEPTH}), each instance given {@link
   * #DEFAULT_TIMEOUT} to answer.
   *
   * @throws IllegalArgumentException when {@code gauge} is not a Prometheus metric name
   */
  public static QueueBacklog of(InstanceGroup group, String gauge) {
    return of(group, gauge, DEFAULT_TIMEOUT);
  }

  /**
   * As {@link #of(InstanceGroup, String)}, each instance given {@code timeout} to answer.
   *
   * @throws IllegalArgumentException when {@code gauge} is not a Prometheus metric name or {@code
   *     timeout} is not positive
   */
  public static QueueBacklog of(InstanceGroup group, String gauge, Duration timeout) {
    Objects.requireNonNull(group, "group");
    Check.matches(
        "queue gauge",
        gauge,
        java.util.regex.Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*"),
        "a Prometheus metric name such as bulwark_orders_intake_depth");
    Check.positive("queue scrape timeout", timeout);
    return new QueueBacklog(group, gauge, timeout, Optional.empty());
  }

  /**
   * This metric scraping with {@code Authorization: Bearer token}, for instances whose {@code
   * /metrics} takes a token (e.g. {@code bulwark serve --metrics-token}); a blank token sends none.
   */
  public QueueBacklog withBearerToken(String token) {
    return new QueueBacklog(
        group, gauge, timeout, Optional.ofNullable(token).filter(t -> !t.isBlank()));
  }

  /**
   * Scrapes the group's in-service instances now, one after the other until one answers, starting
   * with the instance after the one the previous scrape started with.
   *
   * @return completes (never exceptionally) with the depth the first answering instance reported,
   *     or {@code NaN} when none did
   */
  public CompletableFuture<Double> depth() {
    List<InstanceStatus> inService = group.status().in(Lifecycle.IN_SERVICE);
    if (inService.isEmpty()) {
      return CompletableFuture.completedFuture(Double.NaN);
    }
    int first = Math.floorMod(turn.getAndIncrement(), inService.size());
    List<InstanceStatus> order = new ArrayList<>(inService.subList(first, inService.size()));
    order.addAll(inService.subList(0, first));
    return firstAnswer(order, 0);
  }

  private CompletableFuture<Double> firstAnswer(List<InstanceStatus> order, int at) {
    if (at == order.size()) {
      return CompletableFuture.completedFuture(Double.NaN);
    }
    return scrape(order.get(at))
        .thenCompose(
            d ->
                d.isPresent()
                    ? CompletableFuture.completedFuture(d.getAsDouble())
                    : firstAnswer(order, at + 1));
  }

  @Override
  public synchronized double sample(Instant now, int inService) {
    if (scraping == null || scraping.isDone()) {
      scraping = depth();
      scraping.thenAccept(this::record);
    }
    return Double.isNaN(lastDepth) || inService <= 0 ? Double.NaN : lastDepth / inService;
  }

  private synchronized void record(double depth) {
    lastDepth = depth;
  }

  private CompletableFuture<OptionalDouble> scrape(InstanceStatus instance) {
    HttpRequest request;
    try {
      HttpRequest.Builder b =
          HttpRequest.newBuilder(
                  URI.create("http://" + instance.host() + ":" + instance.port() + "/metrics"))
              .timeout(timeout)
              .header("Accept", "text/plain")
              .GET();
      bearerToken.ifPresent(t -> b.header("Authorization", "Bearer " + t));
      request = b.build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(OptionalDouble.empty());
    }
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(
            r ->
                r.statusCode() == 200
                    ? PrometheusText.sum(r.body(), gauge).stream()
                        .filter(d -> !Double.isNaN(d) && d >= 0 && !Double.isInfinite(d))
                        .findFirst()
                    : OptionalDouble.empty())
        .exceptionally(e -> OptionalDouble.empty());
  }
}
