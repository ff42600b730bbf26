package io.bulwark.traffic.internal;

import io.bulwark.traffic.BotProtection;
import io.bulwark.traffic.EdgeCache;
import io.bulwark.traffic.GatewayConfig;
import io.bulwark.traffic.PoolStatus;
import io.bulwark.traffic.TargetConfig;
import io.bulwark.traffic.TargetStatus;
import io.bulwark.traffic.TlsConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.Bootstrap;
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
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.KeyManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: event loops, listeners, router, health checks, metrics. {@code
 * io.bulwark.traffic.Gateway} is its public face; no compatibility guarantee here.
 */
public final class GatewayRuntime {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);
  private static final Logger ACCESS = LoggerFactory.getLogger("io.bulwark.traffic.access");
  // Below the 30 s keep-alive of Jetty (Javalin) and the JDK's HttpServer, so the gateway, not
  // the backend, closes an idle pooled connection, and never reuses one the backend is closing.
  private static final long IDLE_UPSTREAM_NANOS = TimeUnit.SECONDS.toNanos(25);

  /** Header carrying {@link #prewarmToken()} on pre-warming requests; removed before upstream. */
  static final AsciiString PREWARM_HEADER = AsciiString.cached("x-bulwark-prewarm");

  // How often rate-limit buckets of idle clients are forgotten.
  private static final long SWEEP_SECONDS = 30;
  // Upstream answers come from the gateway's own targets: their header names and values are
  // forwarded as they are, so validating each one again on the way through buys nothing.
  private static final HttpDecoderConfig UPSTREAM_DECODER =
      new HttpDecoderConfig()
          .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false))
          .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(false));

  private final GatewayConfig initial;
  private final MeterRegistry registry;
  private final Clock clock;
  private final SslContext tls;
  private final Transport transport;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Router router;
  private final HealthChecker healthChecker;
  private final Bootstrap upstream;
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  // One cell per event loop: requests start and finish on every loop, and a shared counter's
  // cache line would bounce between the cores on each of them.
  private final LongAdder inFlight = new LongAdder();
  private final Map<String, Counter> retries = new ConcurrentHashMap<>();
  private final List<Meter> gatewayMeters = new ArrayList<>();
  private final Counter unrouted;
  // Null when bot protection is off: the proxy then skips it with one volatile read.
  private volatile Protection protection;
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
    this.registry = registry;
    this.clock = clock;
    this.tls = config.tls().map(GatewayRuntime::sslContext).orElse(null);
    this.transport = Transport.best();
    this.boss = transport.group(1, "bulwark-gateway-accept");
    this.workers =
        transport.group(Math.max(2, Runtime.getRuntime().availableProcessors()), "bulwark-gateway");
    this.healthChecker =
        new HealthChecker(workers, transport.socketChannel(), config.region(), t -> {});
    this.cache = config.cache().map(c -> new EdgeCacheStore(c, clock, registry)).orElse(null);
    this.router = new Router(config, clock, this::targetAdded, this::targetRemoved);
    this.upstream =
        new Bootstrap()
            .channel(transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis());
    this.unrouted =
        Counter.builder("bulwark.gateway.unrouted")
            .description("Requests answered 503 because no pool had a serving target")
            .register(registry);
    gatewayMeters.add(unrouted);
    gatewayMeters.add(
        Gauge.builder("bulwark.gateway.inflight", inFlight, LongAdder::sum)
            .description("Client requests in progress")
            .strongReference(true)
            .register(registry));
    for (Pool pool : router.pools()) {
      gatewayMeters.add(
          Gauge.builder("bulwark.gateway.pool.weight", pool, Pool::weight)
              .tag("pool", pool.name())
              .strongReference(true)
              .register(registry));
      gatewayMeters.add(
          Gauge.builder(
                  "bulwark.gateway.pool.serving", pool, p -> p.serving(System.nanoTime()) ? 1 : 0)
              .tag("pool", pool.name())
              .description("1 when the pool is enabled and has a serving target")
              .strongReference(true)
              .register(registry));
    }
  }

  /** Binds the listeners and starts health checks; throws when a port cannot be bound. */
  public static GatewayRuntime start(GatewayConfig config, MeterRegistry registry, Clock clock) {
    GatewayRuntime runtime = new GatewayRuntime(config, registry, clock);
    try {
      config.protection().ifPresent(p -> runtime.protection = Protection.of(p, registry, clock));
      runtime.workers.scheduleAtFixedRate(
          runtime::sweepProtection, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
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

  private static SslContext sslContext(TlsConfig config) {
    char[] password = config.password().toCharArray();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(config.keyStore())) {
        store.load(in, password);
      }
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      return SslContextBuilder.forServer(keys)
          .sslProvider(SslProvider.JDK)
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  ApplicationProtocolNames.HTTP_2,
                  ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "tls.keyStore: cannot load "
              + config.keyStore()
              + " as a PKCS#12 key store with the given password: "
              + e.getMessage(),
          e);
    }
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
   * contains) a {@link PrometheusMeterRegistry}.
   */
  Optional<String> scrape() {
    return prometheus(registry).map(PrometheusMeterRegistry::scrape);
  }

  private static Optional<PrometheusMeterRegistry> prometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry p) {
      return Optional.of(p);
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry child : composite.getRegistries()) {
        Optional<PrometheusMeterRegistry> found = prometheus(child);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  String registryKind() {
    return registry.getClass().getSimpleName();
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
    TargetMeters meters = target.meters();
    if (meters != null) {
      meters.connected();
    }
    return upstream
        .clone(loop)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(new HttpClientCodec(UPSTREAM_DECODER, false, false))
                    .addLast(new UpstreamHandler(target, IDLE_UPSTREAM_NANOS));
              }
            })
        .connect(target.config().host(), target.config().port());
  }

  void requestStarted() {
    inFlight.increment();
  }

  void requestFinished() {
    inFlight.decrement();
  }

  void unrouted() {
    unrouted.increment();
  }

  void retried(Pool pool) {
    retries
        .computeIfAbsent(
            pool.name(),
            name -> {
              Counter c =
                  Counter.builder("bulwark.gateway.retries")
                      .description("Attempts after the first one")
                      .tag("pool", name)
                      .register(registry);
              synchronized (gatewayMeters) {
                gatewayMeters.add(c);
              }
              return c;
            })
        .increment();
  }

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
    if (!initial.accessLog() || !ACCESS.isInfoEnabled()) {
      return;
    }
    String pool = target == null ? "-" : target.pool().name();
    String targetId = target == null ? "-" : target.id();
    double millis = nanos / 1_000_000.0;
    ACCESS
        .atInfo()
        .addKeyValue("request_id", requestId)
        .addKeyValue("protocol", protocol)
        .addKeyValue("method", method)
        .addKeyValue("uri", uri)
        .addKeyValue("status", status)
        .addKeyValue("pool", pool)
        .addKeyValue("target", targetId)
        .addKeyValue("attempts", attempts)
        .addKeyValue("duration_ms", millis)
        .addKeyValue("client", client)
        .log(
            "request_id={} protocol={} method={} uri=\"{}\" status={} pool={} target={} attempts={}"
                + " duration_ms={} client={} last_error=\"{}\"",
            requestId,
            protocol,
            method,
            uri,
            status,
            pool,
            targetId,
            attempts,
            String.format("%.3f", millis),
            client,
            lastError);
  }

  private void targetAdded(Target target) {
    target.meters(new TargetMeters(registry, target));
    healthChecker.watch(target);
  }

  private void targetRemoved(Target target) {
    TargetMeters meters = target.meters();
    if (meters != null) {
      meters.remove();
    }
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
    Protection p = protection;
    return GatewayConfig.builder(initial)
        .pools(router.pools().stream().map(Pool::toConfig).toList())
        .protection(Optional.ofNullable(p).map(Protection::config))
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
    return protection;
  }

  /** The bot protection in force, if any. */
  public Optional<BotProtection> botProtection() {
    return Optional.ofNullable(protection).map(Protection::config);
  }

  /**
   * Replaces bot protection (empty turns it off) for the next request. Buckets of rate limits that
   * keep their name and key carry over, and so does the challenge secret unless the new
   * configuration names one.
   */
  public synchronized void setBotProtection(Optional<BotProtection> config) {
    Protection before = protection;
    Protection after =
        config
            .map(c -> before == null ? Protection.of(c, registry, clock) : before.replacedBy(c))
            .orElse(null);
    protection = after;
    if (before != null) {
      before.close();
    }
    LOG.info(
        "bot protection {}",
        config
            .map(
                c ->
                    "set: "
                        + c.rules().size()
                        + " rules, "
                        + c.rateLimits().size()
                        + " rate limits")
            .orElse("off"));
  }

  private void sweepProtection() {
    Protection p = protection;
    if (p != null) {
      p.sweep();
    }
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
    while (inFlight.sum() > 0 && System.nanoTime() - deadline < 0) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    if (inFlight.sum() > 0) {
      LOG.warn("gateway closing with {} requests still in flight after {}", inFlight.sum(), grace);
    }
    clients.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    for (Pool pool : router.pools()) {
      for (Target t : pool.targets()) {
        TargetMeters meters = t.meters();
        if (meters != null) {
          meters.remove();
        }
      }
    }
    synchronized (gatewayMeters) {
      gatewayMeters.forEach(registry::remove);
      gatewayMeters.clear();
    }
    Protection p = protection;
    if (p != null) {
      p.close();
    }
    if (cache != null) {
      cache.close();
    }
    LOG.info("gateway stopped");
  }
}
