package io.bulwark.diagnose.eval;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.diagnose.ChangeEvent;
import io.bulwark.diagnose.Diagnoser;
import io.bulwark.diagnose.Diagnosis;
import io.bulwark.diagnose.Frequency;
import io.bulwark.diagnose.Severity;
import io.bulwark.diagnose.Symptom;
import io.bulwark.diagnose.Telemetry;
import io.bulwark.diagnose.http.DiagnoseHttp;
import io.bulwark.diagnose.http.RemoteTelemetry;
import io.bulwark.kernel.AdminApi;
import io.bulwark.kernel.Durations;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a {@link Campaign} against a running server through its admin API, with an order load
 * running throughout. For each injection, at its time (and never before the previous fault has been
 * stopped for {@link #RECOVERY}): inject it with the chaos API; the symptom is declared a fixed
 * {@link #DETECTION} later, as first seen {@link #WINDOW} before (no SLO check decides it); fetch
 * the telemetry since the previous recovery (at most {@link #MAX_BASELINE} before the symptom),
 * without the chaos change events so that neither ranking can read the answer; diagnose with the
 * {@link Diagnoser} and rank with {@link Baro}; stop the fault. Load swings of the campaign's noise
 * run on their own schedule.
 */
public final class CampaignRunner {

  /** From an injection to the symptom being declared. */
  public static final Duration DETECTION = Duration.ofSeconds(6);

  /** How long before its declaration the symptom is taken to have been first seen. */
  public static final Duration WINDOW = Duration.ofSeconds(5);

  /** From stopping a fault to the earliest next injection: the next case's baseline. */
  public static final Duration RECOVERY = Duration.ofSeconds(12);

  /**
   * From stopping a fault to the start of the next case's baseline: the aftermath (a queue
   * draining, a heap shrinking) is not taken as normal.
   */
  public static final Duration SETTLE = Duration.ofSeconds(2);

  /** The most telemetry before the symptom that is compared with it. */
  public static final Duration MAX_BASELINE = Duration.ofSeconds(60);

  private static final Duration RETRY_FOR = Duration.ofSeconds(40);
  private static final Duration RETRY_PAUSE = Duration.ofMillis(500);

  /** The order load a campaign runs under. */
  public interface Load extends AutoCloseable {
    /** Triples the load for {@code duration} (a {@code load-swing} noise), then goes back. */
    void swing(Duration duration);

    /** Stops the load. */
    @Override
    void close();
  }

  private final String url;
  private final Supplier<String> token;
  private final Clock clock;
  private final PrintWriter progress;

  /**
   * A runner against the server at {@code url} with an administrator's token from {@code token}
   * (asked before each call), printing a line per case to {@code progress}.
   */
  public CampaignRunner(String url, Supplier<String> token, Clock clock, PrintWriter progress) {
    this.url = Objects.requireNonNull(url, "url");
    this.token = Objects.requireNonNull(token, "token");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * Checks that the server can inject every fault of {@code campaign} on its target and that no
   * injection runs there now.
   *
   * @throws CampaignException naming the line of an injection the server cannot make
   */
  public void check(Campaign campaign)
      throws CampaignException, AdminApi.Failed, InterruptedException {
    JsonNode chaos = call("GET", DiagnoseHttp.CHAOS);
    JsonNode supported = chaos.get("supported");
    for (int i = 0; i < campaign.injections().size(); i++) {
      Campaign.Injection in = campaign.injections().get(i);
      String field = "injections[" + i + "]";
      if (!supported.has(in.fault().slug())) {
        List<String> names = new ArrayList<>();
        supported.fieldNames().forEachRemaining(names::add);
        throw new CampaignException(
            campaign.source(),
            in.line(),
            field + ".fault",
            in.fault().slug()
                + " cannot be injected by the server at "
                + url
                + "; it injects "
                + String.join(", ", names));
      }
      String target = supported.get(in.fault().slug()).asText();
      if (!target.equals(in.target())) {
        throw new CampaignException(
            campaign.source(),
            in.line(),
            field + ".target",
            in.fault().slug() + " runs on target " + target + ", got " + in.target());
      }
    }
    for (int i = 0; i < campaign.noise().size(); i++) {
      Campaign.Noise n = campaign.noise().get(i);
      if (n.kind() == Campaign.Noise.Kind.DEPLOY) {
        throw new CampaignException(
            campaign.source(),
            n.line(),
            "noise[" + i + "].kind",
            "deploy cannot be made yet: the server records no deploys (use load-swing)");
      }
    }
    for (JsonNode item : chaos.get("items")) {
      if (item.get("status").asText().equals("ACTIVE")) {
        throw new CampaignException(
            campaign.source(),
            0,
            "",
            "the server at "
                + url
                + " already runs "
                + item.get("fault").asText()
                + " on "
                + item.get("target").asText()
                + " ("
                + item.get("id").asText()
                + "); stop it first with bulwark chaos stop");
      }
    }
  }

  /**
   * Runs {@code campaign} under {@code load}; stops any fault it injected before it returns or
   * throws. Call {@link #check} first.
   */
  public EvalReport run(Campaign campaign, Load load) throws AdminApi.Failed, InterruptedException {
    Instant start = clock.instant();
    ScheduledExecutorService noise =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("bulwark-eval-noise").unstarted(r));
    for (Campaign.Noise n : campaign.noise()) {
      noise.schedule(() -> load.swing(n.duration()), n.at().toMillis(), TimeUnit.MILLISECONDS);
    }
    List<EvalCase> cases = new ArrayList<>();
    Instant recovered = start;
    Instant settled = start;
    String running = null;
    try {
      for (Campaign.Injection in : campaign.injections()) {
        Instant due = start.plus(in.at());
        pauseUntil(due.isAfter(recovered) ? due : recovered);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("fault", in.fault().slug());
        body.put("target", in.target());
        body.put("duration", Durations.format(in.duration()));
        JsonNode injection = AdminApi.call(url, token.get(), "POST", DiagnoseHttp.CHAOS, body);
        running = injection.get("id").asText();
        Instant injected = Instant.parse(injection.get("startedAt").asText());
        pauseUntil(injected.plus(DETECTION));
        Instant seen = clock.instant().minus(WINDOW);
        Instant from =
            seen.minus(MAX_BASELINE).isAfter(settled) ? seen.minus(MAX_BASELINE) : settled;
        Symptom symptom =
            new Symptom(
                "checkout is slow or failing", Severity.HIGH, seen, Frequency.CONSTANT, List.of());
        Telemetry telemetry = blind(RemoteTelemetry.fetch(this::call, symptom, from));
        Diagnosis diagnosis = Diagnoser.forServer(url).diagnose(symptom, telemetry);
        Instant diagnosed = clock.instant();
        List<Baro.Suspect> baseline = Baro.rank(telemetry);
        stop(running);
        running = null;
        Instant stopped = clock.instant();
        settled = stopped.plus(SETTLE);
        recovered = stopped.plus(RECOVERY);
        EvalCase c =
            new EvalCase(
                in.fault(),
                in.target(),
                diagnosis.rootCause(),
                diagnosis.ranked(),
                baseline,
                Duration.between(injected, diagnosed).toMillis() / 1000.0);
        cases.add(c);
        progress.printf(
            Locale.ROOT,
            "%d/%d %s on %s: %s, rank %s, BARO rank %s%n",
            cases.size(),
            campaign.injections().size(),
            in.fault().slug(),
            in.target(),
            c.rootCause()
                .map(r -> r.fault().slug() + " on " + r.component())
                .orElse("needs more investigation"),
            c.rank() == 0 ? "-" : c.rank(),
            c.baselineRank() == 0 ? "-" : c.baselineRank());
        progress.flush();
      }
    } finally {
      noise.shutdownNow();
      if (running != null) {
        stop(running);
      }
    }
    return new EvalReport(cases);
  }

  /** The telemetry without the chaos injections' change events, which name the fault. */
  private static Telemetry blind(Telemetry t) {
    return new Telemetry(
        t.series(),
        t.observations(),
        t.changes().stream().filter(c -> c.kind() != ChangeEvent.Kind.CHAOS).toList());
  }

  private void stop(String id) throws AdminApi.Failed, InterruptedException {
    call("DELETE", DiagnoseHttp.CHAOS + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
  }

  /**
   * A call without a body on the admin API, tried again for up to {@link #RETRY_FOR} while it fails
   * for the server's reasons (a fault can take the pool the admin check needs, e.g. orders queued
   * behind a held lock).
   */
  private JsonNode call(String method, String path) throws AdminApi.Failed, InterruptedException {
    Instant giveUp = clock.instant().plus(RETRY_FOR);
    while (true) {
      try {
        return AdminApi.call(url, token.get(), method, path, null);
      } catch (AdminApi.Failed e) {
        if (e.exitCode() != 1 || clock.instant().isAfter(giveUp)) {
          throw e;
        }
        Thread.sleep(RETRY_PAUSE);
      }
    }
  }

  private void pauseUntil(Instant t) throws InterruptedException {
    long ms = Duration.between(clock.instant(), t).toMillis();
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }
}
