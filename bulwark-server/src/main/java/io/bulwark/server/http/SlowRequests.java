package io.bulwark.server.http;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long a request may take to arrive. Jetty's idle timeout restarts with every byte, so a
 * client sending one header line every few seconds (slowloris) holds a connection forever; this
 * closes a connection whose request headers are not complete {@code headerTimeout} after they
 * began, or whose body has not fully arrived {@code bodyTimeout} after the headers. Every handler
 * reads the body first (the control-character check does), so a request in its body is one still
 * arriving. Checked once a second.
 */
final class SlowRequests implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SlowRequests.class);

  private final Server server;
  private final long headerNanos;
  private final long bodyNanos;
  private final Map<HttpConnection, Watch> watched = new WeakHashMap<>();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("http-slow-requests").daemon().factory());

  /** Where a connection's current request was, and since when. */
  private record Watch(long messagesIn, boolean body, long since) {}

  SlowRequests(Server server, Duration headerTimeout, Duration bodyTimeout) {
    this.server = server;
    this.headerNanos = headerTimeout.toNanos();
    this.bodyNanos = bodyTimeout.toNanos();
  }

  /** Starts checking once a second. */
  SlowRequests start() {
    sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.SECONDS);
    return this;
  }

  void sweep() {
    try {
      long now = System.nanoTime();
      Set<HttpConnection> open =
          java.util.Arrays.stream(server.getConnectors())
              .filter(ServerConnector.class::isInstance)
              .flatMap(c -> ((ServerConnector) c).getConnectedEndPoints().stream())
              .map(EndPoint::getConnection)
              .filter(HttpConnection.class::isInstance)
              .map(HttpConnection.class::cast)
              .collect(Collectors.toSet());
      watched.keySet().retainAll(open);
      for (HttpConnection c : open) {
        HttpParser parser = c.getParser();
        boolean headers = parser.inHeaderState() && !parser.isStart();
        boolean body = parser.inContentState();
        if (!headers && !body) {
          watched.remove(c);
          continue;
        }
        Watch w = watched.get(c);
        if (w == null || w.messagesIn() != c.getMessagesIn() || w.body() != body) {
          watched.put(c, new Watch(c.getMessagesIn(), body, now));
        } else if (now - w.since() > (body ? bodyNanos : headerNanos)) {
          log.warn(
              "closing the connection from {}: its request {} did not arrive in time",
              c.getEndPoint().getRemoteSocketAddress(),
              body ? "body" : "headers");
          watched.remove(c);
          c.getEndPoint().close();
        }
      }
    } catch (RuntimeException e) {
      log.warn("checking for slow requests failed; trying again in a second", e);
    }
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
