package io.bulwark.traffic;

import io.bulwark.kernel.Meters;
import io.bulwark.traffic.internal.GatewayRuntime;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The Bulwark gateway: a reverse proxy (HTTP/1.1 keep-alive and HTTP/2 to clients, cleartext h2c or
 * TLS with ALPN; pooled HTTP/1.1 keep-alive connections upstream; answers streamed, not buffered)
 * over pools of targets, with active health checks, passive outlier ejection, draining, cookie
 * affinity, weighted and rule-based steering, a fallback pool, safe retries, a route table
 * (timeouts, affinity, answer TTL, pool per path), bot protection (rules and per-client rate
 * limits), an edge cache, request ids, access logs and Micrometer metrics (Prometheus text at the
 * admin API's {@code GET /metrics}). Start it with {@link #start(GatewayConfig, MeterRegistry)};
 * change it at runtime with the methods below (or the admin API) without dropping connections; stop
 * it with {@link #close()}.
 *
 * <p>Every method is thread-safe. Methods naming a pool or target throw {@link
 * UnknownPoolException} or {@link UnknownTargetException} when there is none.
 */
public final class Gateway implements AutoCloseable {

  private final GatewayRuntime runtime;
  private final Duration shutdownGrace;

  private Gateway(GatewayRuntime runtime, Duration shutdownGrace) {
    this.runtime = runtime;
    this.shutdownGrace = shutdownGrace;
  }

  /**
   * Starts a gateway whose metrics go to a private {@link PrometheusMeterRegistry}, served by the
   * admin API at {@code GET /metrics}.
   */
  public static Gateway start(GatewayConfig config) {
    return start(config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /**
   * Binds the proxy port (and the admin port unless disabled) and starts health checks. When {@code
   * registry} is (or contains) a {@link PrometheusMeterRegistry} the admin API serves it at {@code
   * GET /metrics}.
   *
   * @throws IllegalStateException when a port cannot be bound
   */
  public static Gateway start(GatewayConfig config, MeterRegistry registry) {
    return start(config, registry, Clock.systemUTC());
  }

  /** As {@link #start(GatewayConfig, MeterRegistry)}, with the clock affinity cookies use. */
  public static Gateway start(GatewayConfig config, MeterRegistry registry, Clock clock) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(clock, "clock");
    Meters.conventions(registry);
    return new Gateway(GatewayRuntime.start(config, registry, clock), config.shutdownGrace());
  }

  /** The bound proxy port. */
  public int port() {
    return runtime.port();
  }

  /**
   * The bound admin API port.
   *
   * @throws IllegalStateException when the admin API is disabled
   */
  public int adminPort() {
    return runtime.adminPort();
  }

  /** A snapshot of every pool and its targets. */
  public List<PoolStatus> pools() {
    return runtime.pools();
  }

  /** A snapshot of one pool. */
  public PoolStatus pool(String name) {
    return runtime.pool(name);
  }

  /** A snapshot of one target. */
  public TargetStatus target(String id) {
    return runtime.target(id);
  }

  /**
   * Sets a pool's weight (0..1000); takes effect for the next request.
   *
   * @throws IllegalArgumentException when the weight is out of range
   */
  public void setWeight(String pool, int weight) {
    runtime.setWeight(pool, weight);
  }

  /** Enables or disables a pool; a disabled pool gets no requests at all. */
  public void setPoolEnabled(String pool, boolean enabled) {
    runtime.setEnabled(pool, enabled);
  }

  /**
   * Adds a target to a pool; it serves at once and is health-checked like the others.
   *
   * @throws TargetConflictException when the id is taken
   */
  public TargetStatus addTarget(String pool, TargetConfig target) {
    return runtime.addTarget(pool, target);
  }

  /**
   * Drains a target: it gets no new requests (affinity moves too), its in-flight requests finish,
   * and it leaves the pool when it has none left or its pool's deregistration delay has passed.
   *
   * @return completes when the target has left its pool
   */
  public CompletableFuture<Void> drain(String targetId) {
    return runtime.drain(targetId);
  }

  /**
   * Drains every target of a pool (see {@link #drain(String)}), e.g. to empty a zone or region;
   * targets added to the pool later serve normally.
   *
   * @return completes when all of the pool's current targets have left it
   */
  public CompletableFuture<Void> drainPool(String pool) {
    return runtime.drainPool(pool);
  }

  /** Removes a target at once; requests already sent to it still complete. */
  public void removeTarget(String targetId) {
    runtime.removeTarget(targetId);
  }

  /** The bot protection in force, if any. */
  public Optional<BotProtection> botProtection() {
    return runtime.botProtection();
  }

  /**
   * Replaces bot protection for the next request; empty turns it off. Rate limits that keep their
   * name and client key keep their buckets, and solved challenges stay valid unless the new
   * configuration brings another secret.
   */
  public void setBotProtection(Optional<BotProtection> protection) {
    runtime.setBotProtection(Objects.requireNonNull(protection, "protection"));
  }

  /**
   * Fetches the edge cache's pre-warm paths again (the gateway does it once at start).
   *
   * @return completes when every path is cached or has failed
   * @throws IllegalStateException when the gateway has no edge cache
   */
  public CompletableFuture<EdgeCache.PrewarmResult> prewarm() {
    return runtime.prewarm();
  }

  /** The pre-warming run started last (at start when paths are configured), if any. */
  public Optional<CompletableFuture<EdgeCache.PrewarmResult>> lastPrewarm() {
    return runtime.lastPrewarm();
  }

  /**
   * Drops cached answers: every query and variant of {@code path}, or everything when empty.
   *
   * @return how many entries went
   */
  public int purgeCache(Optional<String> path) {
    return runtime.purgeCache(Objects.requireNonNull(path, "path"));
  }

  /** The current configuration, including runtime changes. */
  public GatewayConfig config() {
    return runtime.config();
  }

  /**
   * Graceful stop: stops accepting, closes idle connections, waits up to the configured {@code
   * shutdownGrace} for in-flight requests, then closes everything. Idempotent.
   */
  @Override
  public void close() {
    runtime.close(shutdownGrace);
  }

  /** As {@link #close()}, waiting at most {@code grace}. */
  public void close(Duration grace) {
    runtime.close(grace);
  }
}
