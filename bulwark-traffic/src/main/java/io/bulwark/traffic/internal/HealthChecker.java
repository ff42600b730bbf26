package io.bulwark.traffic.internal;

import io.bulwark.traffic.HealthCheck;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active health checks: for each target of a pool with a {@link HealthCheck} probed from this
 * gateway's region, an HTTP GET on a fresh connection every interval (the first one right away,
 * then spread by a little jitter so targets are not probed in lock-step). Each target is checked on
 * one fixed event loop.
 */
final class HealthChecker {
  private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

  private final EventLoopGroup group;
  private final Class<? extends SocketChannel> channelType;
  private final Consumer<Target> onTransition;
  private final Optional<String> region;
  private volatile boolean stopped;

  /**
   * @param region the gateway's region: pools whose check regions leave it out are not probed here
   *     (see {@link PeerHealth})
   */
  HealthChecker(
      EventLoopGroup group,
      Class<? extends SocketChannel> channelType,
      Optional<String> region,
      Consumer<Target> onTransition) {
    this.group = group;
    this.channelType = channelType;
    this.region = region;
    this.onTransition = onTransition;
  }

  void watch(Target target) {
    target
        .pool()
        .healthCheck()
        .filter(check -> check.probesFrom(region))
        .ifPresent(
            check -> {
              EventLoop loop = group.next();
              loop.execute(() -> probe(target, check, loop));
            });
  }

  void stop() {
    stopped = true;
  }

  private void probe(Target target, HealthCheck check, EventLoop loop) {
    if (stopped || target.removed() || loop.isShuttingDown()) {
      return;
    }
    long started = System.nanoTime();
    Probe probe = new Probe(target, check, loop, started);
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(channelType)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) check.timeout().toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline().addLast(new HttpClientCodec(), probe);
                  }
                });
    ChannelFuture connect;
    try {
      connect = bootstrap.connect(target.config().host(), target.config().port());
    } catch (RuntimeException e) {
      probe.finish(false, "cannot connect: " + e.getMessage(), null);
      return;
    }
    probe.channel = connect.channel();
    loop.schedule(
        () -> probe.finish(false, "no answer within " + check.timeout(), null),
        check.timeout().toNanos(),
        TimeUnit.NANOSECONDS);
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            probe.finish(false, "cannot connect: " + f.cause().getMessage(), null);
            return;
          }
          DefaultFullHttpRequest request =
              new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, check.path());
          request
              .headers()
              .set(HttpHeaderNames.HOST, target.config().host() + ":" + target.config().port())
              .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
              .set(HttpHeaderNames.USER_AGENT, "bulwark-health-check");
          connect.channel().writeAndFlush(request);
        });
  }

  private final class Probe extends SimpleChannelInboundHandler<HttpObject> {
    private final Target target;
    private final HealthCheck check;
    private final EventLoop loop;
    private final long started;
    private Channel channel;
    private boolean done;

    Probe(Target target, HealthCheck check, EventLoop loop, long started) {
      this.target = target;
      this.check = check;
      this.loop = loop;
      this.started = started;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpResponse response) {
        int status = response.status().code();
        finish(check.accepts(status), "status " + status, ctx.channel());
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      finish(false, "connection failed: " + cause.getMessage(), ctx.channel());
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      finish(false, "connection closed before an answer", ctx.channel());
    }

    void finish(boolean passed, String why, Channel ch) {
      if (done) {
        return;
      }
      done = true;
      Channel toClose = ch != null ? ch : channel;
      if (toClose != null) {
        toClose.close();
      }
      Target.HealthTransition transition = target.recordHealthCheck(passed, check);
      switch (transition) {
        case BECAME_UNHEALTHY -> {
          LOG.warn(
              "target {} in pool {} is unhealthy: {} (GET {})",
              target.id(),
              target.pool().name(),
              why,
              check.path());
          onTransition.accept(target);
        }
        case BECAME_HEALTHY -> {
          LOG.info("target {} in pool {} is healthy again", target.id(), target.pool().name());
          onTransition.accept(target);
        }
        case NONE -> {}
      }
      if (stopped || target.removed() || loop.isShuttingDown()) {
        return;
      }
      long interval = check.interval().toNanos();
      long jitter = ThreadLocalRandom.current().nextLong(Math.max(1, interval / 20));
      long delay = Math.max(0, interval - (System.nanoTime() - started)) + jitter;
      try {
        loop.schedule(() -> probe(target, check, loop), delay, TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        // The gateway is shutting down.
      }
    }
  }
}
