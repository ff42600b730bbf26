package io.bulwark.commerce;

import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.SigningKeys;
import io.bulwark.commerce.events.EventBus;
import io.bulwark.commerce.identity.Identity;
import io.bulwark.commerce.identity.LoginLimiter;
import io.bulwark.commerce.identity.PasswordHasher;
import io.bulwark.commerce.identity.http.IdentityHttp;
import io.bulwark.commerce.inventory.Inventory;
import io.bulwark.commerce.inventory.http.InventoryHttp;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.http.HttpModule;
import io.javalin.Javalin;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
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

  private static final Logger log = LoggerFactory.getLogger(Commerce.class);

  /** The Flyway migration folders, one per context: {@code db/migration/<name>}. */
  public static final List<String> MIGRATIONS =
      List.of("identity", "inventory", "ordering", "payment");

  private final CommerceOptions options;
  private volatile Running running;

  private Commerce(CommerceOptions options) {
    this.options = options;
  }

  /**
   * Adds the commerce migrations and HTTP modules to {@code builder}. The returned handle gives
   * access to the contexts once the server has started.
   */
  public static Commerce install(BulwarkServer.Builder builder, CommerceOptions options) {
    Commerce commerce = new Commerce(options);
    MIGRATIONS.forEach(builder::migrate);
    builder.module(commerce::start);
    return commerce;
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

  private HttpModule start(BulwarkServer.Platform platform) {
    Running r = new Running(options, platform);
    running = r;
    return r;
  }

  /** Everything that runs once the database is ready; closed with the server. */
  private static final class Running implements HttpModule, AutoCloseable {
    final EventBus bus = new EventBus();
    final AccessTokens tokens;
    final Identity identity;
    final Inventory inventory;
    final List<HttpModule> http = new ArrayList<>();
    final ScheduledExecutorService scheduler;

    Running(CommerceOptions o, BulwarkServer.Platform platform) {
      Clock clock = platform.clock();
      DataSource ds = platform.database().dataSource();
      byte[] key =
          o.jwtSecret().isPresent()
              ? SigningKeys.fromSecret(o.jwtSecret().get())
              : SigningKeys.loadOrCreate(
                  platform.config().instanceDir().resolve("commerce").resolve("jwt.key"));
      tokens = new AccessTokens(key, o.accessTokenTtl(), clock);
      identity =
          new Identity(
              ds,
              tokens,
              new PasswordHasher(o.bcryptCost()),
              new LoginLimiter(
                  o.loginFailuresPerAccount(), o.loginFailuresPerAddress(), o.loginWindow(), clock),
              o.refreshTokenTtl(),
              clock);
      inventory = new Inventory(ds, bus, o.reservationTtl(), clock);
      bus.subscribe(
          e -> {
            if (e.type().equals("LowStockAlert")) {
              log.warn("low stock: {}", e.payload());
            }
          });
      http.add(new IdentityHttp(identity, tokens));
      http.add(new InventoryHttp(inventory, tokens));

      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("commerce-expiry").daemon().factory());
      long every = Math.max(1000, o.pollInterval().toMillis() * 4);
      scheduler.scheduleWithFixedDelay(
          () -> {
            try {
              int n = inventory.expireAbandoned();
              if (n > 0) {
                log.info("released {} abandoned reservations", n);
              }
            } catch (RuntimeException e) {
              log.warn("reservation expiry failed; will retry", e);
            }
          },
          every,
          every,
          TimeUnit.MILLISECONDS);
    }

    @Override
    public void register(Javalin app) {
      http.forEach(m -> m.register(app));
    }

    @Override
    public void close() throws InterruptedException {
      scheduler.shutdownNow();
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
