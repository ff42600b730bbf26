package io.bulwark.cli;

import io.bulwark.commerce.Commerce;
import io.bulwark.commerce.CommerceOptions;
import io.bulwark.commerce.DemoData;
import io.bulwark.commerce.payment.simulator.SimulatorOptions;
import io.bulwark.diagnose.http.DiagnoseHttp;
import io.bulwark.diagnose.http.DiagnoseOptions;
import io.bulwark.dr.ReplicationMeters;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.InstanceRunningException;
import io.bulwark.server.PortInUseException;
import io.bulwark.server.ServerConfig;
import io.bulwark.server.logging.JsonLogs;
import io.bulwark.states.aws.AwsOptions;
import io.bulwark.states.aws.StepFunctionsApi;
import io.bulwark.states.http.StatesHttpModule;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code bulwark demo}: the embedded database and the server, until Ctrl-C or SIGTERM. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts an embedded PostgreSQL and the Bulwark server with the shop (identity, catalog,"
          + " orders, payments against a simulated card network), seeds a catalog and demo users,"
          + " prints the base URL once ready, and runs until Ctrl-C or SIGTERM, then stops"
          + " everything cleanly.",
      "State lives in ~/.bulwark/demo (or $BULWARK_HOME/demo): the database survives restarts."
    })
final class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Mixin StepFunctionsOptions stepFunctions;

  @Option(
      names = "--jdbc-url",
      description = "Use this external PostgreSQL instead of the embedded one.")
  String jdbcUrl;

  @Option(
      names = "--admin-password",
      description =
          "Password of the administrator 'admin' (at least 8 characters; default: a random one,"
              + " printed at start).")
  String adminPassword;

  @Option(
      names = "--payment-decline-rate",
      defaultValue = "0",
      paramLabel = "RATE",
      description =
          "Share of charges the simulated card network declines, 0..1 (default: ${DEFAULT-VALUE});"
              + " declined orders end FAILED with their stock released.")
  double declineRate;

  @Option(
      names = "--payment-failure-rate",
      defaultValue = "0",
      paramLabel = "RATE",
      description =
          "Share of charges the simulated card network answers with a server error, 0..1"
              + " (default: ${DEFAULT-VALUE}); the saga retries them.")
  double failureRate;

  @Option(
      names = "--ha",
      description =
          "Run the shop highly available: several instances (own processes) spread over three"
              + " zones behind the gateway, replaced when they die; the URL is the gateway's.")
  boolean ha;

  @Override
  public Integer call() throws InterruptedException {
    if (adminPassword != null && adminPassword.length() < 8) {
      throw new UserInputException(
          "--admin-password must be at least 8 characters but was " + adminPassword.length());
    }
    rate("--payment-decline-rate", declineRate);
    rate("--payment-failure-rate", failureRate);
    // the demo operator's credentials sign Step Functions API requests out of the box
    AwsOptions aws = stepFunctions.options(DemoData.OPERATOR, DemoData.OPERATOR_PASSWORD);
    boolean generatedPassword = adminPassword == null;
    String password = generatedPassword ? randomPassword() : adminPassword;
    ServerConfig.Builder config = server.config("demo", ha ? 0 : server.port);
    if (jdbcUrl != null) {
      config.jdbcUrl(jdbcUrl);
    }
    ServerConfig cfg = config.build();

    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    JsonLogs.toFile(cfg.instanceDir().resolve("logs/bulwark.json"));
    err.println(
        jdbcUrl != null
            ? "connecting to " + jdbcUrl + " ..."
            : ha
                ? "starting the database cluster in " + cfg.instanceDir().resolve("db") + " ..."
                : "starting embedded PostgreSQL in " + cfg.instanceDir().resolve("pg") + " ...");
    err.flush();

    SimulatorOptions simulator = SimulatorOptions.defaults().withRates(failureRate, declineRate, 0);
    String url;
    CountDownLatch stopped;
    DemoData.Seeded seeded;
    if (ha) {
      HighAvailabilityDemo shop;
      try {
        shop = HighAvailabilityDemo.start(cfg, server, simulator, password, err);
      } catch (PortInUseException e) {
        throw portTaken(e);
      } catch (InstanceRunningException e) {
        throw new UserInputException(e.getMessage(), e);
      }
      seeded = shop.seeded();
      url = shop.url();
      stopped = stopOnShutdown(shop, err);
    } else {
      BulwarkServer.Builder builder = BulwarkServer.builder(cfg);
      Commerce commerce = installShop(builder, shopOptions(simulator), server.kafka, aws);
      BulwarkServer running = startOrExplain(builder);
      stopped = stopOnShutdown(running, err);
      seeded = DemoData.seed(commerce, password);
      url = running.baseUrl();
    }
    err.println("ready; logs: " + cfg.instanceDir().resolve("logs"));
    err.println(
        "shop: "
            + seeded.products()
            + " products; users admin / "
            + (generatedPassword ? password + " (generated; set with --admin-password)" : "(given)")
            + ", "
            + DemoData.CUSTOMER
            + " / "
            + DemoData.CUSTOMER_PASSWORD
            + " (customer), "
            + DemoData.OPERATOR
            + " / "
            + DemoData.OPERATOR_PASSWORD
            + " (operator: bulwark states, replenishments)");
    err.println(orderExample(url));
    err.println(stepFunctionsExample(url));
    err.println("press Ctrl-C to stop");
    err.flush();
    out.println(url);
    out.flush();
    stopped.await();
    return BulwarkCommand.OK;
  }

  private CommerceOptions shopOptions(SimulatorOptions simulator) {
    try {
      return server.commerce().paymentSimulator(simulator).build();
    } catch (IllegalArgumentException e) {
      throw new UserInputException("--http-task-host: " + e.getMessage(), e);
    }
  }

  /**
   * Installs what a shop process serves: the commerce contexts, the HTTP API of the durable
   * state-machine engine that runs the order sagas, which only operators and admins may use, and
   * the telemetry recorder and chaos API that {@code bulwark diagnose} and {@code bulwark chaos}
   * use, for admins only.
   */
  static Commerce installShop(
      BulwarkServer.Builder builder, CommerceOptions options, String kafka) {
    return installShop(builder, options, kafka, null);
  }

  /**
   * As {@link #installShop(BulwarkServer.Builder, CommerceOptions, String)}, and the Step Functions
   * API on the same engine ({@code POST /}, AWS JSON 1.0) unless {@code stepFunctions} is null.
   */
  static Commerce installShop(
      BulwarkServer.Builder builder,
      CommerceOptions options,
      String kafka,
      AwsOptions stepFunctions) {
    Commerce commerce = Commerce.install(builder, options);
    ShopMessaging.install(builder, commerce, kafka);
    DiagnoseHttp.install(
        builder,
        ctx -> ShopMessaging.admin(commerce, ctx.header("Authorization"), ctx),
        DiagnoseOptions.defaults(),
        () ->
            options.paymentGateway().isEmpty()
                ? Optional.of(commerce.paymentGatewayUrl())
                : Optional.empty());
    builder
        .module(platform -> new OperatorsOnly(commerce))
        .module(platform -> new StatesHttpModule(commerce.engine()))
        .module(
            platform ->
                new DatabaseMetrics(
                    ReplicationMeters.start(
                        platform.database().dataSource(), platform.registry())));
    if (stepFunctions != null) {
      builder.module(platform -> new StepFunctionsApi(commerce.engine(), stepFunctions));
    }
    return commerce;
  }

  /**
   * Starts {@code builder}'s server, turning a taken port or a home another live server runs on
   * into a clear user error (exit 2).
   */
  static BulwarkServer startOrExplain(BulwarkServer.Builder builder) {
    try {
      return builder.start();
    } catch (PortInUseException e) {
      throw portTaken(e);
    } catch (InstanceRunningException e) {
      throw new UserInputException(e.getMessage(), e);
    }
  }

  private static UserInputException portTaken(PortInUseException e) {
    return new UserInputException(
        e.getMessage() + "; choose another with --port (0 = any free port)", e);
  }

  /** Closes {@code running} on Ctrl-C or SIGTERM; the latch opens once it is closed. */
  static CountDownLatch stopOnShutdown(AutoCloseable running, PrintWriter err) {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  err.println("stopping ...");
                  err.flush();
                  try {
                    running.close();
                  } catch (Exception e) {
                    err.println("bulwark: stopping failed: " + e.getMessage());
                  }
                  stopped.countDown();
                },
                "bulwark-stop"));
    return stopped;
  }

  private static void rate(String option, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new UserInputException(option + " must be between 0 and 1 but was " + value);
    }
  }

  private static String randomPassword() {
    byte[] bytes = new byte[12];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String stepFunctionsExample(String url) {
    return String.join(
        "\n",
        "Step Functions API (AWS CLI and SDKs; signed with the operator's key pair):",
        "  AWS_ACCESS_KEY_ID="
            + DemoData.OPERATOR
            + " AWS_SECRET_ACCESS_KEY="
            + DemoData.OPERATOR_PASSWORD
            + " aws stepfunctions --endpoint-url "
            + url
            + " --region us-east-1 list-state-machines");
  }

  private static String orderExample(String url) {
    return String.join(
        "\n",
        "place an order:",
        "  TOKEN=$(curl -s " + url + "/api/v1/auth/login -H 'Content-Type: application/json' \\",
        "    -d '{\"username\":\""
            + DemoData.CUSTOMER
            + "\",\"password\":\""
            + DemoData.CUSTOMER_PASSWORD
            + "\"}' | sed 's/.*\"accessToken\":\"\\([^\"]*\\)\".*/\\1/')",
        "  curl -s " + url + "/api/v1/orders -H \"Authorization: Bearer $TOKEN\" \\",
        "    -H 'Content-Type: application/json' -H \"Idempotency-Key: my-first-order\" \\",
        "    -d '{\"items\":[{\"sku\":\"BOOK-1\",\"quantity\":1}]}'",
        "  API description: " + url + "/api/v1/openapi.json");
  }
}
