package io.bulwark.cli;

import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.commerce.DemoData;
import io.bulwark.commerce.inventory.Product;
import io.bulwark.diagnose.eval.Campaign;
import io.bulwark.diagnose.eval.CampaignException;
import io.bulwark.diagnose.eval.CampaignFile;
import io.bulwark.diagnose.eval.CampaignRunner;
import io.bulwark.diagnose.eval.EvalReport;
import io.bulwark.fleet.load.LoadGenerator;
import io.bulwark.kernel.AdminApi;
import io.bulwark.kernel.Json;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark diagnose eval}: runs an accuracy campaign (faults injected one after another under
 * a steady order load), diagnoses each, and scores the engine and a BARO baseline. Without {@code
 * --url} it starts the built-in shop (one process: the shop, its PostgreSQL and its payment
 * simulator) in this process. Exit 0 scored, 2 bad input (the campaign file, an option, a fault the
 * server cannot inject), 1 failed (the server could not be asked).
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Measures how often the diagnosis is right: injects each fault of a campaign file into a"
            + " running shop under a steady order load, declares the symptom 6 s later, diagnoses"
            + " it, stops the fault and waits 12 s before the next; prints AC@1, AC@3, Avg@5 and"
            + " the seconds from symptom to diagnosis, beside a BARO baseline's. Without --url it"
            + " starts the built-in shop (the shop process with its embedded PostgreSQL and its"
            + " payment simulator) in this process.")
final class DiagnoseEvalCommand implements Callable<Integer> {

  /** The built-in shop's pool: room for the load's orders queued behind a fault and the admin. */
  private static final int POOL_SIZE = 24;

  @Spec CommandSpec spec;

  @Option(
      names = "--campaign",
      required = true,
      paramLabel = "FILE",
      description = "The campaign, e.g. examples/campaigns/default.yaml.")
  Path campaign;

  @Option(
      names = "--topology",
      paramLabel = "FILE",
      description = "A topology to start instead of the built-in shop (not built yet).")
  Path topology;

  @Option(
      names = "--url",
      description =
          "A running shop to evaluate (not the gateway: the one process whose telemetry is read);"
              + " default: start the built-in one.")
  String url;

  @Option(
      names = "--token",
      defaultValue = "${env:BULWARK_TOKEN}",
      description = "Bearer token of an administrator of --url (default: $BULWARK_TOKEN).")
  String token;

  @Option(
      names = "--customer",
      defaultValue = DemoData.CUSTOMER + ":" + DemoData.CUSTOMER_PASSWORD,
      paramLabel = "USER:PASSWORD",
      description = "Who places the load's orders on --url (default: the demo customer).")
  String customer;

  @Option(
      names = "--rate",
      defaultValue = "4",
      description = "Orders per second of the steady load (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--home",
      description = "State directory of the built-in shop (default: $BULWARK_HOME or ~/.bulwark).")
  Path home;

  @Option(
      names = "--jdbc-url",
      description = "The built-in shop uses this PostgreSQL instead of starting an embedded one.")
  String jdbcUrl;

  @Option(names = "--json", description = "Print the scores as one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (topology != null) {
      throw new UserInputException(
          "--topology: starting a topology file's processes for a campaign is not built yet;"
              + " start one shop with `bulwark demo` and give its --url");
    }
    if (!(rate > 0 && rate <= 200)) {
      throw new UserInputException("--rate must be between 0 and 200 orders/s but was " + rate);
    }
    int colon = customer.indexOf(':');
    if (colon <= 0 || colon == customer.length() - 1) {
      throw new UserInputException("--customer must be USER:PASSWORD but was " + customer);
    }
    Campaign c;
    try {
      c = CampaignFile.read(campaign);
    } catch (CampaignException e) {
      throw new UserInputException(e.getMessage(), e);
    }
    BulwarkServer builtIn = null;
    try {
      Session admin;
      String target;
      if (url == null) {
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        err.println("starting the built-in shop ...");
        err.flush();
        ServerConfig.Builder config =
            ServerConfig.builder().name("eval").httpPort(0).poolSize(POOL_SIZE);
        if (home != null) {
          config.home(home);
        }
        if (jdbcUrl != null) {
          config.jdbcUrl(jdbcUrl);
        }
        BulwarkServer.Builder builder = BulwarkServer.builder(config.build());
        Commerce commerce =
            DemoCommand.installShop(
                builder,
                // fewer database reads by the admin check, which pool-exhaustion starves (the
                // role permissions it reads are still cached only 5 s: CachedRoles.TTL)
                CommerceOptions.builder().tokenVersionCacheTtl(Duration.ofMinutes(10)).build(),
                null);
        builtIn = DemoCommand.startOrExplain(builder);
        DemoData.seed(commerce, password);
        // enough stock that the load never runs out: orders must keep reaching the payments
        for (Product p : commerce.inventory().products()) {
          commerce.inventory().setAvailable(p.sku(), 1_000_000);
        }
        target = builtIn.baseUrl();
        admin = new Session(target, "admin", password);
        err.println("built-in shop at " + target);
      } else {
        if (token == null || token.isBlank()) {
          throw new UserInputException(
              "--token (or $BULWARK_TOKEN): an administrator's token for " + url + " is needed");
        }
        target = url;
        admin = Session.fixed(token);
      }
      CampaignRunner runner = new CampaignRunner(target, admin::token, Clock.systemUTC(), err);
      try {
        runner.check(c);
      } catch (CampaignException e) {
        throw new UserInputException(e.getMessage(), e);
      }
      Session buyer =
          new Session(target, customer.substring(0, colon), customer.substring(colon + 1));
      List<String> skus = skus(target, buyer.token());
      err.printf(
          "running %d injections from %s under %.0f orders/s ...%n",
          c.injections().size(), campaign, rate);
      err.flush();
      EvalReport report;
      try (OrderLoad load = new OrderLoad(target, buyer, skus, rate)) {
        report = runner.run(c, load);
      }
      if (json) {
        out.println(Json.write(report.toJson()));
      } else {
        report.print(out);
      }
      out.flush();
      return BulwarkCommand.OK;
    } catch (AdminApi.Failed e) {
      err.println("bulwark: " + e.getMessage());
      err.flush();
      return e.exitCode();
    } finally {
      if (builtIn != null) {
        builtIn.close();
      }
    }
  }

  private static List<String> skus(String url, String token)
      throws AdminApi.Failed, InterruptedException {
    List<String> skus = new ArrayList<>();
    AdminApi.call(url, token, "GET", "/api/v1/products", null)
        .forEach(p -> skus.add(p.get("sku").asText()));
    if (skus.isEmpty()) {
      throw new UserInputException("the shop at " + url + " has no products to order");
    }
    return skus;
  }

  /**
   * A user's access token, logged in again before it expires (access tokens live 15 minutes; a
   * campaign runs longer), or a fixed token given on the command line.
   */
  static final class Session {
    private static final Duration RENEW = Duration.ofMinutes(10);
    private final String url;
    private final String user;
    private final String password;
    private String token;
    private Instant renewAt = Instant.MIN;

    Session(String url, String user, String password) {
      this.url = url;
      this.user = user;
      this.password = password;
    }

    static Session fixed(String token) {
      Session s = new Session(null, null, null);
      s.token = token;
      s.renewAt = Instant.MAX;
      return s;
    }

    synchronized String token() {
      if (Instant.now().isAfter(renewAt)) {
        try {
          token =
              AdminApi.call(
                      url,
                      null,
                      "POST",
                      "/api/v1/auth/login",
                      Map.of("username", user, "password", password))
                  .get("accessToken")
                  .asText();
        } catch (AdminApi.Failed e) {
          throw new IllegalStateException("cannot log in as " + user + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while logging in as " + user, e);
        }
        renewAt = Instant.now().plus(RENEW);
      }
      return token;
    }
  }

  /**
   * The campaign's order load over HTTP: {@code rate} orders a second, one item each, round the
   * catalog, by the fleet's open-loop {@link LoadGenerator}; a swing adds twice as many again.
   */
  static final class OrderLoad implements CampaignRunner.Load {
    /** Like a client's connection pool: fewer than the shop's, so a fault cannot queue them all. */
    private static final int MAX_IN_FLIGHT = 8;

    private final LoadGenerator generator =
        LoadGenerator.create(Duration.ofSeconds(10), MAX_IN_FLIGHT);
    private final String url;
    private final Session buyer;
    private final List<String> skus;
    private final String run = Long.toHexString(System.nanoTime());
    private final double rate;
    private final AtomicInteger swings = new AtomicInteger();
    private volatile boolean stopped;
    private final Thread steady;

    OrderLoad(String url, Session buyer, List<String> skus, double rate) {
      this.url = url;
      this.buyer = buyer;
      this.skus = skus;
      this.rate = rate;
      this.steady =
          Thread.ofPlatform()
              .daemon()
              .name("bulwark-eval-load")
              .start(
                  () ->
                      generator.run(
                          rate, Long.MAX_VALUE, () -> stopped, n -> order("s", n), r -> null));
    }

    /** Order {@code n} of the run {@code key} names; its idempotency key is unique to it. */
    private HttpRequest.Builder order(String key, long n) {
      String sku = skus.get((int) (n % skus.size()));
      return HttpRequest.newBuilder(URI.create(url + "/api/v1/orders"))
          .header("Authorization", "Bearer " + buyer.token())
          .header("Content-Type", "application/json")
          .header("Idempotency-Key", "eval-" + run + "-" + key + "-" + n)
          .POST(
              HttpRequest.BodyPublishers.ofString(
                  "{\"items\":[{\"sku\":\"" + sku + "\",\"quantity\":1}]}"));
    }

    @Override
    public void swing(Duration duration) {
      Instant until = Instant.now().plus(duration);
      String key = "w" + swings.incrementAndGet();
      Thread.ofPlatform()
          .daemon()
          .name("bulwark-eval-swing")
          .start(
              () ->
                  generator.run(
                      2 * rate,
                      Long.MAX_VALUE,
                      () -> stopped || Instant.now().isAfter(until),
                      n -> order(key, n),
                      r -> null));
    }

    @Override
    public void close() {
      stopped = true;
      try {
        steady.join(Duration.ofSeconds(15));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      generator.close();
    }
  }
}
