package io.bulwark.traffic.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.function.Supplier;

/**
 * The socket transport: Linux epoll when its native library loads (fewer copies and system calls,
 * edge-triggered), else the JDK's NIO. Set {@code -Dbulwark.gateway.transport=nio} to force NIO.
 */
record Transport(
    String name,
    Supplier<IoHandlerFactory> ioHandler,
    Class<? extends ServerChannel> serverChannel,
    Class<? extends SocketChannel> socketChannel) {

  static final Transport NIO =
      new Transport(
          "nio", NioIoHandler::newFactory, NioServerSocketChannel.class, NioSocketChannel.class);

  /** Epoll when available and not disabled, else NIO. */
  static Transport best() {
    if (!"nio".equals(System.getProperty("bulwark.gateway.transport")) && Epoll.isAvailable()) {
      return new Transport(
          "epoll",
          EpollIoHandler::newFactory,
          EpollServerSocketChannel.class,
          EpollSocketChannel.class);
    }
    return NIO;
  }

  EventLoopGroup group(int threads, String threadName) {
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory(threadName, true), ioHandler.get());
  }
}
