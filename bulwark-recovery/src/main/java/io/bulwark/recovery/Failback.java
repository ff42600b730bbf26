package io.bulwark.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.dr.ClusterStatus;
import io.bulwark.kernel.Check;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.Database;
import io.bulwark.recovery.internal.FailbackTasks;
import io.bulwark.recovery.internal.Site;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.StatesException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bulwark dr failback}: after an activation moved the primary to the DR region, returns it
 * to the topology's original primary region (a {@link FailbackPlan}): checks that region runs
 * instances again, re-seeds its database member as a streaming standby of the current primary,
 * restores its compute, switches the database over to it (planned, zero loss), puts the topology's
 * pool weights back, returns the DR region to its size, records {@code primary-region-restored} and
 * verifies the original site. It runs as a durable execution of {@link FailbackMachine} on the
 * States Language engine, in the same database as the activations: a manager that dies mid-failback
 * and is started again with the same name resumes at the step in flight.
 *
 * <pre>{@code
 * try (Failback fb = Failback.start(running, database, clock)) {
 *   Activation done = fb.run(fb.executionName("failback-1"), Duration.ofMinutes(30));
 * }
 * }</pre>
 */
public final class Failback implements AutoCloseable {

  /** The name of the failback state machine in the engine's database. */
  public static final String MACHINE = "dr-failback";

  private final RunningTopology running;
  private final FailbackPlan plan;
  private final Engine engine;
  private final Site site;
  private final Clock clock;

  private Failback(
      RunningTopology running, FailbackPlan plan, Engine engine, Site site, Clock clock) {
    this.running = running;
    this.plan = plan;
    this.engine = engine;
    this.site = site;
    this.clock = clock;
  }

  /**
   * A failback manager for {@code running} whose executions live in {@code database} (migrated here
   * with module "states"), with its workers started; no step waits longer than 10 minutes.
   *
   * @throws RecoveryException.NotPossible as {@link FailbackPlan#of}
   */
  public static Failback start(RunningTopology running, Database database, Clock clock) {
    return start(running, database, clock, Duration.ofMinutes(10));
  }

  /**
   * As {@link #start(RunningTopology, Database, Clock)}, with no step waiting longer than {@code
   * maxStepWait} for its condition.
   *
   * @throws IllegalArgumentException when {@code maxStepWait} is not positive
   */
  public static Failback start(
      RunningTopology running, Database database, Clock clock, Duration maxStepWait) {
    Check.positive("maxStepWait", maxStepWait);
    FailbackPlan plan = FailbackPlan.of(running, clock);
    database.migrate("states");
    Site site = new Site(running);
    FailbackTasks tasks =
        new FailbackTasks(
            site,
            running.topology(),
            plan,
            clock,
            running.stateDir().resolve("monitoring.jsonl"),
            maxStepWait);
    Engine engine =
        Engine.builder(database)
            .task(FailbackMachine.STEP, tasks.execute())
            .clock(clock)
            .workers(2)
            .lease(Duration.ofSeconds(10))
            .build();
    engine.createStateMachine(MACHINE, Json.write(FailbackMachine.of(plan)));
    engine.startWorkers();
    return new Failback(running, plan, engine, site, clock);
  }

  /** The plan it carries out. */
  public FailbackPlan plan() {
    return plan;
  }

  /**
   * Checks that there is something to fail back: no activation still runs, and the database primary
   * (or, without a database, the traffic) is not in the original region already.
   *
   * @throws RecoveryException.NotPossible naming the state found
   * @throws RecoveryException.Unreachable when the gateway or the database does not answer
   */
  public void requireNeeded() {
    List<Execution> runningActivations =
        engine.list(ExecutionStatus.RUNNING, DisasterRecoveryManager.MACHINE, 5);
    if (!runningActivations.isEmpty()) {
      throw new RecoveryException.NotPossible(
          "activation "
              + runningActivations.get(0).executionArn()
              + " still runs; finish it first (bulwark dr activate --approve resumes it)");
    }
    checkState(site, running, plan);
  }

  /**
   * The part of {@link #requireNeeded()} that needs no engine: the database primary (or, without a
   * database, the traffic) is not in the original region already.
   *
   * @throws RecoveryException.NotPossible naming the state found
   * @throws RecoveryException.Unreachable when the gateway or the database does not answer
   */
  public static void requireNeeded(RunningTopology running, FailbackPlan plan) {
    try (Site site = new Site(running)) {
      checkState(site, running, plan);
    }
  }

  private static void checkState(Site site, RunningTopology running, FailbackPlan plan) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (JsonNode p : site.pools()) {
      weights.put(p.path("name").asText(), p.path("weight").asInt());
    }
    Map<String, Integer> original = new LinkedHashMap<>();
    running
        .topology()
        .traffic()
        .ifPresent(t -> t.pools().forEach(p -> original.put(p.name(), p.weight())));
    boolean trafficHome =
        original.entrySet().stream().allMatch(e -> e.getValue().equals(weights.get(e.getKey())));
    if (site.database().isPresent()) {
      ClusterStatus s = site.databaseStatus();
      Optional<ClusterStatus.Member> leader = s.leader().flatMap(s::member);
      if (leader.isEmpty()) {
        throw new RecoveryException.NotPossible(
            "the database has no primary now (an election may be running); run again once"
                + " bulwark db status shows one");
      }
      if (leader.get().region().equals(plan.to()) && trafficHome) {
        throw new RecoveryException.NotPossible(
            "the primary is in the original region "
                + plan.to()
                + " already (database primary "
                + leader.get().name()
                + ", weights "
                + weights
                + "): nothing to fail back; dr failback follows a dr activate");
      }
    } else if (trafficHome) {
      throw new RecoveryException.NotPossible(
          "traffic goes to the original region "
              + plan.to()
              + " already (weights "
              + weights
              + "): nothing to fail back; dr failback follows a dr activate");
    }
  }

  /**
   * Starts the failback called {@code name} after {@link #requireNeeded}, or resumes it when it
   * runs already (a manager that died left it running), or reports it when it has ended; waits up
   * to {@code timeout} for it to end.
   *
   * @throws RecoveryException.NotPossible from {@link #requireNeeded} for a new failback
   */
  public Activation run(String name, Duration timeout) {
    if (execution(name).isEmpty()) {
      requireNeeded();
    }
    try {
      engine.startOrFind(MACHINE, name, Json.object());
    } catch (StatesException.Conflict e) {
      return execution(name).orElseThrow(() -> e);
    }
    return DisasterRecoveryManager.awaitEnd(engine, clock, MACHINE, name, timeout);
  }

  /**
   * The name the next {@link #run} of series {@code base} should use: {@code base-1}, {@code
   * base-2}, …; the first that was never started or still runs (to resume it).
   */
  public String executionName(String base) {
    for (int n = 1; ; n++) {
      String name = base + "-" + n;
      Optional<Activation> a = execution(name);
      if (a.isEmpty() || a.get().status().equals("RUNNING")) {
        return name;
      }
    }
  }

  /** The failback called {@code name}, if one was started. */
  public Optional<Activation> execution(String name) {
    return DisasterRecoveryManager.execution(engine, MACHINE, name);
  }

  /** Stops the engine's workers (a failback in flight stays in the database) and the site. */
  @Override
  public void close() {
    engine.close();
    site.close();
  }
}
