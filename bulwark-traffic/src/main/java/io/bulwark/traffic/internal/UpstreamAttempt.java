package io.bulwark.traffic.internal;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.TimeoutException;

/**
 * Owns one try of an {@link Exchange} on one target: sending the request on an upstream connection,
 * the target's health and meters for the answer, handing a retryable status or a failure back to
 * the exchange for another try, and returning a reusable connection to the target's idle pool once
 * the answer has ended. Runs on the client connection's event loop, which the upstream connection
 * shares.
 */
final class UpstreamAttempt implements UpstreamHandler.Listener {

  private final Exchange exchange;
  private final Target t;
  private final long attemptStart = System.nanoTime();
  private Channel upstream;
  private UpstreamHandler handler;
  private boolean reusable;
  private boolean over;

  UpstreamAttempt(Exchange exchange, Target t) {
    this.exchange = exchange;
    this.t = t;
  }

  /** Sends the exchange's request on {@code ch}, a connection to this attempt's target. */
  void send(Channel ch) {
    upstream = ch;
    handler = ch.pipeline().get(UpstreamHandler.class);
    handler.bind(this, exchange.route().timeout().toNanos());
    // The same headers for every attempt (the encoder only reads them); the body is a view
    // of its own, since encoding consumes it. A failed write reaches
    // UpstreamHandler.exceptionCaught, which fails this attempt.
    FullHttpRequest request = exchange.request();
    FullHttpRequest copy =
        new DefaultFullHttpRequest(
            request.protocolVersion(),
            request.method(),
            request.uri(),
            request.content().retainedDuplicate(),
            request.headers(),
            request.trailingHeaders());
    ch.writeAndFlush(copy, ch.voidPromise());
  }

  @Override
  public void onTimeout() {
    failed("timeout", new TimeoutException("no answer within " + exchange.route().timeout()), true);
  }

  @Override
  public void onHead(HttpResponse response) {
    if (over) {
      return;
    }
    int status = response.status().code();
    reusable = HttpUtil.isKeepAlive(response);
    TargetMeters meters = t.meters();
    if (meters != null) {
      meters.answered(status, System.nanoTime() - attemptStart);
    }
    if (status >= 500) {
      t.recordFailure(System.nanoTime());
      if (exchange.route().retryOnStatuses().contains(status)) {
        exchange.failedWith("status " + status + " from " + t.id());
        if (meters != null) {
          meters.error("status");
        }
        if (exchange.mayRetry(true)) {
          // The body is not worth reading: drop the connection and try another target.
          over = true;
          handler.unbind();
          upstream.close();
          t.end();
          exchange.attempt();
          return;
        }
      }
    } else {
      t.recordSuccess();
    }
    if (exchange.confirmsStored(response)) {
      // The stored answer still holds: serve it once this (bodyless) answer has ended.
      return;
    }
    exchange.streamFrom(this, response, t);
  }

  @Override
  public void onContent(HttpContent content) {
    if (over) {
      content.release();
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (last) {
      over = true;
      exchange.streamEnded();
      t.end();
      if (reusable && upstream.isActive()) {
        t.offerIdle(upstream.eventLoop(), upstream);
      } else {
        upstream.close();
      }
    }
    if (exchange.awaitingConfirmation()) {
      content.release();
      if (last) {
        exchange.serveConfirmed();
      }
      return;
    }
    exchange.forward(content, last, t, upstream);
  }

  /** The client went away while this attempt's answer was streaming. */
  void clientGone() {
    if (over) {
      return;
    }
    over = true;
    handler.unbind();
    upstream.close();
    t.end();
    exchange.abandoned();
  }

  @Override
  public void onFailure(Throwable cause) {
    failed("reset", cause, true);
  }

  /**
   * The attempt failed for {@code reason} ({@code sent} false when the request never left): retry,
   * or answer 502/504, or break off the answer already streaming.
   */
  void failed(String reason, Throwable cause, boolean sent) {
    if (over) {
      return;
    }
    over = true;
    if (handler != null) {
      handler.unbind();
    }
    if (upstream != null) {
      upstream.close();
    }
    t.end();
    t.recordFailure(System.nanoTime());
    TargetMeters meters = t.meters();
    if (meters != null) {
      meters.error(reason);
    }
    exchange.failedWith(reason + " on " + t.id() + ": " + describe(cause));
    if (exchange.streaming(this)) {
      exchange.streamEnded();
      exchange.abortStream(t);
    } else if (exchange.mayRetry(sent)) {
      exchange.attempt();
    } else if (reason.equals("timeout")) {
      exchange.localError(504, "Upstream timeout", exchange.lastError());
    } else {
      exchange.localError(502, "Bad gateway", exchange.lastError());
    }
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}
