package io.bulwark.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-service instances per zone of the instance group this process runs in, for the dashboard:
 * a shop process started by a group ({@code bulwark up}, {@code demo --ha}, {@code scenario
 * black-friday}) learns the group's counts from the fleet API of the process that runs the group,
 * {@code GET {fleet}/fleet/groups/{group}/zones}, polled every {@link #POLL_EVERY} with a {@link
 * #TIMEOUT}. {@link #get()} answers the last answer while it is at most {@link #STALE_AFTER} old,
 * and this process alone in its zone before the first answer and after that ({@code {zone: 1}}): a
 * fleet that is slow, gone or answering nonsense never stalls or breaks the dashboard.
 *
 * <p>The process that launches the instances names its fleet API in {@value #FLEET_URL_ENV} and the
 * group in {@value #GROUP_ENV}, which the local process provider sets for every instance anyway.
 */
public final class FleetZones implements Supplier<Map<String, Integer>>, AutoCloseable {

  /**
   * The environment variable naming the fleet API's base URL, e.g. {@code http://127.0.0.1:4012}.
   */
  public static final String FLEET_URL_ENV = "BULWARK_FLEET_URL";

  /** The environment variable naming the instance group (the topology's service). */
  public static final String GROUP_ENV = "BULWARK_SERVICE";

  /** How often the fleet API is asked. */
  public static final Duration POLL_EVERY = Duration.ofSeconds(1);

  /** How long one answer may take. */
  public static final Duration TIMEOUT = Duration.ofMillis(500);

  /** How long an answer is shown once the fleet stops answering. */
  public static final Duration STALE_AFTER = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(FleetZones.class);

  private record Answer(Map<String, Integer> byZone, Instant at) {}

  private final URI zones;
  private final Map<String, Integer> self;
  private final Clock clock;
  private final Duration timeout;
  private final Duration staleAfter;
  private final HttpClient client;
  private final ScheduledExecutorService poller;
  private volatile Answer last;
  private volatile boolean warned;

  private FleetZones(
      URI fleet,
      String group,
      String selfZone,
      Clock clock,
      Duration every,
      Duration timeout,
      Duration staleAfter) {
    this.zones =
        URI.create(
            fleet.toString().replaceAll("/+$", "")
                + "/fleet/groups/"
                + URLEncoder.encode(group, StandardCharsets.UTF_8).replace("+", "%20")
                + "/zones");
    this.self = Map.of(selfZone, 1);
    this.clock = clock;
    this.timeout = timeout;
    this.staleAfter = staleAfter;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .build();
    this.poller =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("bulwark-fleet-zones").unstarted(r));
    poller.scheduleWithFixedDelay(this::pollOnce, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Starts polling {@code fleet}'s counts for {@code group}, with the defaults above.
   *
   * @param selfZone this process's zone, counted alone while no fresh answer is at hand
   * @throws IllegalArgumentException when {@code fleet} is not an http(s) URL with a host
   */
  public static FleetZones poll(URI fleet, String group, String selfZone, Clock clock) {
    return poll(fleet, group, selfZone, clock, POLL_EVERY, TIMEOUT, STALE_AFTER);
  }

  /** As {@link #poll(URI, String, String, Clock)}, with its own timings (for tests). */
  static FleetZones poll(
      URI fleet,
      String group,
      String selfZone,
      Clock clock,
      Duration every,
      Duration timeout,
      Duration staleAfter) {
    Objects.requireNonNull(fleet, "fleet");
    if (fleet.getScheme() == null
        || !fleet.getScheme().matches("https?")
        || fleet.getHost() == null) {
      throw new IllegalArgumentException(
          FLEET_URL_ENV
              + ": expected the fleet API's URL like http://127.0.0.1:40123, got \""
              + fleet
              + "\"");
    }
    if (group == null || group.isBlank()) {
      throw new IllegalArgumentException(
          GROUP_ENV + " must name the instance group when " + FLEET_URL_ENV + " is set");
    }
    return new FleetZones(
        fleet,
        group,
        Objects.requireNonNull(selfZone, "selfZone"),
        clock,
        every,
        timeout,
        staleAfter);
  }

  /**
   * Polls the fleet {@code environment} names ({@value #FLEET_URL_ENV} and {@value #GROUP_ENV}), or
   * empty when it names none.
   *
   * @throws IllegalArgumentException when the URL is malformed or the group is missing
   */
  public static Optional<FleetZones> fromEnvironment(
      Map<String, String> environment, String selfZone, Clock clock) {
    String url = environment.get(FLEET_URL_ENV);
    if (url == null || url.isBlank()) {
      return Optional.empty();
    }
    URI fleet;
    try {
      fleet = new URI(url.strip());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(
          FLEET_URL_ENV
              + ": expected the fleet API's URL like http://127.0.0.1:40123, got \""
              + url
              + "\"",
          e);
    }
    return Optional.of(poll(fleet, environment.get(GROUP_ENV), selfZone, clock));
  }

  /** The group's in-service instances per zone, or this process alone (see the class comment). */
  @Override
  public Map<String, Integer> get() {
    Answer a = last;
    if (a != null && !clock.instant().isAfter(a.at().plus(staleAfter))) {
      return a.byZone();
    }
    return self;
  }

  private void pollOnce() {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(zones).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("HTTP " + r.statusCode());
      }
      last = new Answer(parse(r.body()), clock.instant());
      warned = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) { // an unreachable fleet or a bad answer: keep the last one
      if (!warned) {
        warned = true;
        log.warn("the fleet API at {} did not answer the group's zones: {}", zones, e.toString());
      }
    }
  }

  private static Map<String, Integer> parse(String body) {
    JsonNode counts = Json.parse(body).get("inServiceByZone");
    if (counts == null || !counts.isObject()) {
      throw new IllegalArgumentException("expected an object inServiceByZone, got " + counts);
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    for (var e : counts.properties()) {
      JsonNode n = e.getValue();
      if (!n.isIntegralNumber() || !n.canConvertToInt() || n.intValue() < 0) {
        throw new IllegalArgumentException(
            "expected a count for zone " + e.getKey() + ", got " + n);
      }
      out.put(e.getKey(), n.intValue());
    }
    return Map.copyOf(out);
  }

  /** Stops polling. */
  @Override
  public void close() {
    poller.shutdownNow();
    client.shutdownNow();
  }
}
