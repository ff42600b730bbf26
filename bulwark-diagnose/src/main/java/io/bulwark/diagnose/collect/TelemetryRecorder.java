package io.bulwark.diagnose.collect;

import io.bulwark.diagnose.ChangeLog;
import io.bulwark.diagnose.Observation;
import io.bulwark.diagnose.Point;
import io.bulwark.diagnose.Series;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a sample at a fixed interval and keeps the samples of the last {@code retention} in memory,
 * so that a diagnosis can compare the time before a symptom with the time since.
 */
public final class TelemetryRecorder implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TelemetryRecorder.class);

  private final Supplier<Sample> sampler;
  private final Supplier<Observation> process;
  private final ChangeLog changes;
  private final Duration retention;
  private final Deque<Sample> samples = new ArrayDeque<>();
  private final ScheduledExecutorService scheduler;

  private TelemetryRecorder(
      Supplier<Sample> sampler,
      Supplier<Observation> process,
      ChangeLog changes,
      Duration interval,
      Duration retention) {
    this.sampler = sampler;
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
        sampler::sample, sampler::processObservation, changes, interval, retention);
  }

  private void sampleOnce() {
    try {
      Sample s = sampler.get();
      synchronized (samples) {
        samples.addLast(s);
        Instant horizon = s.at().minus(retention);
        while (!samples.isEmpty() && samples.peekFirst().at().isBefore(horizon)) {
          samples.removeFirst();
        }
      }
    } catch (RuntimeException e) {
      log.warn("telemetry sample failed: {}", e.toString());
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
