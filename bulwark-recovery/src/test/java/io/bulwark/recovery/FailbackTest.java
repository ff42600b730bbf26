package io.bulwark.recovery;

import static io.bulwark.recovery.RegionLossStack.DR;
import static io.bulwark.recovery.RegionLossStack.PRIMARY;
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
import io.bulwark.recovery.cli.UpState;
import io.bulwark.testkit.TaggedWriter;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * After a pilot-light region loss and the DR activation, the primary region comes back and {@code
 * bulwark dr failback --approve} returns the topology to it, even with its first run killed with
 * SIGKILL mid-way: the original primary member leads again, the gateway answers from the original
 * region, and no write acknowledged before the loss, during DR or through the failback's switchover
 * is missing.
 */
class FailbackTest {

  @TempDir Path tmp;

  @Test
  void failsBackToTheOriginalRegionWithoutLosingAnAcknowledgedWrite() throws Exception {
    Path home = tmp.resolve("home");
    try (RegionLossStack site = RegionLossStack.start(home)) {
      // nothing to fail back while the primary region serves
      StringWriter refused = new StringWriter();
      assertThat(cli(refused, "--home", home.toString())).isEqualTo(2);
      assertThat(refused.toString())
          .contains("the primary is in the original region " + PRIMARY + " already")
          .contains("database primary primary");

      String url = site.db.jdbcUrl("postgres");
      TaggedWriter.createTable(url);
      List<TaggedWriter.Ack> acknowledged = new ArrayList<>();
      // writes acknowledged before the loss, all on the DR replica before the region goes (the
      // replica is asynchronous: what it had not received is the activation's RPO, not ours)
      TaggedWriter before = TaggedWriter.start(url, port -> member(site, port), 1);
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> before.acksBy("primary") >= 50);
      } finally {
        before.close();
      }
      acknowledged.addAll(before.acks());
      List<Long> beforeIds = acknowledged.stream().map(TaggedWriter.Ack::id).toList();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> TaggedWriter.storedIds(site.port("dr-1")).containsAll(beforeIds));

      site.losePrimaryRegion();
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
      assertThat(site.db.status().leader()).contains("dr-1");

      // writes during DR and through the failback, by one writer that follows the primary
      TaggedWriter through = TaggedWriter.start(url, port -> member(site, port), 1_000_000);
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> through.acksBy("dr-1") >= 50);

        StringWriter plan = new StringWriter();
        assertThat(cli(plan, "--home", home.toString())).isZero();
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
                    home.toString(),
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
        int exit = cli(out, progress, "--home", home.toString(), "--approve", "--json");
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
      assertThat(after.monitoring().orElseThrow().path("primaryRegion").asText())
          .isEqualTo(PRIMARY);
      assertThat(after.dr().database())
          .extracting(m -> m.get("name") + " " + m.get("streaming"))
          .containsExactly("dr-1 true");

      // and once back, there is nothing to fail back, and a new loss would be a new activation
      // rather than the report of the one that was failed back
      StringWriter again = new StringWriter();
      assertThat(cli(again, "--home", home.toString(), "--approve")).isEqualTo(2);
      assertThat(again.toString()).contains("nothing to fail back");
      String base =
          "activate-"
              + RunState.read(UpState.runDir(home, site.topology.name()))
                  .orElseThrow()
                  .startedAt()
                  .getEpochSecond();
      try (PostgresServer server =
              PostgresServer.builder(site.running.stateDir().resolve("pg")).build().start();
          Database state = Database.connect(server.jdbcUrl("postgres"), "postgres", "", 2);
          DisasterRecoveryManager dr =
              DisasterRecoveryManager.start(site.running, state, Clock.systemUTC())) {
        assertThat(dr.activation(base + "-1").orElseThrow().status()).isEqualTo("SUCCEEDED");
        assertThat(dr.activationName(base)).isEqualTo(base + "-2");
      }
    }
  }

  private static String member(RegionLossStack site, int port) {
    return site.spec.members().stream()
        .filter(m -> m.port() == port)
        .map(MemberSpec::name)
        .findFirst()
        .orElse("port " + port);
  }

  /** Runs {@code dr failback ARGS}: its standard output goes to {@code out}, errors too. */
  private static int cli(StringWriter out, String... args) {
    return cli(new DrFailbackCommand(), out, out, args);
  }

  private static int cli(StringWriter out, StringWriter err, String... args) {
    return cli(new DrFailbackCommand(), out, err, args);
  }

  private static int cli(Object command, StringWriter out, StringWriter err, String... args) {
    CommandLine cl = new CommandLine(command);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }
}
