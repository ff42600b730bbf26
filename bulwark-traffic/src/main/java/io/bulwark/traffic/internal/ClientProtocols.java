package io.bulwark.traffic.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;

/**
 * The client side of a proxy connection. Without TLS every connection starts as HTTP/1.1
 * (keep-alive, pipelining) and may switch to HTTP/2 over cleartext, either with prior knowledge
 * (the client opens with the HTTP/2 preface) or with an {@code Upgrade: h2c} request. With TLS the
 * client picks HTTP/2 or HTTP/1.1 by ALPN during the handshake. {@link ProxyHandler} gathers each
 * request's body itself, with a {@link RequestAssembler} (no aggregator in the pipeline). On HTTP/2
 * each stream becomes a child channel with its own {@link ProxyHandler}, so requests of one
 * connection are proxied concurrently; upstream connections stay HTTP/1.1 and pooled.
 */
final class ClientProtocols {
  // Reader idleness only: watching writes too would hang a listener on every write.
  static final int IDLE_CLIENT_SECONDS = 120;
  private static final String PROXY = "http-proxy";
  private static final int MAX_CONCURRENT_STREAMS = 256;

  private ClientProtocols() {}

  /** Sets up a freshly accepted client connection. */
  static void configure(ChannelPipeline pipeline, GatewayRuntime runtime) {
    SslContext tls = runtime.tls();
    if (tls != null) {
      pipeline
          .addLast(new IdleStateHandler(IDLE_CLIENT_SECONDS, 0, 0))
          .addLast(tls.newHandler(pipeline.channel().alloc()))
          .addLast(
              new ApplicationProtocolNegotiationHandler(ApplicationProtocolNames.HTTP_1_1) {
                @Override
                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                  if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                    ctx.pipeline()
                        .addLast(http2Codec())
                        .addLast(multiplex(runtime))
                        .addLast(new Http2Connection());
                  } else {
                    ctx.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(PROXY, new ProxyHandler(runtime));
                  }
                }
              });
      return;
    }
    int maxBody = runtime.maxBodyBytes();
    HttpServerCodec http1 = new HttpServerCodec();
    HttpServerUpgradeHandler upgrade =
        new HttpServerUpgradeHandler(
            http1,
            protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                    ? new Http2ServerUpgradeCodec(
                        http2Codec(), multiplex(runtime), new Http2Connection())
                    : null,
            maxBody);
    ChannelHandler priorKnowledge =
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline()
                .addLast(http2Codec())
                .addLast(multiplex(runtime))
                .addLast(new Http2Connection());
          }
        };
    pipeline
        .addLast(new IdleStateHandler(IDLE_CLIENT_SECONDS, 0, 0))
        .addLast(new CleartextHttp2ServerUpgradeHandler(http1, upgrade, priorKnowledge))
        .addLast(PROXY, new ProxyHandler(runtime));
  }

  private static Http2FrameCodec http2Codec() {
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(
            Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS))
        // Closing sends GOAWAY and waits for the active streams however long they take; the
        // gateway's own shutdown grace bounds that wait (Netty's default would cut them short).
        .gracefulShutdownTimeoutMillis(-1)
        .build();
  }

  /** Streams of an HTTP/2 connection: each one runs a {@link ProxyHandler}. */
  private static Http2MultiplexHandler multiplex(GatewayRuntime runtime) {
    ChannelHandler streams =
        new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline()
                .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                .addLast(new ProxyHandler(runtime));
          }
        };
    return new Http2MultiplexHandler(streams, streams);
  }

  /**
   * Last handler of a connection that switched to HTTP/2: drops the HTTP/1.1 handlers that no
   * longer see traffic, and closes the connection gracefully (GOAWAY, active streams finish) when
   * it has been idle.
   */
  static final class Http2Connection extends ChannelDuplexHandler {
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      ChannelPipeline p = ctx.pipeline();
      if (p.get(PROXY) != null) {
        p.remove(PROXY);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        ctx.close();
      }
      ReferenceCountUtil.release(evt);
    }
  }
}
