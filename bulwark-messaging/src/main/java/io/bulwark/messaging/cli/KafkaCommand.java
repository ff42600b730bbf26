package io.bulwark.messaging.cli;

import io.bulwark.messaging.kafka.LocalKafkaBroker;
import io.bulwark.postgres.BulwarkHome;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bulwark kafka}: a local single-node Kafka broker (KRaft, in this JVM) for trying the Kafka
 * bus; prints its bootstrap address on stdout once ready and runs until Ctrl-C or SIGTERM.
 */
@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a local single-node Apache Kafka broker (KRaft mode, broker and controller in one"
          + " process, Kafka 4.4) on 127.0.0.1, prints its bootstrap address (host:port) on stdout"
          + " once it accepts clients, and runs until Ctrl-C or SIGTERM.",
      "Give the address to the shop: bulwark demo --kafka 127.0.0.1:9092. Records are kept in the"
          + " directory and survive restarts. For trying Bulwark on one machine, not for"
          + " production (one replica, no security)."
    })
public final class KafkaCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "9092",
      description = "Client port on 127.0.0.1; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--dir",
      description =
          "Where the broker keeps its logs (default: $BULWARK_HOME/kafka or ~/.bulwark/kafka).")
  Path dir;

  @Override
  public Integer call() throws InterruptedException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be in 0..65535 but was " + port);
    }
    Path home = dir != null ? dir : BulwarkHome.path().resolve("kafka");
    if (Files.exists(home) && !Files.isDirectory(home)) {
      throw new IllegalArgumentException("--dir " + home + " exists and is not a directory");
    }
    if (port != 0) {
      requireFree(port);
    }
    PrintWriter err = spec.commandLine().getErr();
    err.println("starting Kafka (KRaft, single node) in " + home + " ...");
    err.flush();
    LocalKafkaBroker broker = LocalKafkaBroker.start(home, port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  err.println("stopping Kafka ...");
                  err.flush();
                  broker.close();
                  stopped.countDown();
                },
                "bulwark-kafka-stop"));
    err.println("ready; try: bulwark demo --kafka " + broker.bootstrapServers());
    err.println("press Ctrl-C to stop");
    err.flush();
    PrintWriter out = spec.commandLine().getOut();
    out.println(broker.bootstrapServers());
    out.flush();
    stopped.await();
    return 0;
  }

  private static void requireFree(int port) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress("127.0.0.1", port));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "port "
              + port
              + " on 127.0.0.1 is in use; choose another with --port (0 = any free port)",
          e);
    }
  }

  /**
   * Runs the command on its own (the {@code bulwark} launcher registers it as a subcommand): exit 2
   * for bad input, 1 when the broker cannot start.
   */
  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new KafkaCommand());
    cl.setExecutionExceptionHandler(
        (e, commandLine, parsed) -> {
          commandLine.getErr().println("bulwark: " + e.getMessage());
          return e instanceof IllegalArgumentException ? 2 : 1;
        });
    int code = cl.execute(args);
    System.exit(code);
  }
}
