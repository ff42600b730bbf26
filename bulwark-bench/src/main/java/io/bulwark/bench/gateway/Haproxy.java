package io.bulwark.bench.gateway;

import io.bulwark.kernel.OwnedProcesses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * HAProxy (the Debian package) proxying the backend: HTTP mode, keep-alive on both sides, idle
 * server connections reused across clients ({@code http-reuse always}), no logging, as many threads
 * as the gateway has event loops.
 */
final class Haproxy implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path dir;
  private final Path binary;

  private Haproxy(Process process, int port, Path dir, Path binary) {
    this.binary = binary;
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  static Haproxy start(int backendPort, int threads) throws IOException {
    Path binary =
        Wrk.findOnPath("haproxy")
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "haproxy is not installed; run bulwark-bench/haproxy-bench.sh, which"
                            + " installs it (apt-get install -y haproxy)"));
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    Path dir = Files.createTempDirectory("bulwark-haproxy");
    Path config = dir.resolve("haproxy.cfg");
    Files.writeString(
        config,
        """
        global
          maxconn 4096
          nbthread %d
        defaults
          mode http
          timeout connect 2s
          timeout client 30s
          timeout server 30s
          option http-keep-alive
          http-reuse always
        frontend bench
          bind 127.0.0.1:%d
          default_backend backend
        backend backend
          server b1 127.0.0.1:%d
        """
            .formatted(threads, port, backendPort));
    Process process =
        OwnedProcesses.startDyingWithOwner(
            new ProcessBuilder(binary.toString(), "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("haproxy.log").toFile()),
            "SIGTERM");
    Haproxy haproxy = new Haproxy(process, port, dir, binary);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!haproxy.accepting()) {
      if (!process.isAlive() || System.nanoTime() - deadline > 0) {
        String log = Files.readString(dir.resolve("haproxy.log"));
        haproxy.close();
        throw new IllegalStateException("haproxy did not start:\n" + log);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
    }
    return haproxy;
  }

  private boolean accepting() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  String version() {
    try {
      Process p = new ProcessBuilder(binary.toString(), "-v").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("?");
      p.waitFor(5, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try (var files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // A leftover temp directory is harmless.
    }
  }
}
