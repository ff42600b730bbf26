package io.bulwark.fleet.load;

import io.bulwark.kernel.Check;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;
import org.HdrHistogram.Histogram;

/**
 * An open-loop HTTP load generator: sends requests at a fixed rate over real HTTP/1.1 keep-alive
 * connections (the JDK client), whatever the server's speed, and measures each latency from the
 * moment the request was due, so a stall shows up in the percentiles instead of slowing the load
 * (no coordinated omission). At most {@code maxInFlight} requests are outstanding, like a client's
 * connection pool: when that many wait for answers, the next request waits too and its latency
 * counts from when it could be sent. Latencies go into an HdrHistogram.
 */
public final class LoadGenerator implements AutoCloseable {
  private final HttpClient client;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Duration requestTimeout;
  private final int maxInFlight;
  private volatile boolean closed;

  /** The figures of the run in progress (null before the first run), for {@link #sofar()}. */
  private volatile java.util.function.Supplier<LoadResult> running;

  private LoadGenerator(Duration requestTimeout, int maxInFlight) {
    this.requestTimeout = requestTimeout;
    this.maxInFlight = maxInFlight;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .executor(executor)
            .build();
  }

  /**
   * A generator whose requests fail after {@code requestTimeout} without an answer, with at most
   * {@code maxInFlight} outstanding.
   */
  public static LoadGenerator create(Duration requestTimeout, int maxInFlight) {
    Check.positive("requestTimeout", requestTimeout);
    Check.positive("maxInFlight", maxInFlight);
    return new LoadGenerator(requestTimeout, maxInFlight);
  }

  /**
   * Sends {@code request(n)} for n = 0, 1, ... at {@code ratePerSecond} until {@code stop} says so
   * or {@code maxRequests} were sent, then waits for every answer. A rate of {@link
   * Double#POSITIVE_INFINITY} sends as fast as {@code maxInFlight} outstanding requests allow (a
   * closed loop), each latency counted from its send.
   *
   * @param label names what answered a succeeded request (e.g. its {@code X-Zone} header); null
   *     labels are not counted
   */
  public LoadResult run(
      double ratePerSecond,
      long maxRequests,
      BooleanSupplier stop,
      LongFunction<HttpRequest.Builder> request,
      Function<HttpResponse<?>, String> label) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be > 0 but was " + ratePerSecond);
    }
    Objects.requireNonNull(label, "label");
    Histogram histogram = new Histogram(Duration.ofMinutes(1).toNanos(), 3);
    LongAdder succeeded = new LongAdder();
    LongAdder failed = new LongAdder();
    AtomicLong sent = new AtomicLong();
    Map<String, LongAdder> byLabel = new ConcurrentHashMap<>();
    List<String> failures = new ArrayList<>();
    boolean closedLoop = Double.isInfinite(ratePerSecond);
    double intervalNanos = closedLoop ? 0 : 1e9 / ratePerSecond;
    long start = System.nanoTime();
    running = () -> result(start, sent, succeeded, failed, byLabel, failures, histogram);
    drive(
        start,
        closedLoop ? null : n -> (long) (n * intervalNanos),
        maxRequests,
        stop,
        n -> {
          sent.incrementAndGet();
          return request.apply(n);
        },
        HttpResponse.BodyHandlers.discarding(),
        (n, r, response, error, latency) -> {
          synchronized (histogram) {
            histogram.recordValue(Math.min(latency, histogram.getHighestTrackableValue()));
          }
          if (error == null && response.statusCode() / 100 == 2) {
            succeeded.increment();
            String l = label.apply(response);
            if (l != null) {
              byLabel.computeIfAbsent(l, k -> new LongAdder()).increment();
            }
          } else {
            failed.increment();
            synchronized (failures) {
              if (failures.size() < 10) {
                failures.add(
                    r.method()
                        + " "
                        + r.uri().getPath()
                        + ": "
                        + (error != null ? rootCause(error) : "HTTP " + response.statusCode()));
              }
            }
          }
        });
    return result(start, sent, succeeded, failed, byLabel, failures, histogram);
  }

  /** One answer, or the error that took its place, with its latency from when it was due. */
  @FunctionalInterface
  public interface Answer<T> {
    /**
     * @param n the request's number
     * @param request what was sent
     * @param response the answer, null when {@code error} is not
     * @param error why there is no answer, else null
     * @param latencyNanos from when the request was due (or, in a closed loop, sent)
     */
    void accept(
        long n, HttpRequest request, HttpResponse<T> response, Throwable error, long latencyNanos);
  }

  /**
   * Sends {@code request(n)} for n = 0, 1, ... each at {@code start + dueNanos(n)} (an arrival
   * schedule, e.g. {@link ArrivalProfile#offsetNanos}), until {@code stop} says so or {@code
   * maxRequests} were sent, hands every answer to {@code answer} on the client's threads, and
   * returns once all are in. With a null {@code dueNanos} it sends as fast as {@code maxInFlight}
   * outstanding requests allow (a closed loop).
   */
  public <T> void drive(
      long start,
      LongUnaryOperator dueNanos,
      long maxRequests,
      BooleanSupplier stop,
      LongFunction<HttpRequest.Builder> request,
      HttpResponse.BodyHandler<T> body,
      Answer<T> answer) {
    Objects.requireNonNull(stop, "stop");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(answer, "answer");
    Phaser inFlight = new Phaser(1);
    Semaphore slots = new Semaphore(maxInFlight);
    for (long n = 0; n < maxRequests && !stop.getAsBoolean() && !closed; n++) {
      long scheduled = dueNanos == null ? start : start + dueNanos.applyAsLong(n);
      long wait;
      while ((wait = scheduled - System.nanoTime()) > 0) {
        LockSupport.parkNanos(wait);
      }
      long due;
      if (dueNanos != null && slots.tryAcquire()) {
        due = scheduled;
      } else if (acquire(slots)) {
        due = System.nanoTime();
      } else {
        break;
      }
      HttpRequest r = request.apply(n).timeout(requestTimeout).build();
      inFlight.register();
      long number = n;
      client
          .sendAsync(r, body)
          .whenComplete(
              (response, error) -> {
                try {
                  answer.accept(number, r, response, error, System.nanoTime() - due);
                } finally {
                  slots.release();
                  inFlight.arriveAndDeregister();
                }
              });
    }
    inFlight.arriveAndAwaitAdvance();
  }

  /**
   * What the current (or last) run measured so far: the answers received up to now; empty before
   * the first run. For a summary when a run is cut short (Ctrl-C).
   */
  public java.util.Optional<LoadResult> sofar() {
    java.util.function.Supplier<LoadResult> r = running;
    return r == null ? java.util.Optional.empty() : java.util.Optional.of(r.get());
  }

  private static LoadResult result(
      long start,
      AtomicLong sent,
      LongAdder succeeded,
      LongAdder failed,
      Map<String, LongAdder> byLabel,
      List<String> failures,
      Histogram histogram) {
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    Map<String, Long> labels = new java.util.TreeMap<>();
    byLabel.forEach((k, v) -> labels.put(k, v.sum()));
    List<String> samples;
    synchronized (failures) {
      samples = List.copyOf(failures);
    }
    synchronized (histogram) {
      boolean empty = histogram.getTotalCount() == 0;
      return new LoadResult(
          sent.get(),
          succeeded.sum(),
          failed.sum(),
          empty ? 0 : histogram.getValueAtPercentile(50) / 1e6,
          empty ? 0 : histogram.getValueAtPercentile(99) / 1e6,
          empty ? 0 : histogram.getMaxValue() / 1e6,
          elapsed,
          labels,
          samples);
    }
  }

  /** Waits for a free slot; false once the generator is closed. */
  private boolean acquire(Semaphore slots) {
    try {
      while (!slots.tryAcquire(100, TimeUnit.MILLISECONDS)) {
        if (closed) {
          return false;
        }
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The innermost cause of {@code e}, as {@code Class: message}. */
  public static String rootCause(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
  }

  @Override
  public void close() {
    closed = true;
    client.shutdownNow();
    executor.shutdownNow();
  }
}
