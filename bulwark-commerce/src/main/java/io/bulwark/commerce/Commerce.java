package io.bulwark.commerce;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.SigningKeys;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.commerce.identity.AttemptLimiter;
import io.bulwark.commerce.identity.CachedRoles;
import io.bulwark.commerce.identity.Identity;
import io.bulwark.commerce.identity.PasswordHasher;
import io.bulwark.commerce.identity.http.IdentityHttp;
import io.bulwark.commerce.identity.jdbc.JdbcIdentityStore;
import io.bulwark.commerce.inventory.Inventory;
import io.bulwark.commerce.inventory.http.InventoryHttp;
import io.bulwark.commerce.inventory.jdbc.JdbcCatalogReads;
import io.bulwark.commerce.inventory.jdbc.JdbcInventoryStore;
import io.bulwark.commerce.ordering.EngineTransactions;
import io.bulwark.commerce.ordering.OrderIntake;
import io.bulwark.commerce.ordering.OrderLog;
import io.bulwark.commerce.ordering.OrderProjection;
import io.bulwark.commerce.ordering.OrderQueries;
import io.bulwark.commerce.ordering.OrderSaga;
import io.bulwark.commerce.ordering.OrderSagaFunctions;
import io.bulwark.commerce.ordering.OrderSagaTasks;
import io.bulwark.commerce.ordering.OrderService;
import io.bulwark.commerce.ordering.http.OrderingHttp;
import io.bulwark.commerce.ordering.jdbc.EventStoreOrderLog;
import io.bulwark.commerce.ordering.jdbc.JdbcEngineTransactions;
import io.bulwark.commerce.ordering.jdbc.JdbcIdempotencyKeys;
import io.bulwark.commerce.ordering.jdbc.JdbcOrderSagaStore;
import io.bulwark.commerce.ordering.jdbc.JdbcOrderViews;
import io.bulwark.commerce.payment.Payments;
import io.bulwark.commerce.payment.http.HttpPaymentGateway;
import io.bulwark.commerce.payment.http.PaymentHttp;
import io.bulwark.commerce.payment.jdbc.JdbcPaymentStore;
import io.bulwark.commerce.payment.simulator.PaymentSimulatorProcess;
import io.bulwark.http.HttpModule;
import io.bulwark.http.OpenApi;
import io.bulwark.kernel.Refreshing;
import io.bulwark.kernel.RetryLog;
import io.bulwark.platform.Platform;
import io.bulwark.platform.ServerAssembly;
import io.bulwark.postgres.PostgresTransactions;
import io.bulwark.states.durable.Engine;
import io.bulwark.states.durable.TaskFailureListener;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.javalin.Javalin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the commerce bounded contexts into a Bulwark server: their migrations, HTTP adapters and
 * background workers. Each context keeps its own tables and talks to the others only through the
 * ports wired here, so each could run in its own process.
 *
 * <pre>{@code
 * BulwarkServer.Builder b = BulwarkServer.builder(config);
 * Commerce commerce = Commerce.install(b, CommerceOptions.defaults());
 * BulwarkServer server = b.start();
 * DemoData.seed(commerce, adminPassword);
 * }</pre>
 */
public final class Commerce {

  /**
   * The classpath resource holding the commerce routes' part of the server's OpenAPI document; a
   * test checks it against the routes the commerce modules register.
   */
  public static final String OPENAPI = "/openapi/commerce-v1.json";

  private static final Logger log = LoggerFactory.getLogger(Commerce.class);

  /** Resource of a DR runbook's manual step ({@code RunbookAsl.MANUAL_STEP} in the topology). */
  static final String DR_MANUAL_STEP = "bulwark:dr:manual-step";

  /**
   * The Flyway migration folders, one per context ({@code db/migration/<name>}), and the
   * state-machine engine's ({@code states}), which runs the order saga and the replenishment
   * requests.
   */
  public static final List<String> MIGRATIONS =
      List.of("identity", "inventory", "ordering", "payment", "states");

  /** The counter of payment gateway calls, tagged {@code outcome}: success, error or rejected. */
  public static final String GATEWAY_CALLS = "bulwark.payment.gateway.calls";

  /**
   * Gauge, 1 for the payment gateway circuit breaker's current state and 0 for the others (tag
   * {@code state}: {@code closed}, {@code open}, {@code half_open}, ...), as Resilience4j's own
   * Micrometer binding names it.
   */
  public static final String GATEWAY_CIRCUIT = "bulwark.payment.gateway.circuit.state";

  private final CommerceOptions options;
  private volatile Running running;
  private volatile TaskFailureListener taskFailures;

  private Commerce(CommerceOptions options) {
    this.options = options;
  }

  /**
   * Adds the commerce migrations and HTTP modules to {@code server}. The returned handle gives
   * access to the contexts once the server has started.
   */
  public static Commerce install(ServerAssembly server, CommerceOptions options) {
    Commerce commerce = new Commerce(options);
    MIGRATIONS.forEach(server::migrate);
    server.module(commerce::start);
    return commerce;
  }

  /**
   * The order read-side projection alone, over a migrated commerce database, for offline tools such
   * as {@code bulwark projections rebuild}: no server, no background thread, no cache to
   * invalidate.
   */
  public static OrderProjection standaloneOrderProjection(DataSource dataSource) {
    PostgresTransactions tx = PostgresTransactions.of(dataSource);
    return new OrderProjection(
        new JdbcOrderViews(tx),
        new EventStoreOrderLog(tx, Clock.systemUTC()),
        tx,
        Duration.ofSeconds(1),
        (orders, cs) -> {});
  }

  /** The identity context. */
  public Identity identity() {
    return running().identity;
  }

  /** The catalog and inventory context. */
  public Inventory inventory() {
    return running().inventory;
  }

  /** Issues and verifies access tokens. */
  public AccessTokens accessTokens() {
    return running().tokens;
  }

  /** The payment context. */
  public Payments payments() {
    return running().payments;
  }

  /** The command side of ordering. */
  public OrderService orders() {
    return running().orders;
  }

  /** The bounded queue that admits or refuses new orders. */
  public OrderIntake orderIntake() {
    return running().intake;
  }

  /** The query side of ordering. */
  public OrderQueries orderQueries() {
    return running().queries;
  }

  /** The read-side projection of ordering. */
  public OrderProjection orderProjection() {
    return running().projection;
  }

  /** The order saga, run by {@link #engine()} from the seed's definition. */
  public OrderSaga orderSaga() {
    return running().saga;
  }

  /**
   * The durable state-machine engine of this process: it runs the order sagas and the inventory's
   * replenishment requests, and serves any other state machine (its task handlers are the shop's;
   * {@code http(s)://} resources are POSTed to).
   */
  public Engine engine() {
    return running().engine;
  }

  /** The payment gateway's base URL (a simulator child process when none was configured). */
  public URI paymentGatewayUrl() {
    return running().gatewayUrl;
  }

  /** Domain events flowing between contexts in this process. */
  public EventBus events() {
    return running().bus;
  }

  private Running running() {
    Running r = running;
    if (r == null) {
      throw new IllegalStateException("commerce has not started: start the server first");
    }
    return r;
  }

  /**
   * Tells {@code listener} when a Task state's failure ends an execution of the shop's engine (see
   * {@link Engine.Builder#onTaskFailure}): the assembly's hook for the dead-letter queue. Call it
   * before the server starts; the engine is built with the listener set then.
   */
  public void onTaskFailure(TaskFailureListener listener) {
    this.taskFailures = java.util.Objects.requireNonNull(listener, "listener");
  }

  private HttpModule start(Platform platform) {
    Running r = new Running(options, platform, taskFailures);
    running = r;
    return r;
  }

  /**
   * Publishes the breaker's state on {@value #GATEWAY_CIRCUIT} and counts the payment gateway's
   * calls by outcome on {@value #GATEWAY_CALLS} ({@code success}, {@code error}: failed or timed
   * out, {@code rejected}: not made, the circuit being open), the meter {@code bulwark diagnose}
   * reads the payment network's health from.
   */
  private static void countCalls(HttpPaymentGateway gateway, MeterRegistry registry) {
    Counter success = registry.counter(GATEWAY_CALLS, "outcome", "success");
    Counter error = registry.counter(GATEWAY_CALLS, "outcome", "error");
    Counter rejected = registry.counter(GATEWAY_CALLS, "outcome", "rejected");
    gateway
        .circuitBreaker()
        .getEventPublisher()
        .onSuccess(e -> success.increment())
        .onError(e -> error.increment())
        .onCallNotPermitted(e -> rejected.increment());
    CircuitBreaker breaker = gateway.circuitBreaker();
    for (CircuitBreaker.State state : CircuitBreaker.State.values()) {
      Gauge.builder(GATEWAY_CIRCUIT, breaker, b -> b.getState() == state ? 1 : 0)
          .description("1 for the payment gateway circuit breaker's current state")
          .tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
          .register(registry);
    }
  }

  /** Everything that runs once the database is ready; closed with the server. */
  private static final class Running implements HttpModule, AutoCloseable {
    final EventBus bus = new EventBus();
    final AccessTokens tokens;
    final Identity identity;
    final AttemptLimiter limiter;
    final Inventory inventory;
    final List<HttpModule> http = new ArrayList<>();
    final ScheduledExecutorService scheduler;
    final ScheduledExecutorService intakeReader;
    final PaymentSimulatorProcess simulator;
    final URI gatewayUrl;
    final Payments payments;
    final OrderService orders;
    final OrderIntake intake;
    final OrderQueries queries;
    final OrderProjection projection;
    final OrderSaga saga;
    final Engine engine;

    Running(CommerceOptions o, Platform platform, TaskFailureListener taskFailures) {
      Clock clock = platform.clock();
      PostgresTransactions tx = PostgresTransactions.of(platform.database().dataSource());
      byte[] key =
          o.jwtSecret().isPresent()
              ? SigningKeys.fromSecret(o.jwtSecret().get())
              : SigningKeys.loadOrCreate(
                  platform.instanceDir().resolve("commerce").resolve("jwt.key"));
      JdbcIdentityStore identityStore = new JdbcIdentityStore(tx);
      CachedRoles roles = new CachedRoles(identityStore);
      tokens =
          new AccessTokens(
              key,
              o.accessTokenTtl(),
              clock,
              roles,
              identityStore::tokenVersion,
              o.tokenVersionCacheTtl());
      limiter =
          new AttemptLimiter(
              identityStore,
              o.loginFailuresPerAccount(),
              o.loginFailuresPerAddress(),
              o.loginWindow(),
              o.registrationsPerAddress(),
              o.registrationWindow(),
              clock);
      identity =
          new Identity(
              identityStore,
              roles,
              tx,
              tokens,
              new PasswordHasher(o.bcryptCost()),
              limiter,
              o.refreshTokenTtl(),
              clock);
      EngineTransactions engineTransactions = new JdbcEngineTransactions(tx);
      InventoryReplenishment replenishment = new InventoryReplenishment(tx, engineTransactions);
      inventory =
          new Inventory(
              new JdbcInventoryStore(tx), tx, bus, o.reservationTtl(), clock, replenishment);
      bus.subscribe(
          e -> {
            platform.registry().counter("commerce.events", "type", e.type()).increment();
            if (e.type().equals("LowStockAlert")) {
              log.warn("low stock: {}", e.payload());
            }
          });

      simulator =
          o.paymentGateway().isPresent()
              ? null
              : PaymentSimulatorProcess.start(o.paymentSimulator());
      gatewayUrl = simulator == null ? o.paymentGateway().get() : simulator.baseUrl();
      HttpPaymentGateway gateway =
          new HttpPaymentGateway(gatewayUrl, o.paymentTimeout(), o.paymentAttempts());
      countCalls(gateway, platform.registry());
      payments = new Payments(new JdbcPaymentStore(tx), gateway, clock);

      // Ordering reaches the other contexts only through its ports (Customers, Catalog, Stock,
      // Billing), and the engine's transactions through EngineTransactions.
      OrderLog orderLog = new EventStoreOrderLog(tx, clock, platform.registry());
      saga = new OrderSaga(new JdbcOrderSagaStore(tx), orderLog, tx, engineTransactions, bus);
      queries = new OrderQueries(new JdbcOrderViews(tx), orderLog);
      intake =
          new OrderIntake(
              o.intakeCapacity(), o.vipHeadroomPercent(), saga::queued, platform.registry());
      projection =
          new OrderProjection(
              new JdbcOrderViews(tx),
              orderLog,
              tx,
              o.pollInterval(),
              queries::invalidate,
              platform.registry());
      orders =
          new OrderService(
              new JdbcIdempotencyKeys(tx),
              orderLog,
              tx,
              new IdentityCustomers(identity),
              new InventoryCatalog(inventory),
              clock,
              saga,
              () -> {
                saga.wake();
                projection.wake();
              },
              bus,
              intake);
      meterLag(platform.registry(), projection);
      OrderSagaFunctions functions =
          new OrderSagaFunctions(
              orderLog,
              tx,
              engineTransactions,
              new OrderSagaTasks(new InventoryStock(inventory), new PaymentsBilling(payments)),
              bus,
              projection::wake);
      Engine.Builder engineBuilder = Engine.builder(platform.database());
      if (taskFailures != null) {
        engineBuilder.onTaskFailure(taskFailures);
      }
      engine =
          replenishment
              .bind(
                  saga.bind(
                      engineBuilder
                          // the manual steps of a DR runbook run as a state machine (bulwark
                          // runbook --format asl) wait here until an operator sends the token
                          // their history shows back
                          .task(DR_MANUAL_STEP, request -> null)
                          .clock(clock)
                          .workers(o.sagaWorkers())
                          .lease(o.sagaLease())
                          .pollInterval(o.pollInterval())
                          .httpTaskHosts(o.httpTaskHosts())
                          .meterRegistry(platform.registry()),
                      functions))
              .build();
      saga.attach(engine);
      replenishment.attach(engine, inventory);

      http.add(new IdentityHttp(identity, tokens));
      http.add(new InventoryHttp(inventory, new JdbcCatalogReads(platform.reads()), tokens));
      http.add(new OrderingHttp(orders, queries, projection, tokens));
      http.add(new PaymentHttp(payments, tokens));
      projection.start();
      engine.startWorkers();

      intake.refresh(); // the queue as it stands, before the first order is admitted
      intakeReader =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("order-intake").daemon().factory());
      readIntakeDepth(
          new RetryLog(log, "order intake depth reading"), OrderIntake.REFRESH_INTERVAL);
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("commerce-housekeeping").daemon().factory());
      long every = Math.max(1000, o.pollInterval().toMillis() * 4);
      RetryLog housekeeping = new RetryLog(log, "commerce housekeeping");
      scheduler.scheduleWithFixedDelay(
          () -> {
            try {
              int n = inventory.expireAbandoned();
              if (n > 0) {
                log.info("released {} abandoned reservations", n);
              }
              limiter.forgetExpired();
              int refunds = payments.retryRefunds();
              if (refunds > 0) {
                log.info("completed {} pending refunds", refunds);
              }
              housekeeping.succeeded();
            } catch (RuntimeException e) {
              housekeeping.failed(e);
            }
          },
          every,
          every,
          TimeUnit.MILLISECONDS);
    }

    /**
     * Reads the intake queue's depth after {@code delay}, then again after the delay the reading
     * asks for, until the server stops.
     */
    private void readIntakeDepth(RetryLog retries, Duration delay) {
      try {
        intakeReader.schedule(
            () -> {
              Duration next = OrderIntake.REFRESH_INTERVAL;
              try {
                next = intake.refresh();
                retries.succeeded();
              } catch (RuntimeException e) {
                retries.failed(e);
              }
              readIntakeDepth(retries, next);
            },
            delay.toMillis(),
            TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException stopped) {
        // the server is stopping
      }
    }

    /**
     * How far the order read views are behind the order events: {@code
     * bulwark.ordering.projection.behind} (events the projection can read but has not applied) and
     * {@code .held.back} (committed events it cannot read until an older transaction ends), read at
     * most once a second; NaN when the database cannot say.
     */
    private static void meterLag(MeterRegistry registry, OrderProjection projection) {
      Refreshing<OrderProjection.Lag> lag =
          Refreshing.every(
              Duration.ofSeconds(1),
              () -> {
                try {
                  return projection.lag();
                } catch (RuntimeException e) {
                  return null;
                }
              });
      Gauge.builder("bulwark.ordering.projection.behind", lag, l -> value(l, false))
          .description("Order events the read views have not applied yet")
          .strongReference(true) // nothing else holds the reading
          .register(registry);
      Gauge.builder("bulwark.ordering.projection.held.back", lag, l -> value(l, true))
          .description("Committed order events not readable until an older transaction ends")
          .strongReference(true)
          .register(registry);
    }

    private static double value(Refreshing<OrderProjection.Lag> lag, boolean heldBack) {
      OrderProjection.Lag l = lag.get();
      return l == null ? Double.NaN : heldBack ? l.heldBack() : l.behind();
    }

    @Override
    public void register(Javalin app) {
      http.forEach(m -> m.register(app));
    }

    /** The commerce routes' part of the server's OpenAPI document ({@value Commerce#OPENAPI}). */
    @Override
    public Optional<JsonNode> openApi() {
      return Optional.of(OpenApi.resource(Commerce.class, OPENAPI));
    }

    @Override
    public void close() {
      try {
        engine.close();
        projection.close();
        intakeReader.shutdownNow();
        scheduler.shutdownNow();
        intakeReader.awaitTermination(5, TimeUnit.SECONDS);
        scheduler.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (simulator != null) {
          simulator.close();
        }
      }
    }
  }
}
