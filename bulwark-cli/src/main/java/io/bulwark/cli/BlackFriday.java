package io.bulwark.cli;

import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.inventory.Product;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.fleet.InstanceCpu;
import io.bulwark.fleet.InstanceGroup;
import io.bulwark.fleet.ScheduledAction;
import io.bulwark.fleet.TargetTracking;
import io.bulwark.fleet.load.ArrivalProfile;
import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.kernel.Json;
import io.bulwark.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The Black Friday scenario of SPEC 11.5: the shop behind the gateway with its instance group, bot
 * rules, rate limits and edge cache; an open-model load that ramps from a baseline to {@code peak}
 * times it with a VIP share and a bot share, and a payment-network spike in the middle of the peak;
 * then every acknowledged order is reconciled against the database and the card network. It
 * measures what the seed reports (availability at the peak, mean response time, data lost, cost
 * against provisioning the peak for the whole window) and compares.
 */
final class BlackFriday {

  /** The seed's figures: availability, mean response, data lost, cost below peak provisioning. */
  static final double SEED_AVAILABILITY_PERCENT = 99.98;

  static final double SEED_MEAN_LATENCY_MS = 180;
  static final double SEED_COST_SAVING_PERCENT = 40;

  /** The limited-stock product most orders want: the test of "never oversold". */
  static final String DOORBUSTER = "BF-DOORBUSTER";

  static final String SCRAPER_AGENT = "Mozilla/5.0 (compatible; Scrapy/2.11; +https://scrapy.org)";
  static final String CUSTOMER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0";

  private static final int CUSTOMERS = 12;
  private static final int VIPS = 2;
  private static final double BOT_SHARE = 0.10;
  private static final double VIP_SHARE = 0.05;
  private static final double ORDER_SHARE = 0.15;
  private static final double DOORBUSTER_SHARE = 0.30;

  /**
   * What to run.
   *
   * @param peak the peak's arrival rate as a multiple of the baseline
   * @param duration the whole load: baseline, ramp up, peak, ramp down, baseline
   * @param baselineRate requests per second at the baseline
   * @param baselineInstances instances at the baseline (the group's minimum)
   * @param peakInstances instances the schedule pre-scales to for the peak
   * @param doorbusterStock units of the limited product
   * @param gatewayPort the gateway's port (0: a free one)
   */
  record Settings(
      double peak,
      Duration duration,
      double baselineRate,
      int baselineInstances,
      int peakInstances,
      int doorbusterStock,
      int gatewayPort) {

    /** The arrival profile: 35 % baseline, 10 % ramp, 15 % peak, 10 % ramp down, 30 % baseline. */
    ArrivalProfile profile() {
      double top = baselineRate * peak;
      return ArrivalProfile.of(
          List.of(
              phase("baseline", 0.35, baselineRate, baselineRate),
              phase("ramp-up", 0.10, baselineRate, top),
              phase("peak", 0.15, top, top),
              phase("ramp-down", 0.10, top, baselineRate),
              phase("after", 0.30, baselineRate, baselineRate)));
    }

    private ArrivalProfile.Phase phase(String name, double share, double from, double to) {
      return new ArrivalProfile.Phase(
          name, Duration.ofMillis((long) (duration.toMillis() * share)), from, to);
    }

    /** How long before the ramp the schedule pre-scales: instances need time to start. */
    Duration preScaleLead() {
      Duration lead = Duration.ofSeconds(Math.max(15, duration.toSeconds() / 15));
      Duration baseline = profile().startOf("ramp-up");
      return lead.compareTo(baseline) < 0 ? lead : baseline;
    }
  }

  /** The accounts the load signs in with, made while seeding. */
  private static final class Accounts {
    final List<String> customers = new ArrayList<>();
    final List<String> vips = new ArrayList<>();
    volatile String scalper;
    final List<String> skus = new ArrayList<>();
  }

  private final Settings settings;
  private final Consumer<String> progress;

  BlackFriday(Settings settings, Consumer<String> progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /** Starts the stack under {@code config}, runs the load, reconciles, stops everything. */
  BlackFridayResult run(ServerConfig config, ServerOptions server, java.io.PrintWriter err)
      throws Exception {
    Accounts accounts = new Accounts();
    String adminPassword = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    HighAvailabilityDemo.Layout layout =
        new HighAvailabilityDemo.Layout(
            "/io/bulwark/cli/black-friday.yaml", false, c -> seed(c, accounts));
    progress.accept("starting PostgreSQL, the payment network, the shop and the gateway ...");
    try (HighAvailabilityDemo shop =
        HighAvailabilityDemo.start(
            config,
            server,
            SimulatorOptions.defaults().withRates(0.0, 0.01, 0),
            adminPassword,
            err,
            layout,
            settings.gatewayPort())) {
      return drive(shop, config, accounts);
    }
  }

  private void seed(Commerce commerce, Accounts accounts) {
    commerce
        .inventory()
        .create(
            new Product(DOORBUSTER, "Doorbuster TV (limited)", 29_900, "EUR", 5),
            settings.doorbusterStock());
    String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    for (int i = 0; i < CUSTOMERS + VIPS + 1; i++) {
      boolean vip = i >= CUSTOMERS && i < CUSTOMERS + VIPS;
      String name = i < CUSTOMERS ? "bf-customer-" + i : vip ? "bf-vip-" + i : "bf-scalper";
      commerce.identity().create(name, password, name, vip ? Role.VIP : Role.CUSTOMER);
      String token = commerce.identity().login(name, password, "127.0.0.1").accessToken();
      if (vip) {
        accounts.vips.add(token);
      } else if (i < CUSTOMERS) {
        accounts.customers.add(token);
      } else {
        accounts.scalper = token;
      }
    }
    commerce.inventory().products().stream()
        .map(Product::sku)
        .filter(s -> !s.equals(DOORBUSTER))
        .forEach(accounts.skus::add);
  }

  /** Runs the load. */
  private BlackFridayResult drive(HighAvailabilityDemo shop, ServerConfig config, Accounts accounts)
      throws Exception {
    ArrivalProfile profile = settings.profile();
    InstanceGroup group = shop.stack().group("shop");
    Instant start = Instant.now().plusSeconds(1);
    long startNanos = System.nanoTime() + 1_000_000_000L;
    Duration peakStart = profile.startOf("peak");
    Duration peakEnd = profile.startOf("ramp-down");
    group.setSize(
        settings.baselineInstances(), settings.peakInstances(), settings.baselineInstances());
    group.track(TargetTracking.cpu(60), InstanceCpu.of(group));
    // Not tracked here: the intake's backlog (TargetTracking.queueDepth, `up
    // --target-queue-depth`).
    // Tracking it beside CPU (25 orders per instance) was measured on the default run, on a quiet
    // machine: the backlog in this scenario is sagas waiting on the payment spike, which more
    // instances on two cores do not drain, so the group held its peak size longer (1548 against
    // 1388-1390 instance-seconds) and missed the cost figure (35.5 % saved, against 40 %).
    int peakInstances = settings.peakInstances();
    group.schedule(
        ScheduledAction.of(
            "pre-scale",
            start.plus(profile.startOf("ramp-up")).minus(settings.preScaleLead()),
            peakInstances,
            peakInstances,
            peakInstances));
    // after the peak the floor goes back down; target tracking lets instances go as CPU falls
    group.schedule(
        ScheduledAction.of(
            "after-peak",
            start.plus(peakEnd),
            settings.baselineInstances(),
            peakInstances,
            peakInstances));
    progress.accept(
        String.format(
            java.util.Locale.ROOT,
            "load: %.0f req/s for %ds, ramp to %.0f req/s (x%.0f) at %ds, peak until %ds, %d"
                + " requests; pre-scaling to %d instances at %ds",
            settings.baselineRate(),
            profile.startOf("ramp-up").toSeconds(),
            settings.baselineRate() * settings.peak(),
            settings.peak(),
            peakStart.toSeconds(),
            peakEnd.toSeconds(),
            profile.total(),
            peakInstances,
            profile.startOf("ramp-up").minus(settings.preScaleLead()).toSeconds()));

    Measurements m = new Measurements();
    double instanceSecondsBefore = group.instanceSeconds();
    ScheduledExecutorService ticker =
        Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().factory());
    HttpClient admin = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    Duration spikeAt = peakStart.plus(peakEnd.minus(peakStart).dividedBy(3));
    long spikeSeconds = Math.max(1, peakEnd.minus(peakStart).toSeconds() / 2);
    try (Connection db = connect(shop.jdbcUrl(), config)) {
      AtomicLong lastSent = new AtomicLong();
      ticker.scheduleAtFixedRate(
          () -> m.sample(startNanos, profile, group, db, lastSent),
          1_000_000_000L + 1_000_000_000L,
          1_000_000_000L,
          TimeUnit.NANOSECONDS);
      ticker.schedule(
          () -> spike(admin, shop.payments(), spikeSeconds, m, startNanos),
          startNanos - System.nanoTime() + spikeAt.toNanos(),
          TimeUnit.NANOSECONDS);
      try (LoadGenerator load = LoadGenerator.create(Duration.ofSeconds(10), 2048)) {
        String base = shop.url();
        load.drive(
            startNanos,
            profile::offsetNanos,
            profile.total(),
            () -> false,
            n -> m.request(n, base, accounts),
            HttpResponse.BodyHandlers.ofString(),
            m::answer);
      }
      double window = profile.duration().toNanos() / 1e9;
      double used = group.instanceSeconds() - instanceSecondsBefore;
      ticker.shutdownNow();
      progress.accept(
          "load done: "
              + m.legitSent.sum()
              + " legitimate requests, "
              + m.botSent.sum()
              + " from bots; waiting for "
              + m.acknowledged.size()
              + " acknowledged orders to finish ...");
      Reconciliation r = reconcile(db, shop.payments(), admin, m);
      return m.result(settings, window, used, r);
    } finally {
      ticker.shutdownNow();
    }
  }

  private void spike(HttpClient http, URI payments, long seconds, Measurements m, long startNanos) {
    try {
      http.send(
          HttpRequest.newBuilder(payments.resolve("/burst"))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"seconds\":" + seconds + ",\"latencyMs\":300,\"errorRate\":0.5}"))
              .build(),
          HttpResponse.BodyHandlers.discarding());
      m.spikeAtSeconds = (System.nanoTime() - startNanos) / 1e9;
      m.spikeSeconds = seconds;
      progress.accept(
          "payment network spike: +300 ms and half the charges failing for " + seconds + " s");
    } catch (Exception e) {
      progress.accept("could not start the payment spike: " + LoadGenerator.rootCause(e));
    }
  }

  private static Connection connect(String jdbcUrl, ServerConfig config) throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl, config.dbUser(), config.dbPassword());
    c.setAutoCommit(true);
    return c;
  }

  /** What the database and the card network say once every acknowledged order has settled. */
  record Reconciliation(
      long acknowledged,
      long confirmed,
      long failed,
      long missing,
      long unfinished,
      long doorbusterConfirmed,
      long oversold,
      boolean stockConsistent,
      long duplicateCharges,
      long netChargedMinor,
      long confirmedRevenueMinor,
      double drainSeconds) {

    long lost() {
      return missing + unfinished;
    }
  }

  private Reconciliation reconcile(Connection db, URI payments, HttpClient http, Measurements m)
      throws Exception {
    List<String> ids = new ArrayList<>(m.acknowledged);
    long drainStart = System.nanoTime();
    long deadline = drainStart + Math.max(120, settings.duration().toSeconds()) * 1_000_000_000L;
    Map<String, String> status = statuses(db, ids);
    int polls = 0;
    while (status.values().stream().anyMatch("PENDING"::equals) || status.size() < ids.size()) {
      if (System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(1000);
      status = statuses(db, ids);
      if (++polls % 5 == 0) {
        long pending =
            ids.size() - status.values().stream().filter(s -> !s.equals("PENDING")).count();
        progress.accept(pending + " orders still settling");
      }
    }
    double drain = (System.nanoTime() - drainStart) / 1e9;
    Map<String, String> settled = status;
    long confirmed = settled.values().stream().filter("CONFIRMED"::equals).count();
    long failed = settled.values().stream().filter("FAILED"::equals).count();
    long missing = ids.stream().filter(id -> !settled.containsKey(id)).count();
    long unfinished = ids.stream().filter(id -> "PENDING".equals(settled.get(id))).count();

    long doorbusterConfirmed =
        longQuery(
            db,
            "select coalesce(sum((item->>'quantity')::bigint), 0) from ordering_order_view v,"
                + " jsonb_array_elements(v.items) item where v.status = 'CONFIRMED' and"
                + " item->>'sku' = ?",
            DOORBUSTER);
    long committed =
        longQuery(
            db,
            "select coalesce(sum(l.quantity), 0) from inventory_reservation_lines l join"
                + " inventory_reservations r on r.id = l.reservation_id where r.status ="
                + " 'COMMITTED' and l.sku = ?",
            DOORBUSTER);
    long onHand =
        longQuery(db, "select available + reserved from inventory_stock where sku = ?", DOORBUSTER);
    long stock = settings.doorbusterStock();
    boolean consistent = onHand + committed == stock && committed == doorbusterConfirmed;
    long oversold = Math.max(0, doorbusterConfirmed - stock) + Math.max(0, committed - stock);
    long revenue =
        longQuery(
            db,
            "select coalesce(sum(total_minor), 0) from ordering_order_view where status = ?",
            "CONFIRMED");
    var stats =
        Json.parse(
            http.send(
                    HttpRequest.newBuilder(payments.resolve("/stats")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
    return new Reconciliation(
        ids.size(),
        confirmed,
        failed,
        missing,
        unfinished,
        doorbusterConfirmed,
        oversold,
        consistent,
        stats.path("duplicateCharges").asLong(),
        stats.path("netCharged").asLong(),
        revenue,
        drain);
  }

  private static Map<String, String> statuses(Connection db, List<String> ids) throws SQLException {
    Map<String, String> out = new java.util.HashMap<>();
    try (PreparedStatement ps =
        db.prepareStatement(
            "select order_id::text, status from ordering_order_view where order_id ="
                + " any(?::uuid[])")) {
      Array array = db.createArrayOf("text", ids.toArray());
      ps.setArray(1, array);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return out;
  }

  private static long longQuery(Connection db, String sql, Object parameter) throws SQLException {
    try (PreparedStatement ps = db.prepareStatement(sql)) {
      ps.setObject(1, parameter);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** One second of the run, for the report's charts. */
  record Sample(
      double seconds,
      double arrivalRate,
      double p99Millis,
      long errors,
      int instances,
      int inService,
      long queueDepth) {}

  /** Everything the load observes, recorded from the client's threads. */
  final class Measurements {
    final LongAdder legitSent = new LongAdder();
    final LongAdder legitServerErrors = new LongAdder();
    final LongAdder legitRateLimited = new LongAdder();
    final LongAdder legitOtherClientErrors = new LongAdder();
    final LongAdder botSent = new LongAdder();
    final LongAdder botBlocked = new LongAdder();
    final LongAdder ordersRefusedFull = new LongAdder();
    final Histogram legit = new Histogram(60_000_000_000L, 3);
    final Histogram vip = new Histogram(60_000_000_000L, 3);
    final Histogram regularOrders = new Histogram(60_000_000_000L, 3);
    final Histogram vipOrders = new Histogram(60_000_000_000L, 3);
    final Recorder interval = new Recorder(60_000_000_000L, 3);
    final LongAdder intervalErrors = new LongAdder();
    final java.util.Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    final List<Sample> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    final List<String> failureSamples = java.util.Collections.synchronizedList(new ArrayList<>());
    final AtomicLong sent = new AtomicLong();
    final AtomicLong maxInstances = new AtomicLong();
    final String run = Long.toString(System.currentTimeMillis(), 36);
    volatile double spikeAtSeconds = -1;
    volatile long spikeSeconds;

    private enum Kind {
      CATALOG,
      PRODUCT,
      ORDER,
      DOORBUSTER_ORDER,
      SCRAPER,
      SCALPER;

      boolean bot() {
        return this == SCRAPER || this == SCALPER;
      }

      boolean order() {
        return this == ORDER || this == DOORBUSTER_ORDER || this == SCALPER;
      }
    }

    /** What request {@code n} is, from its number alone: a run is repeatable, nothing stored. */
    private record Pick(Kind kind, boolean vip, java.util.SplittableRandom rest) {
      static Pick of(long n) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(n * 0x9E3779B97F4A7C15L);
        if (r.nextDouble() < BOT_SHARE) {
          return new Pick(r.nextBoolean() ? Kind.SCRAPER : Kind.SCALPER, false, r);
        }
        boolean vip = r.nextDouble() < VIP_SHARE;
        double op = r.nextDouble();
        Kind kind =
            op < ORDER_SHARE
                ? (r.nextDouble() < DOORBUSTER_SHARE ? Kind.DOORBUSTER_ORDER : Kind.ORDER)
                : op < ORDER_SHARE + 0.10 ? Kind.PRODUCT : Kind.CATALOG;
        return new Pick(kind, vip, r);
      }
    }

    /** Request {@code n} of the load. */
    HttpRequest.Builder request(long n, String base, Accounts accounts) {
      sent.incrementAndGet();
      Pick pick = Pick.of(n);
      Kind kind = pick.kind();
      java.util.SplittableRandom r = pick.rest();
      String token;
      if (kind.bot()) {
        token = kind == Kind.SCALPER ? accounts.scalper : null;
      } else {
        List<String> pool = pick.vip() ? accounts.vips : accounts.customers;
        token = pool.get((int) (n % pool.size()));
      }
      String sku =
          kind == Kind.DOORBUSTER_ORDER || kind == Kind.SCALPER
              ? DOORBUSTER
              : accounts.skus.get(r.nextInt(accounts.skus.size()));
      HttpRequest.Builder b =
          HttpRequest.newBuilder()
              .header("User-Agent", kind == Kind.SCRAPER ? SCRAPER_AGENT : CUSTOMER_AGENT);
      if (token != null) {
        b.header("Authorization", "Bearer " + token);
      }
      if (kind.order()) {
        return b.uri(URI.create(base + "/api/v1/orders"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", "bf-" + run + "-" + n)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":1}]}"));
      }
      String path = kind == Kind.PRODUCT ? "/api/v1/products/" + sku : "/api/v1/products";
      return b.uri(URI.create(base + path)).GET();
    }

    void answer(
        long n,
        HttpRequest request,
        HttpResponse<String> response,
        Throwable error,
        long latencyNanos) {
      Pick pick = Pick.of(n);
      Kind kind = pick.kind();
      boolean vip = pick.vip();
      int status = response == null ? -1 : response.statusCode();
      if (kind.order() && (status == 202 || status == 201)) {
        String id = Json.parse(response.body()).path("id").asText();
        acknowledged.add(id);
      }
      if (kind.bot()) {
        botSent.increment();
        if (status == 403 || status == 429) {
          botBlocked.increment();
        }
        return;
      }
      legitSent.increment();
      long latency = Math.min(latencyNanos, 59_000_000_000L);
      interval.recordValue(latency);
      synchronized (this) {
        legit.recordValue(latency);
        if (vip) {
          this.vip.recordValue(latency);
        }
        if (kind.order()) {
          (vip ? vipOrders : regularOrders).recordValue(latency);
        }
      }
      if (error != null || status >= 500) {
        legitServerErrors.increment();
        intervalErrors.increment();
        if (failureSamples.size() < 10) {
          failureSamples.add(
              request.method()
                  + " "
                  + request.uri().getPath()
                  + ": "
                  + (error != null ? LoadGenerator.rootCause(error) : "HTTP " + status));
        }
        if (status == 503 && kind.order() && response.body().contains("intake")) {
          ordersRefusedFull.increment();
        }
        return;
      }
      if (status == 429) {
        legitRateLimited.increment();
      } else if (status >= 400) {
        legitOtherClientErrors.increment();
        if (failureSamples.size() < 10) {
          failureSamples.add(request.method() + " " + request.uri().getPath() + ": HTTP " + status);
        }
      }
    }

    /** Once a second: arrivals, p99 and errors of the last second, instances, orders pending. */
    void sample(
        long startNanos,
        ArrivalProfile profile,
        InstanceGroup group,
        Connection db,
        AtomicLong last) {
      try {
        double t = (System.nanoTime() - startNanos) / 1e9;
        long now = sent.get();
        long arrivals = now - last.getAndSet(now);
        Histogram h = interval.getIntervalHistogram();
        long errors = intervalErrors.sumThenReset();
        var status = group.status();
        int instances = status.instances().size();
        int inService = status.in(io.bulwark.fleet.Lifecycle.IN_SERVICE).size();
        maxInstances.accumulateAndGet(instances, Math::max);
        long pending;
        synchronized (db) {
          pending =
              longQuery(db, "select count(*) from ordering_order_view where status = ?", "PENDING");
        }
        samples.add(
            new Sample(
                t,
                arrivals,
                h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1e6,
                errors,
                instances,
                inService,
                pending));
        if (Math.round(t) % 10 == 0) {
          progress.accept(
              String.format(
                  java.util.Locale.ROOT,
                  "%3.0fs %-9s %4d req/s  p99 %5.0f ms  %d instances (%d in service)  %d orders"
                      + " pending",
                  t,
                  profile.phaseAt(t).name(),
                  arrivals,
                  h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1e6,
                  instances,
                  inService,
                  pending));
        }
      } catch (Exception e) {
        progress.accept("sampling failed: " + LoadGenerator.rootCause(e));
      }
    }

    synchronized BlackFridayResult result(
        Settings s, double windowSeconds, double instanceSeconds, Reconciliation r) {
      long legitTotal = legitSent.sum();
      double availability =
          legitTotal == 0 ? 0 : 100.0 * (legitTotal - legitServerErrors.sum()) / legitTotal;
      long peakInstances = Math.max(maxInstances.get(), s.peakInstances());
      double provisioned = peakInstances * windowSeconds;
      return new BlackFridayResult(
          s.peak(),
          legitTotal + botSent.sum(),
          legitTotal,
          availability,
          legit.getTotalCount() == 0 ? 0 : legit.getMean() / 1e6,
          percentile(legit, 99),
          percentile(vip, 99),
          percentile(regularOrders, 99),
          percentile(vipOrders, 99),
          legitServerErrors.sum(),
          legitRateLimited.sum(),
          legitOtherClientErrors.sum(),
          ordersRefusedFull.sum(),
          r,
          botSent.sum(),
          botBlocked.sum(),
          instanceSeconds,
          provisioned,
          peakInstances,
          windowSeconds,
          spikeAtSeconds,
          spikeSeconds,
          List.copyOf(samples),
          List.copyOf(failureSamples),
          s.profile());
    }

    private static double percentile(Histogram h, double p) {
      return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(p) / 1e6;
    }
  }
}
