package io.bulwark.recovery;

import static io.bulwark.recovery.RegionLossStack.DR;
import static io.bulwark.recovery.RegionLossStack.PRIMARY;
import static io.bulwark.recovery.RegionLossStack.count;
import static io.bulwark.recovery.RegionLossStack.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.dr.MemberSpec;
import io.bulwark.dr.TopologyClusters;
import io.bulwark.fleet.cli.RunState;
import io.bulwark.kernel.Json;
import io.bulwark.postgres.Database;
import io.bulwark.postgres.PostgresServer;
import io.bulwark.recovery.cli.DrActivateCommand;
import io.bulwark.recovery.cli.DrFailbackCommand;
import io.bulwark.recovery.cli.DrStatusCommand;
import io.bulwark.recovery.cli.UpState;
import io.bulwark.states.durable.Engine;
import io.bulwark.testkit.TaggedWriter;
import io.bulwark.topology.runbook.RunbookAsl;
import io.bulwark.topology.runbook.RunbookStep;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A pilot-light topology ({@code pilot-light-small.yaml}, started once for the whole flow) loses
 * its primary region for real (every instance there and the database primary killed with SIGKILL,
 * the region's zones refusing launches, nothing restarting its processes); the DR manager carries
 * out the runbook, even with its first process killed mid-promotion, and the DR region serves. Then
 * the primary region comes back and {@code bulwark dr failback --approve} returns the topology to
 * it, even with its first run killed with SIGKILL mid-way: the original primary member leads again,
 * the gateway answers from the original region, and no write acknowledged before the loss, during
 * DR or through the failback's switchover is missing.
 */
class DisasterRecoveryTest {

  @TempDir Path tmp;

  @Test
  void regionLossIsRecoveredInTheDrRegionStepByStepThenFailedBackWithoutLosingAWrite()
      throws Exception {
    Path home = tmp.resolve("home");
    try (RegionLossStack site = RegionLossStack.start(home)) {
      RunningTopology running = site.running;
      int primaryPort = site.port(TopologyClusters.PRIMARY);
      int drPort = site.port("dr-1");
      execute(primaryPort, "create table acknowledged (id int primary key)");
      execute(primaryPort, "insert into acknowledged values (42)");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> count(drPort, "select count(*) from acknowledged where id = 42") == 1);

      DrStatus before = DrStatus.read(running);
      assertThat(before.primaryHealthy()).isTrue();
      assertThat(before.dr().ready()).as(before.dr().problems().toString()).isTrue();
      assertThat(before.dr().database()).extracting(m -> m.get("name")).containsExactly("dr-1");
      StringWriter out = new StringWriter();
      assertThat(cli(new DrStatusCommand(), out, "--home", home.toString(), "--json")).isZero();
      JsonNode status = Json.parse(out.toString());
      assertThat(status.path("strategy").asText()).isEqualTo("pilot-light");
      assertThat(status.path("targets").path("rtoSeconds").asLong()).isEqualTo(4 * 3600);
      assertThat(status.path("primary").path("healthy").asBoolean()).isTrue();
      assertThat(status.path("primary").path("pools").get(0).path("healthyTargets").asInt())
          .isEqualTo(2);
      assertThat(status.path("dr").path("ready").asBoolean()).isTrue();
      assertThat(status.path("dr").path("database").get(0).path("streaming").asBoolean()).isTrue();
      assertThat(status.path("dr").path("database").get(0).has("lagBytes")).isTrue();
      StringWriter plan = new StringWriter();
      assertThat(cli(new DrActivateCommand(), plan, "--home", home.toString())).isZero();
      assertThat(plan.toString())
          .contains("nothing changed; run with --approve")
          .contains(" 3. [manager] Promote database replica dr-1 in us-west-2")
          .contains("10. [people]  Communication");
      assertThat(site.db.status().leader()).contains(TopologyClusters.PRIMARY);
      assertThat(site.stack.gateway().pools())
          .filteredOn(p -> p.name().equals("primary"))
          .extracting(p -> p.weight())
          .containsExactly(100);

      // nothing to fail back while the primary region serves
      StringWriter refused = new StringWriter();
      assertThat(failback(refused, refused, "--home", home.toString())).isEqualTo(2);
      assertThat(refused.toString())
          .contains("the primary is in the original region " + PRIMARY + " already")
          .contains("database primary primary");

      String url = site.db.jdbcUrl("postgres");
      TaggedWriter.createTable(url);
      List<TaggedWriter.Ack> acknowledged = new ArrayList<>();
      // writes acknowledged before the loss, all on the DR replica before the region goes (the
      // replica is asynchronous: what it had not received is the activation's RPO, not the
      // failback's)
      TaggedWriter writer = TaggedWriter.start(url, port -> member(site, port), 1);
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> writer.acksBy("primary") >= 50);
      } finally {
        writer.close();
      }
      acknowledged.addAll(writer.acks());
      List<Long> beforeIds = acknowledged.stream().map(TaggedWriter.Ack::id).toList();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> TaggedWriter.storedIds(drPort).containsAll(beforeIds));

      // the activation is the first of this `up` run, as `dr activate --approve` names it, in the
      // manager's state database in the run directory, where `dr failback` finds it
      String base =
          "activate-"
              + RunState.read(UpState.runDir(home, site.topology.name()))
                  .orElseThrow()
                  .startedAt()
                  .getEpochSecond();
      String name = base + "-1";
      try (PostgresServer server =
              PostgresServer.builder(running.stateDir().resolve("pg")).build().start();
          Database state = Database.connect(server.jdbcUrl("postgres"), "postgres", "", 4)) {
        // a false alarm: the primary region is healthy, so detection fails (after its retry) and
        // the activation rolls back and changes nothing
        try (DisasterRecoveryManager hasty =
            DisasterRecoveryManager.start(
                running, state, Clock.systemUTC(), Duration.ofSeconds(1))) {
          Activation falseAlarm = hasty.activate("false-alarm", Duration.ofMinutes(1));
          assertThat(falseAlarm.status()).isEqualTo("FAILED");
          assertThat(falseAlarm.error()).contains(RunbookAsl.ROLLED_BACK);
          assertThat(falseAlarm.steps())
              .extracting(StepRecord::state)
              .containsExactly("1 detect", "Roll back 1 detect");
          StepRecord detect = byState(falseAlarm).get("1 detect");
          assertThat(detect.status()).isEqualTo("FAILED");
          assertThat(detect.attempts()).isEqualTo(2);
          assertThat(detect.detail())
              .contains(RunbookAsl.STEP_FAILED)
              .contains("us-east-1 still has healthy targets");
          assertThat(byState(falseAlarm).get("Roll back 1 detect").status()).isEqualTo("SUCCEEDED");
        }
        assertThat(site.db.status().leader()).contains(TopologyClusters.PRIMARY);

        site.losePrimaryRegion();

        // a first manager, a process of its own, is killed with SIGKILL while it promotes the
        // replica; a second one takes the activation over once the first one's lease runs out
        Map<String, StepRecord> whenStopped;
        Process first =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    ManagerMain.class.getName(),
                    site.file.toString(),
                    running.gatewayUrl(),
                    running.adminUrl(),
                    running.fleetUrl(),
                    site.spec.home().toString(),
                    running.stateDir().toString(),
                    server.jdbcUrl("postgres"),
                    name)
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("manager.log").toFile())
                .start();
        String arn = Engine.executionArn(DisasterRecoveryManager.MACHINE, name);
        try (Engine watcher = Engine.builder(state).workers(0).build()) {
          await()
              .atMost(Duration.ofMinutes(2))
              .ignoreExceptions()
              .until(
                  () ->
                      DisasterRecoveryManager.steps(watcher.history(arn)).stream()
                          .anyMatch(r -> r.state().equals("3 promote-replica")));
        } finally {
          first.destroyForcibly().waitFor();
        }
        try (DisasterRecoveryManager second =
            DisasterRecoveryManager.start(running, state, Clock.systemUTC())) {
          whenStopped = byState(second.activation(name).orElseThrow());
          assertThat(whenStopped).doesNotContainKey("8 verify");

          Activation activation = second.activate(name, Duration.ofMinutes(3));
          Map<String, StepRecord> byState = byState(activation);
          assertThat(activation.status())
              .as("%s %s %s", activation.error(), activation.cause(), activation.steps())
              .isEqualTo("SUCCEEDED");
          assertThat(activation.steps()).noneMatch(StepRecord::rollback);
          for (RunbookStep step : second.runbook().steps()) {
            StepRecord r = byState.get(RunbookAsl.stateName(step));
            assertThat(r).as("step %s in the history", RunbookAsl.stateName(step)).isNotNull();
            assertThat(r.status()).isEqualTo("SUCCEEDED");
            assertThat(r.seconds()).isGreaterThanOrEqualTo(0);
            assertThat(r.detail()).isNotBlank();
          }
          // the steps done before the kill were not carried out again by the second manager
          whenStopped.values().stream()
              .filter(r -> r.status().equals("SUCCEEDED"))
              .forEach(r -> assertThat(byState.get(r.state())).isEqualTo(r));
          for (StepRecord r : activation.steps()) {
            assertThat(r.attempts())
                .as("attempts of %s", r.state())
                .isEqualTo(r.state().equals("3 promote-replica") ? r.attempts() : 1);
          }
          assertThat(byState.get("3 promote-replica").detail()).contains("dr-1");
        }
      }

      // `dr activate --approve --json` after that success reports it rather than failing over twice
      StringWriter activated = new StringWriter();
      StringWriter activating = new StringWriter();
      assertThat(
              cli(
                  new DrActivateCommand(),
                  activated,
                  activating,
                  "--home",
                  home.toString(),
                  "--approve",
                  "--json"))
          .as("%s%n%s", activating, activated)
          .isZero();
      JsonNode reported = Json.parse(activated.toString());
      assertThat(reported.path("execution").asText()).endsWith(name);
      assertThat(reported.path("status").asText()).isEqualTo("SUCCEEDED");

      HttpResponse<String> hello = site.get("/api/v1/hello");
      assertThat(hello.statusCode()).isEqualTo(200);
      assertThat(hello.headers().firstValue("X-Region")).contains(DR);
      assertThat(site.db.status().leader()).contains("dr-1");
      execute(drPort, "insert into acknowledged values (43)");
      assertThat(count(drPort, "select count(*) from acknowledged")).isEqualTo(2);
      DrStatus after = DrStatus.read(running);
      assertThat(after.primaryHealthy()).isFalse();
      assertThat(after.monitoring()).isPresent();
      assertThat(after.monitoring().get().path("primaryRegion").asText()).isEqualTo(DR);

      failBack(site, url, acknowledged);

      // and once back, there is nothing to fail back, and a new loss would be a new activation
      // rather than the report of the one that was failed back
      StringWriter again = new StringWriter();
      assertThat(failback(again, again, "--home", home.toString(), "--approve")).isEqualTo(2);
      assertThat(again.toString()).contains("nothing to fail back");
      try (PostgresServer server =
              PostgresServer.builder(running.stateDir().resolve("pg")).build().start();
          Database state = Database.connect(server.jdbcUrl("postgres"), "postgres", "", 2);
          DisasterRecoveryManager dr =
              DisasterRecoveryManager.start(running, state, Clock.systemUTC())) {
        assertThat(dr.activation(name).orElseThrow().status()).isEqualTo("SUCCEEDED");
        assertThat(dr.activationName(base)).isEqualTo(base + "-2");
      }
    }
  }

  /**
   * The primary region comes back and {@code dr failback --approve} returns to it, its first run
   * killed as it starts the switchover; a writer following the primary is acknowledged by {@code
   * dr-1}, then by {@code primary}, and every write acknowledged (these and {@code acknowledged})
   * is on {@code primary} afterwards.
   */
  private void failBack(RegionLossStack site, String url, List<TaggedWriter.Ack> acknowledged)
      throws Exception {
    String home = site.home.toString();
    // writes during DR and through the failback, by one writer that follows the primary
    TaggedWriter through = TaggedWriter.start(url, port -> member(site, port), 1_000_000);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> through.acksBy("dr-1") >= 50);

      StringWriter plan = new StringWriter();
      assertThat(failback(plan, plan, "--home", home)).isZero();
      assertThat(plan.toString())
          .contains("Failback from " + DR + " to " + PRIMARY)
          .contains("nothing changed; run with --approve")
          .contains("4. switchover-database")
          .contains("Switch the database over to primary in " + PRIMARY);
      assertThat(site.db.status().leader()).contains("dr-1");

      site.restorePrimaryRegion();
      // a first `dr failback --approve`, a process of its own, is killed with SIGKILL as it
      // starts the switchover; run again, the command resumes the same failback
      Path log = tmp.resolve("failback.log");
      Process first =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  FailbackCliMain.class.getName(),
                  "--home",
                  home,
                  "--approve")
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      try {
        await()
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () ->
                    !first.isAlive()
                        || Files.readString(log).contains("4 switchover-database started"));
      } finally {
        first.destroyForcibly().waitFor();
      }
      String firstLog = Files.readString(log);
      assertThat(firstLog).contains("4 switchover-database started");
      Matcher name = Pattern.compile("failback (failback-\\d+-\\d+)").matcher(firstLog);
      assertThat(name.find()).as(firstLog).isTrue();
      List<String> doneBeforeKill = new ArrayList<>();
      Matcher done = Pattern.compile("failback step (\\d [a-z-]+) done: ").matcher(firstLog);
      while (done.find()) {
        doneBeforeKill.add(done.group(1));
      }
      assertThat(doneBeforeKill).contains("1 check-region", "3 restore-compute");

      StringWriter out = new StringWriter();
      StringWriter progress = new StringWriter();
      int exit = failback(out, progress, "--home", home, "--approve", "--json");
      assertThat(exit).as("%s%n%s", progress, out).isZero();
      assertThat(progress.toString()).contains("failback " + name.group(1));
      JsonNode result = Json.parse(out.toString());
      assertThat(result.path("status").asText()).isEqualTo("SUCCEEDED");
      List<String> states = new ArrayList<>();
      Map<String, String> details = new HashMap<>();
      for (JsonNode step : result.path("steps")) {
        states.add(step.path("name").asText());
        details.put(step.path("name").asText(), step.path("detail").asText());
        if (doneBeforeKill.contains(step.path("name").asText())) {
          // done before the kill: not carried out again
          assertThat(step.path("attempts").asInt()).as(step.toString()).isEqualTo(1);
        }
        assertThat(step.path("status").asText()).as(step.toString()).isEqualTo("SUCCEEDED");
        assertThat(step.path("detail").asText()).isNotBlank();
      }
      assertThat(states)
          .containsExactly(
              "1 check-region",
              "2 reseed-database",
              "3 restore-compute",
              "4 switchover-database",
              "5 switch-traffic",
              "6 scale-down-dr",
              "7 update-monitoring",
              "8 verify");
      assertThat(details.get("1 check-region")).contains(PRIMARY + " runs instances again");
      assertThat(details.get("2 reseed-database")).contains("primary streams from dr-1");
      // the switchover in flight at the kill was delivered again and found done (or did it)
      assertThat(details.get("4 switchover-database"))
          .containsAnyOf("switched over from dr-1 to primary", "primary was already the primary");
      assertThat(details.get("8 verify")).contains("answered 200 from " + PRIMARY);
      await().atMost(Duration.ofSeconds(30)).until(() -> through.acksBy("primary") >= 50);
    } finally {
      through.close();
    }
    acknowledged.addAll(through.acks());
    assertThat(through.acksBy("dr-1")).isPositive();

    assertThat(site.db.status().leader()).contains(TopologyClusters.PRIMARY);
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> hello = site.get("/api/v1/hello");
      assertThat(hello.statusCode()).isEqualTo(200);
      assertThat(hello.headers().firstValue("X-Region")).contains(PRIMARY);
    }
    Set<Long> stored = TaggedWriter.storedIds(site.port(TopologyClusters.PRIMARY));
    assertThat(stored)
        .as("every acknowledged write (%d) is on the restored primary", acknowledged.size())
        .containsAll(acknowledged.stream().map(TaggedWriter.Ack::id).toList());
    assertThat(site.stack.gateway().pools())
        .filteredOn(p -> p.name().equals("primary"))
        .extracting(p -> p.weight())
        .containsExactly(100);
    DrStatus after = DrStatus.read(site.running);
    assertThat(after.primaryHealthy()).isTrue();
    assertThat(after.monitoring().orElseThrow().path("event").asText())
        .isEqualTo("primary-region-restored");
    assertThat(after.monitoring().orElseThrow().path("primaryRegion").asText()).isEqualTo(PRIMARY);
    assertThat(after.dr().database())
        .extracting(m -> m.get("name") + " " + m.get("streaming"))
        .containsExactly("dr-1 true");
  }

  private static Map<String, StepRecord> byState(Activation a) {
    return a.steps().stream().collect(Collectors.toMap(StepRecord::state, Function.identity()));
  }

  private static String member(RegionLossStack site, int port) {
    return site.spec.members().stream()
        .filter(m -> m.port() == port)
        .map(MemberSpec::name)
        .findFirst()
        .orElse("port " + port);
  }

  /** Runs {@code dr failback ARGS}. */
  private static int failback(StringWriter out, StringWriter err, String... args) {
    return cli(new DrFailbackCommand(), out, err, args);
  }

  private static int cli(Object command, StringWriter out, String... args) {
    return cli(command, out, new StringWriter(), args);
  }

  private static int cli(Object command, StringWriter out, StringWriter err, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }
}
