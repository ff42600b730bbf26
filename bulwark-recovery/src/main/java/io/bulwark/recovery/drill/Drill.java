package io.bulwark.recovery.drill;

import io.bulwark.fleet.instance.InstanceMain;
import io.bulwark.postgres.Database;
import io.bulwark.recovery.Activation;
import io.bulwark.recovery.DisasterRecoveryManager;
import io.bulwark.recovery.RecoveryException;
import io.bulwark.topology.DisasterRecovery;
import io.bulwark.topology.runbook.Runbook;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * A disaster-recovery drill: a bounded order load through the gateway, a disaster injected while it
 * runs, the DR manager's activation (approved automatically), then the measures: RTO (fault to the
 * first order acknowledged from the DR region), RPO (acknowledged orders missing from the database
 * afterwards, and the window they were acknowledged in), each runbook step's duration, and the
 * no-duplicate-order invariant.
 *
 * <pre>{@code
 * try (DrillStack stack = DrillStack.start(topology, file, workDir, Duration.ofMinutes(1), err)) {
 *   DrillResult r = Drill.run(stack, engine, Drill.Options.defaults(), Clock.systemUTC(), err);
 * }
 * }</pre>
 */
public final class Drill {
  private Drill() {}

  /**
   * How a drill runs.
   *
   * @param disaster what to inject
   * @param ordersPerSecond the load's rate
   * @param warmUp how long the load runs before the fault
   * @param activationTimeout how long the DR activation may take
   * @param recoveryTimeout how long, after the activation ended, the load waits for an order
   *     acknowledged from the DR region
   */
  public record Options(
      Disaster disaster,
      double ordersPerSecond,
      Duration warmUp,
      Duration activationTimeout,
      Duration recoveryTimeout) {
    public Options {
      Objects.requireNonNull(disaster, "disaster");
      if (!(ordersPerSecond > 0) || ordersPerSecond > 1000) {
        throw new IllegalArgumentException(
            "--orders-per-second must be > 0 and <= 1000, got " + ordersPerSecond);
      }
      positive("warmUp", warmUp);
      positive("activationTimeout", activationTimeout);
      positive("recoveryTimeout", recoveryTimeout);
    }

    /** Region loss, 20 orders/s, 5 s of load before the fault, 30 min for the activation. */
    public static Options defaults() {
      return new Options(
          Disaster.REGION_LOSS,
          20,
          Duration.ofSeconds(5),
          Duration.ofMinutes(30),
          Duration.ofSeconds(30));
    }

    private static void positive(String name, Duration d) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be > 0 but was " + d);
      }
    }
  }

  /**
   * Runs a drill against {@code stack}, the DR manager's executions in {@code engine}.
   *
   * @throws RecoveryException.NotPossible when the topology cannot be failed over (no dr section, a
   *     strategy the manager cannot carry out)
   * @throws RecoveryException.Unreachable when no order is acknowledged before the fault
   */
  public static DrillResult run(
      DrillStack stack, Database engine, Options options, Clock clock, PrintWriter progress) {
    var running = stack.running();
    Runbook runbook = DisasterRecoveryManager.runbook(running, clock);
    DisasterRecovery dr = running.topology().dr().orElseThrow();
    String ordersUrl = DrillStack.ordersUrl(stack.database());
    createOrdersTable(ordersUrl);
    try (DisasterRecoveryManager manager = DisasterRecoveryManager.start(running, engine, clock)) {
      Instant startedAt = clock.instant();
      String name = "drill-" + startedAt.getEpochSecond();
      progress.printf(
          "drill: %s, %s from %s to %s; %s orders/s through %s%n",
          running.topology().name(),
          runbook.strategy().word(),
          runbook.fromRegion(),
          runbook.toRegion(),
          options.ordersPerSecond(),
          running.gatewayUrl());
      progress.flush();
      OrderLoad load =
          OrderLoad.start(running.gatewayUrl(), options.ordersPerSecond(), clock, name);
      List<OrderAttempt> attempts;
      Instant faultAt;
      List<String> killed;
      Activation activation;
      try {
        sleep(options.warmUp());
        if (load.attempts().stream().noneMatch(OrderAttempt::acknowledged)) {
          throw new RecoveryException.Unreachable(
              "no order was acknowledged in the "
                  + options.warmUp().toSeconds()
                  + " s before the fault (POST "
                  + running.gatewayUrl()
                  + "/api/v1/orders/{id}): "
                  + load.attempts().stream().map(a -> a.status()).distinct().toList(),
              null);
        }
        faultAt = clock.instant();
        killed = stack.loseRegion(runbook.fromRegion());
        progress.printf("drill: %s at %s: killed %s%n", options.disaster().word(), faultAt, killed);
        progress.flush();
        activation = manager.activate(name, options.activationTimeout());
        progress.printf(
            "drill: activation %s %s after %.1f s%n",
            name, activation.status(), activation.seconds(clock.instant()));
        progress.flush();
        Instant deadline = clock.instant().plus(options.recoveryTimeout());
        while (firstServed(load.attempts(), runbook.toRegion(), faultAt) == null
            && clock.instant().isBefore(deadline)) {
          sleep(Duration.ofMillis(200));
        }
        sleep(Duration.ofSeconds(1)); // a little load after recovery, for the timeline
      } finally {
        load.close();
      }
      attempts = load.attempts();
      Instant endedAt = clock.instant();
      OrderAttempt first = firstServed(attempts, runbook.toRegion(), faultAt);
      Map<String, Integer> stored = storedOrders(ordersUrl, Duration.ofSeconds(30));
      Loss loss = Loss.of(attempts, stored.keySet(), faultAt);
      List<String> duplicates =
          stored.entrySet().stream()
              .filter(e -> e.getValue() > 1)
              .map(Map.Entry::getKey)
              .sorted()
              .toList();
      return new DrillResult(
          running.topology().name(),
          options.disaster(),
          runbook.strategy().word(),
          runbook.fromRegion(),
          runbook.toRegion(),
          startedAt,
          faultAt,
          endedAt,
          first == null
              ? OptionalDouble.empty()
              : OptionalDouble.of(seconds(faultAt, first.answeredAt())),
          loss.windowSeconds(),
          dr.rto().toSeconds(),
          dr.rpo().toSeconds(),
          activation.status(),
          activation
              .error()
              .map(e -> e + activation.cause().map(c -> ": " + c).orElse(""))
              .orElse(null),
          activation.steps(),
          killed,
          attempts,
          loss.ids(),
          duplicates);
    }
  }

  /**
   * The acknowledged orders a disaster lost.
   *
   * @param ids the orders acknowledged (2xx) but missing from the database afterwards, in the order
   *     they were answered
   * @param windowSeconds from the acknowledgement of the earliest of them to the fault (0 when none
   *     is missing, or it was acknowledged after the fault)
   */
  record Loss(List<String> ids, double windowSeconds) {
    /** The loss of {@code attempts} (sorted by answer time) given the ids {@code stored}. */
    static Loss of(List<OrderAttempt> attempts, Set<String> stored, Instant faultAt) {
      List<String> lost = new ArrayList<>();
      Instant earliest = null;
      for (OrderAttempt a : attempts) {
        if (a.acknowledged() && !stored.contains(a.id())) {
          lost.add(a.id());
          if (earliest == null || a.answeredAt().isBefore(earliest)) {
            earliest = a.answeredAt();
          }
        }
      }
      return new Loss(lost, earliest == null ? 0 : Math.max(0, seconds(earliest, faultAt)));
    }
  }

  /** The first order acknowledged from {@code region} after {@code faultAt}, by answer time. */
  private static OrderAttempt firstServed(
      List<OrderAttempt> attempts, String region, Instant faultAt) {
    return attempts.stream()
        .filter(OrderAttempt::acknowledged)
        .filter(a -> a.region().map(region::equals).orElse(false))
        .filter(a -> a.answeredAt().isAfter(faultAt))
        .findFirst()
        .orElse(null);
  }

  private static void createOrdersTable(String url) {
    try (Connection c = DriverManager.getConnection(url);
        Statement s = c.createStatement()) {
      s.execute(
          "create table if not exists "
              + InstanceMain.ORDERS_TABLE
              + " (id text not null, region text not null, instance text not null,"
              + " created_at timestamptz not null default clock_timestamp())");
    } catch (SQLException e) {
      throw new RecoveryException.Unreachable(
          "cannot create "
              + InstanceMain.ORDERS_TABLE
              + " on the database primary: "
              + e.getMessage(),
          e);
    }
  }

  /** Every order id the database primary holds, with how many rows it has. */
  private static Map<String, Integer> storedOrders(String url, Duration patience) {
    long deadline = System.nanoTime() + patience.toNanos();
    while (true) {
      try (Connection c = DriverManager.getConnection(url);
          Statement s = c.createStatement();
          ResultSet r =
              s.executeQuery(
                  "select id, count(*) from " + InstanceMain.ORDERS_TABLE + " group by id")) {
        Map<String, Integer> out = new HashMap<>();
        while (r.next()) {
          out.put(r.getString(1), r.getInt(2));
        }
        return out;
      } catch (SQLException e) {
        if (System.nanoTime() > deadline) {
          throw new RecoveryException.Unreachable(
              "cannot read the orders from the database primary after the drill: " + e.getMessage(),
              e);
        }
        sleep(Duration.ofMillis(500));
      }
    }
  }

  private static double seconds(Instant from, Instant to) {
    return Duration.between(from, to).toMillis() / 1000.0;
  }

  private static void sleep(Duration d) {
    LockSupport.parkNanos(d.toNanos());
    if (Thread.currentThread().isInterrupted()) {
      throw new RecoveryException.Unreachable("the drill was interrupted", null);
    }
  }
}
