package io.bulwark.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Check;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.Database;
import io.bulwark.recovery.internal.RunbookTasks;
import io.bulwark.recovery.internal.Site;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.Execution;
import io.bulwark.states.durable.ExecutionStatus;
import io.bulwark.states.durable.HistoryEvent;
import io.bulwark.states.durable.StatesException;
import io.bulwark.topology.DrStrategy;
import io.bulwark.topology.Topology;
import io.bulwark.topology.runbook.Runbook;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import io.bulwark.topology.runbook.StepKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The seed's {@code DisasterRecoveryManager}: carries out a running topology's DR runbook as a
 * durable execution on the States Language engine. The runbook becomes a state machine ({@link
 * RunbookAsl#automated}) whose tasks are the step executors (verify the failure at the gateway,
 * fence the old primary, promote the DR replica, start and scale the DR region's instances, switch
 * the pool weights, record the monitoring change, verify the DR site); a failed step rolls back the
 * steps before it in reverse order. Every step commits with its history in the engine's database,
 * so a manager that dies mid-activation and is started again (with the same activation name)
 * resumes at the step in flight without repeating the completed ones.
 *
 * <pre>{@code
 * try (DisasterRecoveryManager dr = DisasterRecoveryManager.start(running, database, clock)) {
 *   Activation a = dr.activate("activate-1", Duration.ofMinutes(30));
 * }
 * }</pre>
 */
public final class DisasterRecoveryManager implements AutoCloseable {

  /** The name of the activation state machine in the engine's database. */
  public static final String MACHINE = "dr-activation";

  private final Runbook runbook;
  private final Engine engine;
  private final Site site;
  private final Clock clock;

  private DisasterRecoveryManager(Runbook runbook, Engine engine, Site site, Clock clock) {
    this.runbook = runbook;
    this.engine = engine;
    this.site = site;
    this.clock = clock;
  }

  /**
   * A manager for {@code running} whose executions live in {@code database} (migrated here with
   * module "states"), with its workers started.
   *
   * @throws RecoveryException.NotPossible when the topology has no {@code dr} section or its
   *     strategy needs a step the manager cannot carry out yet (restoring a backup)
   */
  public static DisasterRecoveryManager start(
      RunningTopology running, Database database, Clock clock) {
    return start(running, database, clock, Duration.ofMinutes(10));
  }

  /**
   * As {@link #start(RunningTopology, Database, Clock)}, with no step waiting longer than {@code
   * maxStepWait} for its success condition (default: twice its expected duration, 30 s to 10 min).
   *
   * @throws IllegalArgumentException when {@code maxStepWait} is not positive
   */
  public static DisasterRecoveryManager start(
      RunningTopology running, Database database, Clock clock, Duration maxStepWait) {
    Check.positive("maxStepWait", maxStepWait);
    Runbook runbook = runbook(running, clock);
    database.migrate("states");
    Site site = new Site(running);
    RunbookTasks tasks =
        new RunbookTasks(
            site,
            running.topology(),
            runbook,
            clock,
            running.stateDir().resolve("monitoring.jsonl"),
            maxStepWait);
    Engine engine =
        Engine.builder(database)
            .task(RunbookAsl.EXECUTE_STEP, tasks.execute())
            .task(RunbookAsl.ROLL_BACK_STEP, tasks.rollBack())
            .task(RunbookAsl.HAND_OVER_STEP, tasks.handOver())
            .clock(clock)
            .workers(2)
            .lease(Duration.ofSeconds(10))
            .build();
    engine.createStateMachine(MACHINE, Json.write(RunbookAsl.automated(runbook)));
    engine.startWorkers();
    return new DisasterRecoveryManager(runbook, engine, site, clock);
  }

  /**
   * The runbook of {@code running}, which an activation carries out.
   *
   * @throws RecoveryException.NotPossible as {@link #start} does
   */
  public static Runbook runbook(RunningTopology running, Clock clock) {
    return runbook(running.topology(), running.topologyFile(), clock);
  }

  /**
   * The runbook an activation of {@code topology} (read from {@code topologyFile}) carries out,
   * before anything of it runs.
   *
   * @throws RecoveryException.NotPossible as {@link #start} does
   */
  public static Runbook runbook(Topology topology, String topologyFile, Clock clock) {
    if (topology.dr().isEmpty()) {
      throw new RecoveryException.NotPossible(
          topologyFile
              + ": no dr section, so there is nothing to activate; add one (bulwark dr plan "
              + topologyFile
              + " suggests a strategy)");
    }
    Runbook runbook = Runbook.of(topology, topologyFile, clock);
    if (runbook.strategy() == DrStrategy.BACKUP_RESTORE
        || runbook.steps().stream().anyMatch(s -> s.kind() == StepKind.RESTORE_BACKUP)) {
      throw new RecoveryException.NotPossible(
          topologyFile
              + ": the DR manager cannot restore a backup yet (strategy "
              + runbook.strategy().word()
              + ", or no database replica in "
              + runbook.toRegion()
              + "); follow the runbook by hand: bulwark runbook "
              + topologyFile);
    }
    if (runbook.fromRegion().equals(runbook.toRegion())) {
      throw new RecoveryException.NotPossible(
          topologyFile
              + ": the DR region is the primary region "
              + runbook.fromRegion()
              + "; set dr.region to another region");
    }
    return runbook;
  }

  /** The runbook it carries out. */
  public Runbook runbook() {
    return runbook;
  }

  /** Which steps it carries out itself; the others it hands to people. */
  public static boolean automated(RunbookStep step) {
    return step.kind().automated();
  }

  /**
   * Starts the activation called {@code name}, or resumes it when it runs already (a manager that
   * died left it running), and waits up to {@code timeout} for it to end.
   *
   * @return its state when it ended, or when {@code timeout} passed
   */
  public Activation activate(String name, Duration timeout) {
    try {
      engine.startOrFind(MACHINE, name, Json.object());
    } catch (StatesException.Conflict e) {
      // It ran before and has ended: report that activation rather than starting another.
      return activation(name).orElseThrow(() -> e);
    }
    return awaitEnd(engine, clock, MACHINE, name, timeout);
  }

  /** Waits up to {@code timeout} for execution {@code name} of {@code machine} to end. */
  static Activation awaitEnd(
      Engine engine, Clock clock, String machine, String name, Duration timeout) {
    Instant deadline = clock.instant().plus(timeout);
    Activation now = execution(engine, machine, name).orElseThrow();
    while (!now.done() && clock.instant().isBefore(deadline)) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      now = execution(engine, machine, name).orElseThrow();
    }
    return now;
  }

  /**
   * The name the next {@link #activate} of series {@code base} should use: {@code base-1}, {@code
   * base-2}, …; the first that was never started, or that still runs (to resume it) or succeeded
   * (to report it rather than fail over twice). One that failed and was rolled back does not block
   * a new attempt, nor does one that succeeded before a failback ({@link Failback}) succeeded.
   */
  public String activationName(String base) {
    for (int n = 1; ; n++) {
      String name = base + "-" + n;
      Optional<Activation> a = activation(name);
      if (a.isEmpty()
          || a.get().status().equals("RUNNING")
          || a.get().status().equals("SUCCEEDED") && !failedBackAfter(a.get())) {
        return name;
      }
    }
  }

  private boolean failedBackAfter(Activation a) {
    Instant done = a.stoppedAt().orElse(a.startedAt());
    return engine.list(ExecutionStatus.SUCCEEDED, Failback.MACHINE, 1).stream()
        .anyMatch(f -> f.stopDate() != null && f.stopDate().isAfter(done));
  }

  /** The activation called {@code name}, if one was started. */
  public Optional<Activation> activation(String name) {
    return execution(engine, MACHINE, name);
  }

  /** Execution {@code name} of {@code machine} with its steps, if one was started. */
  static Optional<Activation> execution(Engine engine, String machine, String name) {
    String arn = Engine.executionArn(machine, name);
    Execution e;
    try {
      e = engine.describe(arn);
    } catch (StatesException.NotFound notFound) {
      return Optional.empty();
    }
    return Optional.of(
        new Activation(
            arn,
            e.status().name(),
            e.startDate(),
            Optional.ofNullable(e.stopDate()),
            Optional.ofNullable(e.error()),
            Optional.ofNullable(e.cause()),
            steps(engine.history(arn))));
  }

  static List<StepRecord> steps(List<HistoryEvent> history) {
    Map<String, StepBuilder> byState = new LinkedHashMap<>();
    StepBuilder current = null;
    for (HistoryEvent ev : history) {
      String type = ev.type();
      if (type.equals("FailStateEntered")) {
        current =
            null; // a failed execution's end state (Rolled back, Failback stopped), not a step
        continue;
      }
      if (type.endsWith("StateEntered")) {
        String name = ev.details().path("stateEnteredEventDetails").path("name").asText();
        current = byState.computeIfAbsent(name, n -> new StepBuilder(n, ev.timestamp()));
        current.last = ev.timestamp();
        continue;
      }
      if (current == null) {
        continue;
      }
      current.last = ev.timestamp();
      switch (type) {
        case "TaskStarted" -> {
          current.attempts++;
          current.status = "RUNNING";
        }
        case "TaskSucceeded" -> {
          current.status = "SUCCEEDED";
          JsonNode out =
              Json.parse(
                  ev.details().path("taskSucceededEventDetails").path("output").asText("{}"));
          current.detail = out.path("detail").asText("");
        }
        case "TaskFailed", "TaskTimedOut" -> {
          String key =
              type.equals("TaskFailed") ? "taskFailedEventDetails" : "taskTimedOutEventDetails";
          JsonNode d = ev.details().path(key);
          current.status = "FAILED";
          current.detail = d.path("error").asText() + ": " + d.path("cause").asText();
        }
        default -> {
          // other events only move the state's end time
        }
      }
    }
    List<StepRecord> out = new ArrayList<>();
    for (StepBuilder b : byState.values()) {
      out.add(
          new StepRecord(
              b.name,
              b.status,
              b.entered,
              Duration.between(b.entered, b.last).toMillis() / 1000.0,
              b.attempts,
              b.detail));
    }
    return out;
  }

  /** Stops the engine's workers (an activation in flight stays in the database) and the site. */
  @Override
  public void close() {
    engine.close();
    site.close();
  }

  private static final class StepBuilder {
    final String name;
    final Instant entered;
    Instant last;
    String status = "RUNNING";
    String detail = "";
    int attempts;

    StepBuilder(String name, Instant entered) {
      this.name = name;
      this.entered = entered;
      this.last = entered;
    }
  }
}
