package io.bulwark.traffic.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.traffic.HealthCheck;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Target health for the pools this gateway does not probe itself (its region is not among the
 * pool's check regions): every check interval it asks each peer gateway's admin API ({@code GET
 * /admin/health}) what the peers in the check regions found, and marks a target unhealthy when most
 * of those that report it say so (a tie counts as healthy; passive outlier detection still ejects a
 * target that fails requests). While no peer in a check region answers, targets keep the health
 * they had.
 */
final class PeerHealth {
  private static final Logger LOG = LoggerFactory.getLogger(PeerHealth.class);

  private final Router router;
  private final Optional<String> region;
  private final List<URI> peers;
  private final HttpClient client;
  private final Map<URI, Boolean> reachable = new HashMap<>();
  private volatile boolean stopped;

  private PeerHealth(Router router, Optional<String> region, List<URI> peers) {
    this.router = router;
    this.region = region;
    this.peers = peers;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  /**
   * Starts polling when some pool is probed only elsewhere; returns null when none is.
   *
   * @param group the event loops that schedule the polls
   */
  static PeerHealth start(
      Router router, Optional<String> region, List<URI> peers, EventLoopGroup group) {
    Duration every = null;
    for (Pool pool : router.pools()) {
      Optional<HealthCheck> check = pool.healthCheck();
      if (check.isPresent() && !check.get().probesFrom(region)) {
        Duration interval = check.get().interval();
        every = every == null || interval.compareTo(every) < 0 ? interval : every;
      }
    }
    if (every == null) {
      return null;
    }
    if (peers.isEmpty()) {
      LOG.warn(
          "gateway in region {} probes no target of some pools (their check regions exclude it)"
              + " and has no peers to ask: those targets count as healthy until requests to them"
              + " fail",
          region.orElse("?"));
      return null;
    }
    PeerHealth health = new PeerHealth(router, region, peers);
    group.scheduleAtFixedRate(health::poll, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    return health;
  }

  void stop() {
    stopped = true;
    client.shutdownNow();
  }

  private void poll() {
    if (stopped) {
      return;
    }
    List<CompletableFuture<Report>> asks = new ArrayList<>();
    for (URI peer : peers) {
      asks.add(ask(peer));
    }
    CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .whenComplete((ignored, e) -> apply(asks.stream().map(CompletableFuture::join).toList()));
  }

  /** One peer's answer; {@code pools} is empty when it could not be asked. */
  private record Report(URI peer, Optional<String> region, JsonNode pools) {}

  private CompletableFuture<Report> ask(URI peer) {
    HttpRequest request =
        HttpRequest.newBuilder(peer.resolve("/admin/health"))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(
            response -> {
              if (response.statusCode() != 200) {
                throw new IllegalStateException("status " + response.statusCode());
              }
              try {
                JsonNode body = Json.mapper().readTree(response.body());
                JsonNode r = body.get("region");
                return new Report(
                    peer,
                    r == null || r.isNull() ? Optional.empty() : Optional.of(r.asText()),
                    body.path("pools"));
              } catch (IOException e) {
                throw new IllegalStateException("unreadable answer: " + e.getMessage(), e);
              }
            })
        .exceptionally(
            e -> {
              noteReachable(peer, false, e);
              return new Report(peer, Optional.empty(), Json.mapper().createObjectNode());
            });
  }

  private synchronized void noteReachable(URI peer, boolean now, Throwable cause) {
    Boolean before = reachable.put(peer, now);
    if (before == null || before != now) {
      if (now) {
        LOG.info("peer gateway {} answers target health again", peer);
      } else {
        LOG.warn(
            "peer gateway {} does not answer target health ({}); its view is left out",
            peer,
            cause == null ? "?" : cause.getMessage());
      }
    }
  }

  private void apply(List<Report> reports) {
    for (Pool pool : router.pools()) {
      Optional<HealthCheck> check = pool.healthCheck();
      if (check.isEmpty() || check.get().probesFrom(region)) {
        continue;
      }
      for (Target target : pool.targets()) {
        int votes = 0;
        int down = 0;
        for (Report report : reports) {
          if (report.region().isEmpty()
              || !check.get().checkRegions().contains(report.region().get())) {
            continue;
          }
          JsonNode seen = report.pools().path(pool.name());
          if (!seen.path("probed").asBoolean(false)) {
            continue;
          }
          JsonNode healthy = seen.path("targets").get(target.id());
          if (healthy != null && healthy.isBoolean()) {
            votes++;
            if (!healthy.booleanValue()) {
              down++;
            }
          }
        }
        if (votes > 0) {
          target.peerHealth(down * 2 <= votes, votes, down);
        }
      }
    }
    for (Report report : reports) {
      if (report.pools().size() > 0 || report.region().isPresent()) {
        noteReachable(report.peer(), true, null);
      }
    }
  }

  /** What {@code GET /admin/health} answers: this gateway's region and its own probe results. */
  static Map<String, Object> report(Router router, Optional<String> region) {
    Map<String, Object> pools = new java.util.LinkedHashMap<>();
    for (Pool pool : router.pools()) {
      Map<String, Object> targets = new java.util.LinkedHashMap<>();
      for (Target t : pool.targets()) {
        targets.put(t.id(), t.healthy());
      }
      Map<String, Object> p = new java.util.LinkedHashMap<>();
      p.put("probed", pool.healthCheck().map(c -> c.probesFrom(region)).orElse(false));
      p.put("targets", targets);
      pools.put(pool.name(), p);
    }
    Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("region", region.orElse(null));
    out.put("pools", pools);
    return out;
  }
}
