package io.bulwark.bench.gateway;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A Netty HTTP/1.1 keep-alive load generator on one event loop, recording latency in an
 * HdrHistogram. Closed loop: each connection sends its next request as soon as the previous one is
 * answered (maximum throughput). Open loop: requests are due at a constant total rate whether or
 * not earlier ones were answered; latency runs from the time a request was due, so a stalled server
 * is not hidden (no coordinated omission).
 */
public final class LoadClient {
  /** What one run measured; latencies in milliseconds. */
  public record Result(
      long requests, long errors, double seconds, double p50, double p99, double p999) {
    /** Requests answered per second. */
    public double throughput() {
      return requests / seconds;
    }
  }

  private final NettyTransport transport;
  private final ByteBuf request;

  LoadClient(NettyTransport transport) {
    this(transport, "/", Map.of());
  }

  /**
   * A client sending {@code GET path} with {@code headers} on every request (only a 200 answer
   * counts as a success).
   */
  public LoadClient(NettyTransport transport, String path, Map<String, String> headers) {
    this.transport = transport;
    StringBuilder head =
        new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nhost: 127.0.0.1\r\n");
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    this.request =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer()
                .writeBytes(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII)));
  }

  /** Maximum throughput with {@code connections} connections each keeping one request open. */
  public Result closedLoop(int port, int connections, Duration warmup, Duration measure) {
    return run(port, connections, 0, warmup, measure);
  }

  /** Latency at a constant {@code rate} (requests per second) spread over {@code connections}. */
  Result openLoop(int port, int connections, double rate, Duration warmup, Duration measure) {
    return run(port, connections, rate, warmup, measure);
  }

  private Result run(int port, int connections, double rate, Duration warmup, Duration measure) {
    EventLoopGroup group = transport.group(1, "bench-load");
    try {
      EventLoop loop = group.next();
      Run run = new Run(loop, rate, connections, request);
      Bootstrap bootstrap =
          new Bootstrap()
              .group(loop)
              .channel(transport.socketChannel())
              .option(ChannelOption.TCP_NODELAY, true);
      List<Channel> channels = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        Conn conn = new Conn(run, i);
        channels.add(
            bootstrap
                .clone()
                .handler(
                    new ChannelInitializer<Channel>() {
                      @Override
                      protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpResponseDecoder()).addLast(conn);
                      }
                    })
                .connect("127.0.0.1", port)
                .syncUninterruptibly()
                .channel());
      }
      loop.execute(run::begin);
      loop.schedule(run::startRecording, warmup.toNanos(), TimeUnit.NANOSECONDS);
      loop.schedule(run::stop, warmup.plus(measure).toNanos(), TimeUnit.NANOSECONDS);
      Result result = run.done.get(warmup.plus(measure).toSeconds() + 30, TimeUnit.SECONDS);
      channels.forEach(Channel::close);
      return result;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("load run failed", e);
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** State shared by the connections of one run; touched only on its event loop. */
  private static final class Run {
    final EventLoop loop;
    final long periodNanos;
    final int connections;
    final List<Conn> conns = new ArrayList<>();
    final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    final CompletableFuture<Result> done = new CompletableFuture<>();
    boolean recording;
    boolean stopped;
    long recordStart;
    long requests;
    long errors;
    final ByteBuf request;

    Run(EventLoop loop, double rate, int connections, ByteBuf request) {
      this.loop = loop;
      this.request = request;
      this.connections = connections;
      this.periodNanos = rate <= 0 ? 0 : (long) (connections * 1e9 / rate);
    }

    boolean openLoop() {
      return periodNanos > 0;
    }

    void begin() {
      long now = System.nanoTime();
      for (Conn c : conns) {
        c.start(now);
      }
    }

    void startRecording() {
      histogram.reset();
      requests = 0;
      errors = 0;
      recording = true;
      recordStart = System.nanoTime();
    }

    void record(long nanos, boolean ok) {
      if (!recording) {
        return;
      }
      requests++;
      if (!ok) {
        errors++;
      }
      histogram.recordValue(Math.min(nanos, histogram.getHighestTrackableValue()));
    }

    void stop() {
      stopped = true;
      recording = false;
      double seconds = (System.nanoTime() - recordStart) / 1e9;
      done.complete(
          new Result(
              requests,
              errors,
              seconds,
              histogram.getValueAtPercentile(50) / 1e6,
              histogram.getValueAtPercentile(99) / 1e6,
              histogram.getValueAtPercentile(99.9) / 1e6));
    }
  }

  /** One keep-alive connection sending one request at a time. */
  private static final class Conn extends ChannelInboundHandlerAdapter {
    private final Run run;
    private final int index;
    private ChannelHandlerContext ctx;
    private boolean busy;
    private boolean ok;
    private long due;
    private long sentAt;

    Conn(Run run, int index) {
      this.run = run;
      this.index = index;
      run.conns.add(this);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      this.ctx = ctx;
    }

    void start(long now) {
      if (run.openLoop()) {
        due = now + run.periodNanos * index / run.connections;
        schedule(now);
      } else {
        send(now);
      }
    }

    private void schedule(long now) {
      if (run.stopped) {
        return;
      }
      if (due - now <= 0) {
        send(due);
      } else {
        ctx.executor().schedule(() -> send(due), due - now, TimeUnit.NANOSECONDS);
      }
    }

    private void send(long from) {
      if (run.stopped || busy || !ctx.channel().isActive()) {
        return;
      }
      busy = true;
      ok = true;
      sentAt = from;
      ctx.writeAndFlush(run.request.duplicate(), ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof HttpResponse response && response.status().code() != 200) {
          ok = false;
        }
        if (msg instanceof LastHttpContent) {
          long now = System.nanoTime();
          busy = false;
          run.record(now - sentAt, ok);
          if (run.openLoop()) {
            due += run.periodNanos;
            schedule(now);
          } else {
            send(now);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!run.stopped && run.recording) {
        run.errors++;
      }
    }
  }
}
