package io.bulwark.traffic.internal;

import io.bulwark.traffic.Fault;
import io.bulwark.traffic.Fault.Direction;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machinery of {@code FaultProxy}: a Netty TCP relay whose two halves consult the active faults
 * for every chunk of data. Both halves of a connection share one event loop.
 */
public final class FaultRelay {
  private static final Logger LOG = LoggerFactory.getLogger(FaultRelay.class);
  private static final long HIGH_WATER = 4L * 1024 * 1024;

  private final String bindHost;
  private final String upstreamHost;
  private final int upstreamPort;
  private final EventLoopGroup group;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ChannelGroup clients = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Map<Class<? extends Fault>, Fault> faults = new LinkedHashMap<>();
  private volatile Active active = Active.NONE;
  private volatile boolean closed;
  private ServerSocketChannel listener;
  private int port;

  /** An immutable view of the active faults, read once per chunk. */
  private record Active(
      Fault.Latency latency,
      Fault.Bandwidth bandwidth,
      Fault.Timeout timeout,
      Fault.ResetPeer reset,
      boolean down) {
    static final Active NONE = new Active(null, null, null, null, false);
  }

  private FaultRelay(String bindHost, String upstreamHost, int upstreamPort) {
    this.bindHost = bindHost;
    this.upstreamHost = upstreamHost;
    this.upstreamPort = upstreamPort;
    this.group =
        new MultiThreadIoEventLoopGroup(
            1, new DefaultThreadFactory("bulwark-fault-proxy", true), NioIoHandler.newFactory());
  }

  public static FaultRelay start(
      String bindHost, int listenPort, String upstreamHost, int upstreamPort) {
    FaultRelay relay = new FaultRelay(bindHost, upstreamHost, upstreamPort);
    try {
      relay.bind(listenPort);
    } catch (RuntimeException e) {
      relay.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
    LOG.info("fault proxy {}:{} -> {}:{}", bindHost, relay.port, upstreamHost, upstreamPort);
    return relay;
  }

  public synchronized int port() {
    return port;
  }

  public int connections() {
    return clients.size();
  }

  public synchronized List<Fault> faults() {
    return List.copyOf(faults.values());
  }

  public synchronized void add(Fault fault) {
    faults.put(fault.getClass(), fault);
    apply();
    LOG.info("fault proxy :{}: added {}", port, fault);
    switch (fault) {
      case Fault.Down d -> {
        closeListener();
        connections.close().syncUninterruptibly();
      }
      case Fault.ResetPeer r -> {
        for (Channel ch : clients) {
          scheduleReset(ch, r);
        }
      }
      case Fault.Timeout t -> {
        for (Channel ch : clients) {
          scheduleTimeoutClose(ch, t);
        }
      }
      default -> {}
    }
  }

  public synchronized void remove(Class<? extends Fault> kind) {
    Fault removed = faults.remove(kind);
    if (removed != null) {
      apply();
      LOG.info("fault proxy :{}: removed {}", port, removed);
      if (removed instanceof Fault.Down && !closed) {
        bind(port);
      }
    }
  }

  public synchronized void clear() {
    for (Class<? extends Fault> kind : List.copyOf(faults.keySet())) {
      remove(kind);
    }
  }

  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      closeListener();
    }
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  private void apply() {
    active =
        new Active(
            (Fault.Latency) faults.get(Fault.Latency.class),
            (Fault.Bandwidth) faults.get(Fault.Bandwidth.class),
            (Fault.Timeout) faults.get(Fault.Timeout.class),
            (Fault.ResetPeer) faults.get(Fault.ResetPeer.class),
            faults.containsKey(Fault.Down.class));
  }

  /**
   * Listens with a blocking channel and a dedicated accept thread rather than a selector: closing a
   * selector-registered listener releases the port only at the loop's next select, so a client
   * could still connect just after {@link Fault.Down}; this listener stops at once.
   */
  private void bind(int wanted) {
    ServerSocketChannel server;
    try {
      server = ServerSocketChannel.open();
      server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      server.bind(new InetSocketAddress(bindHost, wanted), 1024);
    } catch (IOException e) {
      throw new IllegalStateException("fault proxy cannot bind " + bindHost + ":" + wanted, e);
    }
    listener = server;
    port = ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
    Thread.ofPlatform()
        .daemon()
        .name("bulwark-fault-proxy-accept-" + port)
        .start(() -> acceptLoop(server));
  }

  private void closeListener() {
    if (listener != null) {
      try {
        listener.close();
      } catch (IOException e) {
        LOG.warn("fault proxy :{}: closing the listener failed", port, e);
      }
      listener = null;
    }
  }

  private void acceptLoop(ServerSocketChannel server) {
    while (server.isOpen()) {
      java.nio.channels.SocketChannel socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return; // closed: Down or close()
      }
      NioSocketChannel client = new NioSocketChannel(socket);
      client.config().setAutoRead(false);
      client.config().setTcpNoDelay(true);
      group
          .register(client)
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  accepted(client);
                } else {
                  client.unsafe().closeForcibly();
                }
              });
    }
  }

  private void accepted(Channel client) {
    Active now = active;
    if (now.down || closed) {
      client.close();
      return;
    }
    connections.add(client);
    clients.add(client);
    Half clientHalf = new Half(Direction.UPSTREAM);
    client.pipeline().addLast(clientHalf);
    Bootstrap b =
        new Bootstrap()
            .group(client.eventLoop())
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.AUTO_READ, false)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000);
    Half upstreamHalf = new Half(Direction.DOWNSTREAM);
    b.handler(upstreamHalf);
    b.connect(upstreamHost, upstreamPort)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    LOG.debug(
                        "fault proxy :{}: upstream unreachable: {}", port, f.cause().toString());
                    client.close();
                    return;
                  }
                  Channel upstream = f.channel();
                  connections.add(upstream);
                  clientHalf.peer = upstream;
                  upstreamHalf.peer = client;
                  if (!client.isActive()) {
                    upstream.close();
                    return;
                  }
                  client.read();
                  upstream.read();
                  client.config().setAutoRead(true);
                  upstream.config().setAutoRead(true);
                  Active current = active;
                  if (current.reset != null) {
                    scheduleReset(client, current.reset);
                  }
                  if (current.timeout != null) {
                    scheduleTimeoutClose(client, current.timeout);
                  }
                });
  }

  private void scheduleReset(Channel client, Fault.ResetPeer reset) {
    client
        .eventLoop()
        .schedule(
            () -> {
              if (active.reset != null && client.isActive()) {
                Half half = client.pipeline().get(Half.class);
                client.config().setOption(ChannelOption.SO_LINGER, 0);
                client.close();
                if (half != null && half.peer != null) {
                  half.peer.config().setOption(ChannelOption.SO_LINGER, 0);
                  half.peer.close();
                }
              }
            },
            reset.after().toNanos(),
            TimeUnit.NANOSECONDS);
  }

  private void scheduleTimeoutClose(Channel client, Fault.Timeout timeout) {
    if (timeout.closeAfter().isZero()) {
      return;
    }
    client
        .eventLoop()
        .schedule(
            () -> {
              if (active.timeout != null) {
                client.close();
              }
            },
            timeout.closeAfter().toNanos(),
            TimeUnit.NANOSECONDS);
  }

  /**
   * Reads one side and writes to the other ({@link #peer}), applying the faults that cover its
   * {@link Direction}. Delayed chunks wait in a queue so their order never changes.
   */
  private final class Half extends ChannelInboundHandlerAdapter {
    private final Direction flow;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Channel self;
    private Channel peer;
    private long queuedBytes;
    private long lastDue;
    private long bandwidthFree;
    private boolean closeWhenDrained;

    private record Pending(ByteBuf data, long due) {}

    Half(Direction flow) {
      this.flow = flow;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      self = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf data) || peer == null) {
        ReferenceCountUtil.release(msg);
        return;
      }
      Active now = active;
      if (now.timeout != null) {
        data.release();
        return;
      }
      long t = System.nanoTime();
      long due = t;
      if (now.latency != null && now.latency.direction().covers(flow)) {
        long delay = now.latency.delay().toNanos();
        long jitter = now.latency.jitter().toNanos();
        if (jitter > 0) {
          delay += ThreadLocalRandom.current().nextLong(-jitter, jitter + 1);
        }
        due += Math.max(0, delay);
      }
      due = Math.max(due, lastDue);
      if (now.bandwidth != null && now.bandwidth.direction().covers(flow)) {
        long rate = now.bandwidth.bytesPerSecond();
        int slice = (int) Math.max(1, Math.min(64 * 1024, rate / 20));
        while (data.isReadable()) {
          int n = Math.min(slice, data.readableBytes());
          ByteBuf piece = data.readRetainedSlice(n);
          long start = Math.max(due, bandwidthFree);
          bandwidthFree = start + n * 1_000_000_000L / rate;
          enqueue(piece, bandwidthFree);
        }
        data.release();
        lastDue = bandwidthFree;
        return;
      }
      lastDue = due;
      if (due <= t && queue.isEmpty()) {
        peer.writeAndFlush(data);
        if (!peer.isWritable()) {
          self.config().setAutoRead(false);
        }
      } else {
        enqueue(data, due);
      }
    }

    private void enqueue(ByteBuf data, long due) {
      queue.add(new Pending(data, due));
      queuedBytes += data.readableBytes();
      if (queuedBytes > HIGH_WATER) {
        self.config().setAutoRead(false);
      }
      self.eventLoop()
          .schedule(this::drainDue, Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void drainDue() {
      long t = System.nanoTime();
      boolean wrote = false;
      Pending p;
      while ((p = queue.peek()) != null && p.due <= t) {
        queue.poll();
        queuedBytes -= p.data.readableBytes();
        if (peer.isActive()) {
          peer.write(p.data);
          wrote = true;
        } else {
          p.data.release();
        }
      }
      if (wrote) {
        peer.flush();
      }
      if (queue.isEmpty() && closeWhenDrained) {
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (queuedBytes < HIGH_WATER / 4 && peer.isWritable() && self.isActive()) {
        self.config().setAutoRead(true);
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      // Our channel drained: let the other side read again.
      if (ctx.channel().isWritable() && peer != null && peer.isActive()) {
        peer.config().setAutoRead(true);
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (peer != null && peer.isActive()) {
        if (queue.isEmpty()) {
          peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else {
          closeWhenDrained = true;
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
