package io.bulwark.cli;

import io.bulwark.commerce.CommerceOptions;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import io.bulwark.server.logging.JsonLogs;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark serve}: one shop instance against a shared PostgreSQL, the unit that instance
 * groups run several of behind the gateway ({@code bulwark demo --ha}, {@code bulwark up --exec}).
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Runs one shop instance (HTTP API, saga workers, projections) against a shared PostgreSQL"
          + " until Ctrl-C or SIGTERM. Start several on different ports behind the gateway;"
          + " give them the same JWT key in $BULWARK_JWT_SECRET (32+ bytes) so a token issued by"
          + " one is accepted by all."
    })
final class ServeCommand implements Callable<Integer> {

  /** Environment variable holding the HMAC key every instance of one shop shares. */
  static final String JWT_SECRET_ENV = "BULWARK_JWT_SECRET";

  @Spec CommandSpec spec;

  @Mixin ServerOptions server;

  @Mixin StepFunctionsOptions stepFunctions;

  @Option(
      names = "--name",
      defaultValue = "serve",
      description = "Instance name: its logs go to <home>/<name>/logs (default: ${DEFAULT-VALUE}).")
  String name;

  @Option(
      names = "--jdbc-url",
      required = true,
      description = "The shared PostgreSQL, e.g. jdbc:postgresql://127.0.0.1:5432/bulwark.")
  String jdbcUrl;

  @Option(
      names = "--read-jdbc-url",
      description =
          "Read the catalog's product list and detail here, through a small read-only pool, e.g."
              + " the cluster's members with targetServerType=preferSecondary (default: on"
              + " --jdbc-url).")
  String readJdbcUrl;

  @Option(
      names = "--payment-gateway",
      description =
          "Base URL of the payment gateway all instances share (default: start a simulator of"
              + " this instance's own).")
  URI paymentGateway;

  @Option(
      names = "--watch-stdin",
      description = "Stop when standard input closes (the parent that started this instance died).")
  boolean watchStdin;

  @Override
  public Integer call() throws InterruptedException {
    if (paymentGateway != null && !String.valueOf(paymentGateway.getScheme()).startsWith("http")) {
      throw new UserInputException(
          "--payment-gateway must be an http(s) URL but was " + paymentGateway);
    }
    if (readJdbcUrl != null && !readJdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new UserInputException(
          "--read-jdbc-url must start with jdbc:postgresql: but was \"" + readJdbcUrl + "\"");
    }
    String secret = System.getenv(JWT_SECRET_ENV);
    CommerceOptions.Builder options = server.commerce();
    if (secret != null && !secret.isEmpty()) {
      options.jwtSecret(secret);
    }
    if (paymentGateway != null) {
      options.paymentGateway(paymentGateway);
    }
    ServerConfig.Builder config =
        server.config(name, server.port).jdbcUrl(jdbcUrl).readJdbcUrl(readJdbcUrl);
    ServerConfig cfg;
    CommerceOptions commerceOptions;
    try {
      cfg = config.build();
      commerceOptions = options.build();
    } catch (IllegalArgumentException e) {
      throw new UserInputException(e.getMessage(), e);
    }
    JsonLogs.toFile(cfg.instanceDir().resolve("logs/bulwark.json"));
    PrintWriter out = spec.commandLine().getOut();
    BulwarkServer.Builder builder = BulwarkServer.builder(cfg);
    DemoCommand.installShop(
        builder,
        commerceOptions,
        server.kafka,
        stepFunctions.configured() ? stepFunctions.options() : null);
    BulwarkServer running = DemoCommand.startOrExplain(builder);
    CountDownLatch stopped = DemoCommand.stopOnShutdown(running, spec.commandLine().getErr());
    if (watchStdin) {
      Thread.ofPlatform().daemon().name("bulwark-serve-stdin").start(ServeCommand::exitOnStdinEof);
    }
    out.println(running.baseUrl());
    out.flush();
    stopped.await();
    return BulwarkCommand.OK;
  }

  private static void exitOnStdinEof() {
    try (InputStream in = System.in) {
      while (in.read() >= 0) {
        // the parent never writes; EOF means it is gone
      }
    } catch (IOException e) {
      // a broken pipe means the same as EOF
    }
    System.exit(0);
  }
}
