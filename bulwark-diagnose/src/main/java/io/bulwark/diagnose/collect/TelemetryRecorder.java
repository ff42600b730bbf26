package io.bulwark.diagnose.collect;

import io.bulwark.diagnose.ChangeLog;
import io.bulwark.diagnose.Observation;
import io.bulwark.diagnose.Point;
import io.bulwark.diagnose.Series;
import io.bulwark.diagnose.Signals;
import io.bulwark.diagnose.Telemetry;
import io.bulwark.kernel.Check;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a sample at a fixed interval and keeps the samples of the last {@code retention} in memory,
 * so that a diagnosis can compare the time before a symptom with the time since.
 */
public final class TelemetryRecorder implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TelemetryRecorder.class);

  /** How many live-set readings {@link #measureLiveSet()} takes. */
  public static final int LIVE_SET_READINGS = 2;

  /** The time between two readings of {@link #measureLiveSet()}: a leak grows in it. */
  public static final Duration LIVE_SET_APART = Duration.ofSeconds(2);

  private final Supplier<Sample> sampler;
  private final LongSupplier collector;
  private final Supplier<Observation> process;
  private final ChangeLog changes;
  private final Duration retention;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private final ScheduledExecutorService scheduler;

  private TelemetryRecorder(
      Supplier<Sample> sampler,
      LongSupplier collector,
      Supplier<Observation> process,
      ChangeLog changes,
      Duration interval,
      Duration retention) {
    this.sampler = sampler;
    this.collector = collector;
    this.process = process;
    this.changes = changes;
    this.retention = retention;
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("bulwark-telemetry").unstarted(r));
    scheduler.scheduleAtFixedRate(this::sampleOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts recording {@code sampler} every {@code interval}, keeping {@code retention}; {@code
   * changes} are served with the samples.
   *
   * @throws IllegalArgumentException when interval or retention is not positive or retention is
   *     shorter than the interval
   */
  public static TelemetryRecorder start(
      ServerSampler sampler, ChangeLog changes, Duration interval, Duration retention) {
    Check.positive("interval", interval);
    Check.atLeast("retention", retention, "interval", interval);
    return new TelemetryRecorder(
        sampler::sample,
        sampler::collect,
        sampler::processObservation,
        changes,
        interval,
        retention);
  }

  /**
   * Measures the live set now: {@value #LIVE_SET_READINGS} full garbage collections {@link
   * #LIVE_SET_APART} apart, each followed at once by a sample, so the telemetry holds live-set
   * readings taken after the symptom began (with a large young generation the latest collection can
   * be minutes old) and shows whether the live set still grows. Each collection pauses the process
   * (tens to hundreds of milliseconds, with the live set); those pauses are not counted as GC
   * pauses. Calls are serialised.
   *
   * @return the readings, oldest first
   * @throws InterruptedException when interrupted while waiting for a reading
   */
  public synchronized List<LiveSetReading> measureLiveSet() throws InterruptedException {
    List<LiveSetReading> readings = new ArrayList<>();
    for (int i = 0; i < LIVE_SET_READINGS; i++) {
      var next =
          scheduler.schedule(
              () -> {
                long pause = collector.getAsLong();
                Sample s = sampleOnce();
                Double live =
                    s == null
                        ? null
                        : s.values().values().stream()
                            .map(m -> m.get(Signals.HEAP_LIVE))
                            .filter(java.util.Objects::nonNull)
                            .findFirst()
                            .orElse(null);
                return new LiveSetReading(
                    s == null ? Instant.now() : s.at(),
                    live == null ? -1 : live.longValue(),
                    pause);
              },
              i == 0 ? 0 : LIVE_SET_APART.toMillis(),
              TimeUnit.MILLISECONDS);
      try {
        readings.add(next.get());
      } catch (ExecutionException e) {
        throw new IllegalStateException("measuring the live set failed: " + e.getCause(), e);
      }
    }
    return readings;
  }

  /**
   * One live-set reading.
   *
   * @param at when the sample after the collection was taken
   * @param liveBytes heap in use after the collection, or -1 when the sample failed
   * @param pauseMillis how long the collection took, or -1 when the JVM ignores explicit
   *     collections ({@code -XX:+DisableExplicitGC}); then the live set is as old as before
   */
  public record LiveSetReading(Instant at, long liveBytes, long pauseMillis) {}

  private Sample sampleOnce() {
    try {
      Sample s = sampler.get();
      synchronized (samples) {
        samples.addLast(s);
        Instant horizon = s.at().minus(retention);
        while (!samples.isEmpty() && samples.peekFirst().at().isBefore(horizon)) {
          samples.removeFirst();
        }
      }
      return s;
    } catch (RuntimeException e) {
      log.warn("telemetry sample failed: {}", e.toString());
      return null;
    }
  }

  /** The samples taken from {@code from} on, as series, with observations and change events. */
  public Telemetry since(Instant from) {
    List<Sample> taken;
    synchronized (samples) {
      taken = samples.stream().filter(s -> !s.at().isBefore(from)).toList();
    }
    Map<String, List<Point>> points = new LinkedHashMap<>();
    List<Observation> observations = new ArrayList<>();
    observations.add(process.get());
    for (Sample s : taken) {
      s.values()
          .forEach(
              (component, metrics) ->
                  metrics.forEach(
                      (metric, value) ->
                          points
                              .computeIfAbsent(
                                  component + "\u0000" + metric, k -> new ArrayList<>())
                              .add(new Point(s.at(), value))));
      observations.addAll(s.observations());
    }
    List<Series> series = new ArrayList<>();
    points.forEach(
        (key, list) -> {
          String[] parts = key.split("\u0000", 2);
          series.add(new Series(parts[0], parts[1], list));
        });
    return new Telemetry(series, observations, changes.since(from));
  }

  /** How many samples are kept now. */
  public int size() {
    synchronized (samples) {
      return samples.size();
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
