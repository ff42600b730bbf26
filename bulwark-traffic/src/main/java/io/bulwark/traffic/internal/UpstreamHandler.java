package io.bulwark.traffic.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;

/**
 * Last handler of a pooled upstream connection: hands the one response of the current exchange to
 * its listener, or reports the connection's failure. Runs on the connection's event loop.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  /** Receives the outcome of one request on this connection. */
  interface Listener {
    void onResponse(FullHttpResponse response);

    void onFailure(Throwable cause);
  }

  private final Target target;
  private Listener listener;

  UpstreamHandler(Target target) {
    this.target = target;
  }

  Target target() {
    return target;
  }

  void bind(Listener listener) {
    this.listener = listener;
  }

  /** Detaches the current listener, e.g. on timeout; later events of the exchange are dropped. */
  void unbind() {
    this.listener = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Listener l = listener;
    listener = null;
    if (l != null && msg instanceof FullHttpResponse response) {
      l.onResponse(response);
    } else {
      ReferenceCountUtil.release(msg);
      if (l != null) {
        ctx.close();
        l.onFailure(new IllegalStateException("unexpected upstream message " + msg));
      }
    }
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
