package io.bulwark.fleet;

import io.bulwark.kernel.Check;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs instance groups: one thread ticks every group every {@code tickInterval} (default 100 ms).
 * {@link #close()} stops the loop and then every group, in parallel.
 */
public final class Fleet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);

  private final List<InstanceGroup> groups;
  private final ScheduledExecutorService loop;

  private Fleet(List<InstanceGroup> groups, Duration tickInterval) {
    this.groups = List.copyOf(groups);
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "fleet-loop");
              t.setDaemon(true);
              return t;
            });
    loop.scheduleWithFixedDelay(this::tickAll, 0, tickInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Starts ticking {@code groups} every 100 ms. */
  public static Fleet start(List<InstanceGroup> groups) {
    return start(groups, Duration.ofMillis(100));
  }

  /** Starts ticking {@code groups} every {@code tickInterval}. */
  public static Fleet start(List<InstanceGroup> groups, Duration tickInterval) {
    Objects.requireNonNull(groups, "groups");
    Check.atLeast("tickInterval", tickInterval, Duration.ofMillis(1));
    return new Fleet(groups, tickInterval);
  }

  /** The groups, in order. */
  public List<InstanceGroup> groups() {
    return groups;
  }

  /** The group called {@code name}. */
  public Optional<InstanceGroup> group(String name) {
    return groups.stream().filter(g -> g.name().equals(name)).findFirst();
  }

  private void tickAll() {
    for (InstanceGroup g : groups) {
      try {
        g.tick();
      } catch (RuntimeException e) {
        LOG.error("instance group {}: tick failed", g.name(), e);
      }
    }
  }

  /** Stops the loop, then every group (each waits for its instances to exit). Idempotent. */
  @Override
  public void close() {
    loop.shutdownNow();
    try {
      loop.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Thread> closing = new ArrayList<>();
    for (InstanceGroup g : groups) {
      closing.add(Thread.ofPlatform().name("fleet-close-" + g.name()).start(g::close));
    }
    for (Thread t : closing) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
