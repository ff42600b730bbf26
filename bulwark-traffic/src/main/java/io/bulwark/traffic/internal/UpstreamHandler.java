package io.bulwark.traffic.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;

/**
 * Last handler of a pooled upstream connection: streams the one answer of the current exchange to
 * its listener (head, then body chunks up to the last one), skipping interim 1xx answers, or
 * reports the connection's failure. Runs on the connection's event loop.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  /** Receives the outcome of one request on this connection. */
  interface Listener {
    /** The head of the final answer. */
    void onHead(HttpResponse head);

    /** A chunk of its body; a {@link LastHttpContent} ends it, and the listener is unbound. */
    void onContent(HttpContent content);

    void onFailure(Throwable cause);
  }

  private final Target target;
  private Listener listener;
  private boolean skippingInterim;

  UpstreamHandler(Target target) {
    this.target = target;
  }

  Target target() {
    return target;
  }

  void bind(Listener listener) {
    this.listener = listener;
    this.skippingInterim = false;
  }

  /** Detaches the current listener, e.g. on timeout; later events of the exchange are dropped. */
  void unbind() {
    this.listener = null;
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
      listener = null;
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
    target.forgetIdle(ctx.channel().eventLoop(), ctx.channel());
    Listener l = listener;
    listener = null;
    if (l != null) {
      l.onFailure(new ClosedChannelException());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && listener == null) {
      ctx.close();
    }
    ReferenceCountUtil.release(evt);
  }
}
