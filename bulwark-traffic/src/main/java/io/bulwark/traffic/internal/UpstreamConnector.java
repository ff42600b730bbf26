package io.bulwark.traffic.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Owns opening upstream connections: HTTP/1.1 to a target, on the event loop of the client
 * connection that needs it, with an {@link UpstreamHandler} that closes it when idle in the pool.
 */
final class UpstreamConnector {

  // Below the 30 s keep-alive of Jetty (Javalin) and the JDK's HttpServer, so the gateway, not
  // the backend, closes an idle pooled connection, and never reuses one the backend is closing.
  private static final long IDLE_UPSTREAM_NANOS = TimeUnit.SECONDS.toNanos(25);
  // Upstream answers come from the gateway's own targets: their header names and values are
  // forwarded as they are, so validating each one again on the way through buys nothing.
  private static final HttpDecoderConfig UPSTREAM_DECODER =
      new HttpDecoderConfig()
          .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false))
          .setTrailersFactory(DefaultHttpHeadersFactory.trailersFactory().withValidation(false));

  private final Bootstrap upstream;

  UpstreamConnector(Transport transport, Duration connectTimeout) {
    this.upstream =
        new Bootstrap()
            .channel(transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis());
  }

  /** Connects to {@code target} on {@code loop}; counts the connection on the target's meters. */
  ChannelFuture connect(Target target, EventLoop loop) {
    TargetMeters meters = target.meters();
    if (meters != null) {
      meters.connected();
    }
    return upstream
        .clone(loop)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(new HttpClientCodec(UPSTREAM_DECODER, false, false))
                    .addLast(new UpstreamHandler(target, IDLE_UPSTREAM_NANOS));
              }
            })
        .connect(target.config().host(), target.config().port());
  }
}
