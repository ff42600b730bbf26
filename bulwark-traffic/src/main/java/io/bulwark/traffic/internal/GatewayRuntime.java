package io.bulwark.traffic.internal;

import io.bulwark.traffic.BotProtection;
import io.bulwark.traffic.EdgeCache;
import io.bulwark.traffic.GatewayConfig;
import io.bulwark.traffic.PoolStatus;
import io.bulwark.traffic.TargetConfig;
import io.bulwark.traffic.TargetStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: event loops, listeners, router, health checks, metrics. {@code
 * io.bulwark.traffic.Gateway} is its public face; no compatibility guarantee here.
 *
 * <p>This class starts and stops the gateway, binds its listeners and answers the control API; its
 * parts each own one job: {@link GatewayMeters}, {@link AccessLog}, {@link UpstreamConnector},
 * {@link ServerTls} and {@link LiveProtection} (bot protection replaced at run time).
 */
public final class GatewayRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);

  /** Header carrying {@link #prewarmToken()} on pre-warming requests; removed before upstream. */
  static final AsciiString PREWARM_HEADER = AsciiString.cached("x-bulwark-prewarm");

  // How often rate-limit buckets of idle clients are forgotten.
  private static final long SWEEP_SECONDS = 30;

  private final GatewayConfig initial;
  private final Clock clock;
  private final SslContext tls;
  private final Transport transport;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Router router;
  private final HealthChecker healthChecker;
  private final UpstreamConnector upstream;
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final GatewayMeters meters;
  private final AccessLog accessLog;
  private final LiveProtection protection;
  // Null without an edge cache.
  private final EdgeCacheStore cache;
  // Marks the gateway's own pre-warming requests, which bot protection lets through.
  private final String prewarmToken = newRequestIdText();
  private volatile CompletableFuture<EdgeCache.PrewarmResult> prewarm;
  private PeerHealth peerHealth;
  private volatile boolean closing;
  private Channel server;
  private Channel admin;

  private GatewayRuntime(GatewayConfig config, MeterRegistry registry, Clock clock) {
    this.initial = config;
    this.clock = clock;
    this.tls = config.tls().map(ServerTls::of).orElse(null);
    this.transport = Transport.best();
    this.boss = transport.group(1, "bulwark-gateway-accept");
    this.workers =
        transport.group(Math.max(2, Runtime.getRuntime().availableProcessors()), "bulwark-gateway");
    this.healthChecker =
        new HealthChecker(workers, transport.socketChannel(), config.region(), t -> {});
    this.cache = config.cache().map(c -> new EdgeCacheStore(c, clock, registry)).orElse(null);
    this.router = new Router(config, clock, this::targetAdded, this::targetRemoved);
    this.upstream = new UpstreamConnector(transport, config.connectTimeout());
    this.meters = new GatewayMeters(registry, router.pools());
    router.onFailOpen(meters::failedOpen);
    this.accessLog = new AccessLog(config.accessLog());
    this.protection = new LiveProtection(registry, clock);
  }

  /** Binds the listeners and starts health checks; throws when a port cannot be bound. */
  public static GatewayRuntime start(GatewayConfig config, MeterRegistry registry, Clock clock) {
    GatewayRuntime runtime = new GatewayRuntime(config, registry, clock);
    try {
      config.protection().ifPresent(runtime.protection::start);
      runtime.workers.scheduleAtFixedRate(
          runtime.protection::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
      runtime.router.addInitialTargets(config);
      runtime.peerHealth =
          PeerHealth.start(runtime.router, config.region(), config.peers(), runtime.workers);
      runtime.server = runtime.bindProxy();
      if (config.adminPort() != GatewayConfig.ADMIN_DISABLED) {
        runtime.admin = runtime.bindAdmin();
      }
      if (runtime.cache != null && !runtime.cache.config().prewarm().isEmpty()) {
        runtime.prewarm();
      }
      LOG.info(
          "gateway listening on {}:{} ({}, {} transport){}",
          config.bindHost(),
          runtime.port(),
          runtime.tls == null ? "HTTP/1.1 and h2c" : "TLS with ALPN h2 and http/1.1",
          runtime.transport.name(),
          runtime.admin == null ? "" : ", admin API on port " + runtime.adminPort());
      return runtime;
    } catch (RuntimeException e) {
      runtime.close(Duration.ZERO);
      throw e;
    }
  }

  private Channel bindProxy() {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    clients.add(ch);
                    ClientProtocols.configure(ch.pipeline(), GatewayRuntime.this);
                  }
                });
    return bind(b, initial.port(), "proxy");
  }

  /** The TLS context of the proxy port, or null when it speaks cleartext. */
  SslContext tls() {
    return tls;
  }

  int maxBodyBytes() {
    return initial.maxBodyBytes();
  }

  private Channel bindAdmin() {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    clients.add(ch);
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1024 * 1024))
                        .addLast(new AdminHandler(GatewayRuntime.this));
                  }
                });
    return bind(b, initial.adminPort(), "admin API");
  }

  private Channel bind(ServerBootstrap b, int port, String what) {
    ChannelFuture f = b.bind(initial.bindHost(), port).syncUninterruptibly();
    if (!f.isSuccess()) {
      throw new IllegalStateException(
          "cannot bind the " + what + " to " + initial.bindHost() + ":" + port, f.cause());
    }
    return f.channel();
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** The admin port; throws when the admin API is off. */
  public int adminPort() {
    if (admin == null) {
      throw new IllegalStateException("the admin API is disabled (adminPort -1)");
    }
    return ((InetSocketAddress) admin.localAddress()).getPort();
  }

  /**
   * The Prometheus text exposition of the registry the gateway was started with, when it is (or
   * contains) a {@link io.micrometer.prometheusmetrics.PrometheusMeterRegistry}.
   */
  Optional<String> scrape() {
    return meters.scrape();
  }

  String registryKind() {
    return meters.registryKind();
  }

  public Router router() {
    return router;
  }

  Clock clock() {
    return clock;
  }

  boolean closing() {
    return closing;
  }

  ChannelFuture connect(Target target, EventLoop loop) {
    return upstream.connect(target, loop);
  }

  void requestStarted() {
    meters.requestStarted();
  }

  void requestFinished() {
    meters.requestFinished();
  }

  void unrouted() {
    meters.unrouted();
  }

  void retried(Pool pool) {
    meters.retried(pool);
  }

  /** See {@link AccessLog#log}. */
  void accessLog(
      String requestId,
      String protocol,
      String method,
      String uri,
      int status,
      Target target,
      int attempts,
      long nanos,
      String client,
      String lastError) {
    accessLog.log(
        requestId, protocol, method, uri, status, target, attempts, nanos, client, lastError);
  }

  private void targetAdded(Target target) {
    meters.targetAdded(target);
    healthChecker.watch(target);
  }

  private void targetRemoved(Target target) {
    GatewayMeters.targetRemoved(target);
    LOG.info("target {} left pool {}", target.id(), target.pool().name());
  }

  // ---- control API, used by Gateway and the admin handler ----

  public List<PoolStatus> pools() {
    return router.pools().stream().map(p -> p.status(clock)).toList();
  }

  public PoolStatus pool(String name) {
    return router.pool(name).status(clock);
  }

  public TargetStatus target(String id) {
    return router.target(id).status(clock);
  }

  public void setWeight(String pool, int weight) {
    Pool p = router.pool(pool);
    int before = p.weight();
    p.weight(weight);
    LOG.info("pool {}: weight {} -> {}", pool, before, weight);
  }

  public void setEnabled(String pool, boolean enabled) {
    router.pool(pool).enabled(enabled);
    LOG.info("pool {}: {}", pool, enabled ? "enabled" : "disabled");
  }

  public TargetStatus addTarget(String pool, TargetConfig target) {
    Target t = router.addTarget(pool, target);
    LOG.info("pool {}: added target {}", pool, t);
    return t.status(clock);
  }

  /** Starts draining; the future completes when the target has left its pool. */
  public CompletableFuture<Void> drain(String targetId) {
    return drain(router.target(targetId));
  }

  /** Drains every target of a pool; the future completes when all have left it. */
  public CompletableFuture<Void> drainPool(String pool) {
    Pool p = router.pool(pool);
    LOG.info("pool {}: draining all {} targets", pool, p.targets().size());
    return CompletableFuture.allOf(
        p.targets().stream().map(this::drain).toArray(CompletableFuture[]::new));
  }

  private CompletableFuture<Void> drain(Target t) {
    if (!t.draining()) {
      Duration delay = t.pool().deregistrationDelay();
      LOG.info(
          "pool {}: draining target {} ({} in flight, deregistration delay {})",
          t.pool().name(),
          t.id(),
          t.inFlight(),
          delay);
      t.startDraining();
      if (!t.removed()) {
        workers.next().schedule(() -> t.pool().remove(t), delay.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
    return t.removal().copy();
  }

  /** Removes a target at once; its in-flight requests still finish. */
  public void removeTarget(String targetId) {
    Target t = router.target(targetId);
    t.pool().remove(t);
  }

  /** The current state as a config. */
  public GatewayConfig config() {
    return GatewayConfig.builder(initial)
        .pools(router.pools().stream().map(Pool::toConfig).toList())
        .protection(protection.config())
        .build();
  }

  /** This gateway's region and what its own probes found, for peer gateways. */
  Map<String, Object> healthReport() {
    return PeerHealth.report(router, initial.region());
  }

  /** The edge cache, or null when there is none. */
  EdgeCacheStore cache() {
    return cache;
  }

  /** Whether {@code headers} mark one of the gateway's own pre-warming requests. */
  boolean prewarming(HttpHeaders headers) {
    String token = headers.get(PREWARM_HEADER);
    return token != null && token.equals(prewarmToken);
  }

  String prewarmToken() {
    return prewarmToken;
  }

  /** The address the gateway's own clients reach the proxy port on. */
  String localHost() {
    String host = initial.bindHost();
    return host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
  }

  /**
   * Fetches the configured pre-warm paths through the proxy port, storing their answers.
   *
   * @throws IllegalStateException when the gateway has no edge cache
   */
  public CompletableFuture<EdgeCache.PrewarmResult> prewarm() {
    if (cache == null) {
      throw new IllegalStateException("the gateway has no edge cache to pre-warm");
    }
    CompletableFuture<EdgeCache.PrewarmResult> run =
        Prewarmer.start(this, cache, cache.config().prewarm(), cache.config().prewarmTimeout());
    prewarm = run;
    return run;
  }

  /** The latest pre-warming run, if one was started. */
  public Optional<CompletableFuture<EdgeCache.PrewarmResult>> lastPrewarm() {
    return Optional.ofNullable(prewarm);
  }

  /** Drops cached answers: those of {@code path}, or all when it is empty; returns how many. */
  public int purgeCache(Optional<String> path) {
    if (cache == null) {
      return 0;
    }
    int n = path.map(cache::purge).orElseGet(cache::purgeAll);
    LOG.info("edge cache: purged {} entries{}", n, path.map(p -> " of " + p).orElse(""));
    return n;
  }

  private static String newRequestIdText() {
    return RequestIds.newRequestId().toString();
  }

  /** Bot protection as it runs now, or null when it is off. */
  Protection protection() {
    return protection.current();
  }

  /** The bot protection in force, if any. */
  public Optional<BotProtection> botProtection() {
    return protection.config();
  }

  /**
   * Replaces bot protection (empty turns it off) for the next request. Buckets of rate limits that
   * keep their name and key carry over, and so does the challenge secret unless the new
   * configuration names one.
   */
  public void setBotProtection(Optional<BotProtection> config) {
    protection.replace(config);
  }

  /**
   * Stops accepting, lets in-flight requests finish for up to {@code grace}, then closes every
   * connection and stops the event loops.
   */
  public void close(Duration grace) {
    if (closing && workers.isShuttingDown()) {
      return;
    }
    closing = true;
    healthChecker.stop();
    if (peerHealth != null) {
      peerHealth.stop();
    }
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    if (admin != null) {
      admin.close().syncUninterruptibly();
    }
    for (Channel ch : clients) {
      ProxyHandler handler = ch.pipeline().get(ProxyHandler.class);
      if (handler != null) {
        ch.eventLoop().execute(handler::closeIfIdle);
      } else {
        ch.close();
      }
    }
    long deadline = System.nanoTime() + grace.toNanos();
    while (meters.inFlight() > 0 && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    if (meters.inFlight() > 0) {
      LOG.warn(
          "gateway closing with {} requests still in flight after {}", meters.inFlight(), grace);
    }
    clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    meters.removeAll(router.pools());
    protection.close();
    if (cache != null) {
      cache.close();
    }
    LOG.info("gateway stopped");
  }
}
