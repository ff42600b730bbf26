package io.bulwark.bench.gateway;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The fast backend every contender proxies: HTTP/1.1 keep-alive, answers any request with a fixed
 * 13-byte body written as pre-encoded bytes, flushing once per read batch.
 */
final class BenchBackend implements AutoCloseable {
  private static final byte[] RESPONSE =
      ("HTTP/1.1 200 OK\r\n"
              + "content-type: text/plain\r\n"
              + "content-length: 13\r\n"
              + "\r\n"
              + "hello, world\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final EventLoopGroup group;
  private final Channel server;

  BenchBackend(NettyTransport transport, int threads) {
    this.group = transport.group(threads, "bench-backend");
    ByteBuf response = Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(RESPONSE));
    this.server =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpRequestDecoder())
                        .addLast(
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                if (msg instanceof LastHttpContent) {
                                  ctx.write(response.duplicate());
                                } else if (!(msg instanceof HttpRequest)) {
                                  ctx.close();
                                }
                                ReferenceCountUtil.release(msg);
                              }

                              @Override
                              public void channelReadComplete(ChannelHandlerContext ctx) {
                                ctx.flush();
                              }

                              @Override
                              public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
                                ctx.close();
                              }
                            });
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
