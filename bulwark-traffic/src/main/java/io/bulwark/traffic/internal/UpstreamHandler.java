package io.bulwark.traffic.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;

/**
 * Last handler of a pooled upstream connection: streams the one answer of the current exchange to
 * its listener (head, then body chunks up to the last one), skipping interim 1xx answers, or
 * reports the connection's failure. Runs on the connection's event loop.
 *
 * <p>One watchdog per connection enforces both the bound listener's deadline and the idle limit of
 * a pooled connection. It is re-armed lazily when it fires, not scheduled and cancelled per
 * request: a busy connection schedules about one task per timeout period instead of one per
 * request.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  /** Receives the outcome of one request on this connection. */
  interface Listener {
    /** The head of the final answer. */
    void onHead(HttpResponse head);

    /** A chunk of its body; a {@link LastHttpContent} ends it, and the listener is unbound. */
    void onContent(HttpContent content);

    void onFailure(Throwable cause);

    /** The deadline given to {@link #bind} passed first; the listener is unbound. */
    void onTimeout();
  }

  private final Target target;
  private final long idleLimitNanos;
  private ChannelHandlerContext ctx;
  private Listener listener;
  private boolean skippingInterim;
  private long deadline;
  private long idleSince = System.nanoTime();
  private ScheduledFuture<?> watchdog;
  private long watchdogAt;

  UpstreamHandler(Target target, long idleLimitNanos) {
    this.target = target;
    this.idleLimitNanos = idleLimitNanos;
  }

  Target target() {
    return target;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  /** Binds the next exchange; it fails with {@link Listener#onTimeout} after {@code nanos}. */
  void bind(Listener listener, long nanos) {
    this.listener = listener;
    this.skippingInterim = false;
    this.deadline = System.nanoTime() + nanos;
    arm(deadline);
  }

  /** Detaches the current listener; later events of the exchange are dropped. */
  void unbind() {
    this.listener = null;
    this.idleSince = System.nanoTime();
  }

  private void arm(long at) {
    if (watchdog != null) {
      if (at - watchdogAt >= 0) {
        return;
      }
      watchdog.cancel(false);
    }
    watchdogAt = at;
    watchdog =
        ctx.executor()
            .schedule(this::check, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void check() {
    watchdog = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    long now = System.nanoTime();
    Listener l = listener;
    if (l != null) {
      if (now - deadline >= 0) {
        listener = null;
        l.onTimeout();
      } else {
        arm(deadline);
      }
    } else if (now - idleSince >= idleLimitNanos) {
      ctx.close();
    } else {
      arm(idleSince + idleLimitNanos);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (listener == null) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpResponse head) {
      int status = head.status().code();
      if (status >= 100 && status < 200) {
        skippingInterim = true;
      } else {
        listener.onHead(head);
      }
    }
    if (!(msg instanceof HttpContent content)) {
      if (!(msg instanceof HttpResponse)) {
        ReferenceCountUtil.release(msg);
        Listener l = listener;
        listener = null;
        ctx.close();
        l.onFailure(new IllegalStateException("unexpected upstream message " + msg));
      }
      return;
    }
    boolean last = content instanceof LastHttpContent;
    Listener l = listener;
    if (skippingInterim || l == null) {
      content.release();
      if (last) {
        skippingInterim = false;
      }
      return;
    }
    if (last) {
      unbind();
    }
    l.onContent(content);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Listener l = listener;
    listener = null;
    ctx.close();
    if (l != null) {
      l.onFailure(cause);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (watchdog != null) {
      watchdog.cancel(false);
      watchdog = null;
    }
    target.forgetIdle(ctx.channel().eventLoop(), ctx.channel());
    Listener l = listener;
    listener = null;
    if (l != null) {
      l.onFailure(new ClosedChannelException());
    }
  }
}
