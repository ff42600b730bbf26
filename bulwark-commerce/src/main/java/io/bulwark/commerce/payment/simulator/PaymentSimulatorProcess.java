package io.bulwark.commerce.payment.simulator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The payment-gateway simulator running as a separate operating-system process (a real network
 * dependency), started with this JVM's class path. Closing it kills the process; the child also
 * exits by itself when this process dies, because its standard input closes.
 */
public final class PaymentSimulatorProcess implements AutoCloseable {

  private final Process process;
  private final int port;

  private PaymentSimulatorProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Starts a simulator process and waits (up to 30 s) until it listens.
   *
   * @throws IllegalStateException when it exits or does not announce its port in time
   */
  public static PaymentSimulatorProcess start(SimulatorOptions options) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx96m");
    // the full tiered JIT: it answers every payment of the shop it serves for as long as it runs
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xshare:auto");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(PaymentSimulatorMain.class.getName());
    cmd.addAll(options.toArgs());
    Process p;
    try {
      p =
          new ProcessBuilder(cmd)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .redirectInput(ProcessBuilder.Redirect.PIPE)
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the payment simulator: " + cmd.get(0), e);
    }
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<Integer> ready =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String line;
                while ((line = out.readLine()) != null) {
                  if (line.startsWith(PaymentSimulatorMain.READY)) {
                    return Integer.parseInt(line.substring(PaymentSimulatorMain.READY.length()));
                  }
                }
                return -1;
              } catch (IOException e) {
                return -1;
              }
            });
    int port;
    try {
      port = ready.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the payment simulator", e);
    } catch (ExecutionException | TimeoutException e) {
      p.destroyForcibly();
      throw new IllegalStateException("payment simulator did not start within 30 s", e);
    }
    if (port <= 0) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "payment simulator exited before listening (exit code "
              + (p.isAlive() ? "?" : p.exitValue())
              + ")");
    }
    Thread drain =
        Thread.ofVirtual()
            .unstarted(
                () -> {
                  try {
                    while (out.readLine() != null) {
                      // discard further output so the pipe never fills
                    }
                  } catch (IOException ignored) {
                    // process gone
                  }
                });
    drain.start();
    return new PaymentSimulatorProcess(p, port);
  }

  /** The port the simulator listens on (127.0.0.1). */
  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>}. */
  public URI baseUrl() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The operating-system process id. */
  public long pid() {
    return process.pid();
  }

  /** True while the process runs. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Kills the process and waits for it to exit. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
