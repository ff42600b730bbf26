package io.bulwark.traffic.internal;

import io.bulwark.traffic.RouteConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Proxies the requests of one client connection, one at a time (pipelined requests wait in order).
 * This class owns the connection: its requests arrive whole through a {@link RequestAssembler},
 * queue behind the one in progress, and are admitted in turn (request id, headers for the upstream
 * hop, route, bot protection, edge cache) before an {@link Exchange} proxies each one, retrying on
 * other targets through {@link UpstreamAttempt}s; it also closes the connection when idle or when
 * the gateway shuts down. Runs on the client connection's event loop; upstream connections use the
 * same loop, so no locking is needed here or in the parts it drives.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter {

  private static final long IDLE_NANOS =
      TimeUnit.SECONDS.toNanos(ClientProtocols.IDLE_CLIENT_SECONDS);

  private final GatewayRuntime runtime;
  private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private RequestAssembler assembler;
  private Exchange current;
  private InetAddress clientAddress;
  private String clientText = "-";
  private AsciiString clientHost = AsciiString.cached("unknown");
  private String clientHostText = "unknown";
  private boolean http2;
  private boolean upgradeChecked;
  // When a request last arrived or finished, for the idle check (HTTP/1.1 connections).
  private long lastActive = System.nanoTime();

  ProxyHandler(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.http2 = ctx.channel() instanceof Http2StreamChannel;
    this.assembler =
        new RequestAssembler(ctx, runtime, () -> lastActive = System.nanoTime(), this::accept);
    rememberClient(ctx.channel());
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    rememberClient(ctx.channel());
    ctx.fireChannelActive();
  }

  private void rememberClient(Channel channel) {
    if (clientAddress == null && channel.remoteAddress() instanceof InetSocketAddress remote) {
      clientAddress = remote.getAddress();
      clientHostText = remote.getAddress().getHostAddress();
      clientHost = new AsciiString(clientHostText);
      clientText = clientHost + ":" + remote.getPort();
    }
  }

  ChannelHandlerContext ctx() {
    return ctx;
  }

  GatewayRuntime runtime() {
    return runtime;
  }

  boolean http2() {
    return http2;
  }

  InetAddress clientAddress() {
    return clientAddress;
  }

  /** The client's address and port, for the access log. */
  String clientText() {
    return clientText;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest head) {
      dropUpgradeHandler();
      if (msg instanceof FullHttpRequest full) {
        accept(full);
      } else {
        assembler.head(head);
      }
    } else if (msg instanceof HttpContent content) {
      try {
        assembler.chunk(content);
      } finally {
        content.release();
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  /**
   * The connection's first request was plain HTTP/1.1: cleartext upgrades to HTTP/2 happen on the
   * first request (RFC 7540 3.2), so the upgrade handler need not inspect the ones after it; and
   * this handler watches the connection's idleness itself from now on, which costs nothing per
   * read, instead of an IdleStateHandler that every read and write passes through.
   */
  private void dropUpgradeHandler() {
    if (upgradeChecked) {
      return;
    }
    upgradeChecked = true;
    if (http2) {
      return;
    }
    ChannelPipeline pipeline = ctx.pipeline();
    if (pipeline.get(HttpServerUpgradeHandler.class) != null) {
      pipeline.remove(HttpServerUpgradeHandler.class);
    }
    if (pipeline.get(IdleStateHandler.class) != null) {
      pipeline.remove(IdleStateHandler.class);
      armIdleCheck(IDLE_NANOS);
    }
  }

  private void armIdleCheck(long delayNanos) {
    ctx.executor().schedule(this::idleCheck, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** Closes a connection that has had no request for the idle limit; else looks again later. */
  private void idleCheck() {
    if (!ctx.channel().isActive()) {
      return;
    }
    long idle = System.nanoTime() - lastActive;
    if (current == null && !assembler.receiving() && idle >= IDLE_NANOS) {
      ctx.close();
    } else {
      armIdleCheck(Math.max(IDLE_NANOS - idle, TimeUnit.SECONDS.toNanos(1)));
    }
  }

  private void accept(FullHttpRequest request) {
    if (current != null) {
      queued.add(request);
    } else {
      start(request);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && current != null) {
      current.resume();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (current != null) {
      current.clientGone();
    }
    assembler.discard();
    FullHttpRequest r;
    while ((r = queued.poll()) != null) {
      r.release();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent && current == null) {
      ctx.close();
    }
    ReferenceCountUtil.release(evt);
  }

  /** Closes the connection now if no request is in progress (graceful shutdown). */
  void closeIfIdle() {
    if (current == null) {
      ctx.close();
    }
  }

  /** Admits a request and starts proxying it, or answers it here when it may not pass. */
  private void start(FullHttpRequest request) {
    runtime.requestStarted();
    if (!request.decoderResult().isSuccess()) {
      Exchange ex =
          new Exchange(this, request, RequestIds.newRequestId(), false, RouteConfig.defaults());
      current = ex;
      if (request.decoderResult().cause() instanceof TooLongHttpContentException tooLong) {
        ex.localError(413, "Content too large", tooLong.getMessage());
      } else {
        ex.localError(400, "Bad request", "malformed HTTP request: " + request.decoderResult());
      }
      return;
    }
    HttpHeaders headers = request.headers();
    CharSequence requestId = headers.get(RequestIds.REQUEST_ID);
    if (requestId == null || requestId.isEmpty() || requestId.toString().isBlank()) {
      requestId = RequestIds.newRequestId();
      headers.set(RequestIds.REQUEST_ID, requestId);
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    ProxyHeaders.forUpstream(headers, http2, clientHost, runtime.tls() != null);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    String path = pathOf(request.uri());
    RouteConfig route = runtime.router().route(path);
    Exchange ex = new Exchange(this, request, requestId, keepAlive, route);
    Protection protection = runtime.protection();
    if (protection != null && !runtime.prewarming(headers)) {
      Protection.Verdict verdict = protection.check(headers, path, clientAddress, clientHostText);
      if (verdict != null) {
        current = ex;
        ex.refuse(verdict);
        return;
      }
    }
    current = ex;
    if (route.cache()) {
      EdgeCacheStore cache = runtime.cache();
      headers.remove(GatewayRuntime.PREWARM_HEADER);
      if (cache != null && ex.servedFromCache(cache, path)) {
        return;
      }
    }
    if (route.affinity() == RouteConfig.Affinity.INHERIT) {
      ex.stickTo(runtime.router().affinityTarget(headers));
    }
    ex.attempt();
  }

  /** The path of a request target, without its query. */
  static String pathOf(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  /**
   * The exchange in progress has answered; the next queued request starts if the connection stays.
   */
  void finished(boolean keepAlive) {
    current = null;
    lastActive = System.nanoTime();
    runtime.requestFinished();
    if (!keepAlive || !ctx.channel().isActive()) {
      ctx.close();
      return;
    }
    FullHttpRequest next = queued.poll();
    if (next != null) {
      start(next);
    } else if (runtime.closing()) {
      ctx.close();
    }
  }

  /** The exchange in progress ended without a complete answer (the caller closes if it must). */
  void abandoned() {
    current = null;
    runtime.requestFinished();
  }
}
