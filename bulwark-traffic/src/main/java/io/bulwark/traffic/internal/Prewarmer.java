package io.bulwark.traffic.internal;

import io.bulwark.traffic.EdgeCache;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pre-warms the edge cache: fetches each configured path through the gateway's own proxy port, as a
 * client would, so the answer is stored on the way through. A path whose fetch fails (no target
 * serving yet, 5xx) is tried again every 250 ms until the timeout; one whose answer may not be
 * stored is reported. Runs on a virtual thread; blocking is fine there.
 */
final class Prewarmer {
  private static final Logger LOG = LoggerFactory.getLogger(Prewarmer.class);
  private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private Prewarmer() {}

  static CompletableFuture<EdgeCache.PrewarmResult> start(
      GatewayRuntime runtime, EdgeCacheStore store, List<String> paths, Duration timeout) {
    CompletableFuture<EdgeCache.PrewarmResult> done = new CompletableFuture<>();
    Thread.ofVirtual()
        .name("bulwark-gateway-prewarm")
        .start(
            () -> {
              try {
                done.complete(run(runtime, store, paths, timeout));
              } catch (RuntimeException e) {
                done.completeExceptionally(e);
              }
            });
    return done;
  }

  private static EdgeCache.PrewarmResult run(
      GatewayRuntime runtime, EdgeCacheStore store, List<String> paths, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> warmed = new ArrayList<>();
    Map<String, String> failed = new LinkedHashMap<>();
    for (String path : paths) {
      String problem;
      while (true) {
        if (runtime.closing()) {
          problem = "the gateway is stopping";
          break;
        }
        int status;
        try {
          status = get(runtime, path);
        } catch (IOException e) {
          status = -1;
        }
        if (status > 0 && status < 500) {
          problem =
              store.contains(path)
                  ? null
                  : "the answer (status " + status + ") may not be stored by a shared cache";
          break;
        }
        if (System.nanoTime() - deadline > 0) {
          problem =
              status < 0
                  ? "the gateway did not answer within " + timeout
                  : "still status " + status + " after " + timeout;
          break;
        }
        LockSupport.parkNanos(RETRY_NANOS);
      }
      if (problem == null) {
        warmed.add(path);
      } else {
        failed.put(path, problem);
      }
    }
    LOG.info(
        "edge cache pre-warmed {} of {} paths{}",
        warmed.size(),
        paths.size(),
        failed.isEmpty() ? "" : "; not warmed: " + failed);
    return new EdgeCache.PrewarmResult(warmed, failed);
  }

  /** One GET through the gateway's own port; returns the status. */
  private static int get(GatewayRuntime runtime, String path) throws IOException {
    String host = runtime.localHost();
    try (Socket socket = open(runtime, host)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET "
                  + path
                  + " HTTP/1.1\r\nHost: "
                  + host
                  + ":"
                  + runtime.port()
                  + "\r\nUser-Agent: bulwark-prewarm\r\nAccept: */*\r\n"
                  + GatewayRuntime.PREWARM_HEADER
                  + ": "
                  + runtime.prewarmToken()
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      String statusLine = in.readLine();
      if (statusLine == null || statusLine.length() < 12) {
        throw new IOException("no answer");
      }
      int status = Integer.parseInt(statusLine.substring(9, 12));
      // Read the rest so the gateway finishes (and stores) the answer before we look.
      char[] drain = new char[8192];
      while (in.read(drain) >= 0) {
        // discard
      }
      return status;
    } catch (NumberFormatException e) {
      throw new IOException("malformed status line", e);
    }
  }

  private static Socket open(GatewayRuntime runtime, String host) throws IOException {
    InetSocketAddress address = new InetSocketAddress(host, runtime.port());
    if (runtime.tls() == null) {
      Socket socket = new Socket();
      socket.connect(address, 5_000);
      return socket;
    }
    // The gateway's own port: its certificate need not be checked on the loopback hop.
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {new TrustingOwnCertificate()}, null);
      SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket();
      socket.connect(address, 5_000);
      socket.startHandshake();
      return socket;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS to the gateway's own port", e);
    }
  }

  private static final class TrustingOwnCertificate implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
