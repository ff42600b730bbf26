package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClientProtocolsTest {
  private final TestBackend backend = TestBackend.start("api-1");
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private FaultProxy link;
  private Gateway gateway;

  @BeforeEach
  void start() {
    link = FaultProxy.start(0, "127.0.0.1", backend.port());
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .adminPort(0)
                .pool(
                    PoolConfig.builder("api")
                        .noHealthCheck()
                        .target(TargetConfig.of("api-1", "127.0.0.1", link.port()))
                        .build())
                .build(),
            registry);
  }

  @AfterEach
  void stop() {
    gateway.close(Duration.ofSeconds(2));
    link.close();
    backend.close();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + gateway.port() + path);
  }

  @Test
  void upgradesAnHttp11ConnectionToHttp2AndServesConcurrentStreamsOnIt() throws Exception {
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_2)
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      HttpResponse<String> first =
          client.send(
              HttpRequest.newBuilder(uri("/orders")).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.body()).isEqualTo("api-1");
      assertThat(first.headers().firstValue("x-request-id")).isPresent();

      List<CompletableFuture<HttpResponse<String>>> concurrent = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        concurrent.add(
            client.sendAsync(
                HttpRequest.newBuilder(uri("/orders/" + i)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      for (var f : concurrent) {
        HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("api-1");
      }
    }
  }

  @Test
  void closingTheGatewayLetsAnInFlightHttp2StreamFinish() throws Exception {
    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        ExecutorService closer = Executors.newSingleThreadExecutor()) {
      HttpResponse<String> first =
          client.send(
              HttpRequest.newBuilder(uri("/warm")).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
      CompletableFuture<HttpResponse<String>> slow =
          client.sendAsync(
              HttpRequest.newBuilder(uri("/slow")).timeout(Duration.ofSeconds(20)).build(),
              HttpResponse.BodyHandlers.ofString());
      await().atMost(Duration.ofSeconds(10)).until(() -> backend.slowStarted() == 1);

      Future<?> closing = closer.submit(() -> gateway.close(Duration.ofSeconds(10)));
      int port = gateway.port();
      await().atMost(Duration.ofSeconds(10)).until(() -> refusesConnections(port));
      assertThat(slow).isNotDone();
      backend.releaseSlow();

      HttpResponse<String> answer = slow.get(10, TimeUnit.SECONDS);
      assertThat(answer.version()).isEqualTo(HttpClient.Version.HTTP_2);
      assertThat(answer.statusCode()).isEqualTo(200);
      assertThat(answer.body()).isEqualTo("api-1");
      closing.get(10, TimeUnit.SECONDS);
    }
  }

  private static boolean refusesConnections(int port) {
    try {
      new Socket("127.0.0.1", port).close();
      return false;
    } catch (IOException refused) {
      return true;
    }
  }

  @Test
  void speaksHttp2WithPriorKnowledge() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      Channel connection =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(Http2FrameCodecBuilder.forClient().build())
                          .addLast(
                              new Http2MultiplexHandler(
                                  new SimpleChannelInboundHandler<>() {
                                    @Override
                                    protected void channelRead0(
                                        ChannelHandlerContext ctx, Object msg) {}
                                  }));
                    }
                  })
              .connect("127.0.0.1", gateway.port())
              .sync()
              .channel();
      CompletableFuture<FullHttpResponse> answer = new CompletableFuture<>();
      Http2StreamChannel stream =
          new Http2StreamChannelBootstrap(connection)
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                          .addLast(new HttpObjectAggregator(1 << 20))
                          .addLast(
                              new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override
                                protected void channelRead0(
                                    ChannelHandlerContext ctx, FullHttpResponse msg) {
                                  answer.complete(msg.retainedDuplicate());
                                }
                              });
                    }
                  })
              .open()
              .sync()
              .getNow();
      DefaultFullHttpRequest request =
          new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/orders");
      request.headers().set(HttpHeaderNames.HOST, "127.0.0.1");
      request.headers().set("x-http2-scheme", "http");
      stream.writeAndFlush(request).sync();

      FullHttpResponse response = answer.get(10, TimeUnit.SECONDS);
      try {
        assertThat(response.status().code()).isEqualTo(200);
        assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo("api-1");
        assertThat(response.headers().get("x-request-id")).isNotBlank();
      } finally {
        response.release();
      }
      connection.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
  }

  @Test
  void keepsAnHttp11ClientConnectionAliveAcrossRequests() throws Exception {
    try (RawConnection connection = new RawConnection(gateway.port())) {
      for (int i = 0; i < 3; i++) {
        RawConnection.Answer answer = connection.get("/orders/" + i);

        assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 200 OK");
        assertThat(answer.body()).isEqualTo("api-1");
        assertThat(answer.keepsConnection()).isTrue();
      }
    }
  }

  @Test
  void answersExpectContinueItselfAndForwardsOnlyTheFinalAnswer() throws Exception {
    try (RawConnection connection = new RawConnection(gateway.port())) {
      connection.sendRaw(
          "POST /orders HTTP/1.1\r\nHost: gateway\r\nContent-Length: 5\r\n"
              + "Expect: 100-continue\r\n\r\n");
      RawConnection.Answer interim = connection.read();
      connection.sendRaw("hello");
      RawConnection.Answer answer = connection.read();

      assertThat(interim.statusLine()).isEqualTo("HTTP/1.1 100 Continue");
      assertThat(answer.statusLine()).isEqualTo("HTTP/1.1 200 OK");
      assertThat(answer.body()).isEqualTo("api-1");
      assertThat(connection.get("/orders").body()).isEqualTo("api-1");
    }
  }

  @Test
  void reusesOnePooledUpstreamConnectionForSequentialRequests() {
    for (int i = 0; i < 50; i++) {
      assertThat(Http.get(gateway.port(), "/orders").statusCode()).isEqualTo(200);
    }

    assertThat(link.connections()).isEqualTo(1);
    assertThat(
            registry
                .get("bulwark.gateway.upstream.connects")
                .tags("pool", "api", "target", "api-1")
                .counter()
                .count())
        .isEqualTo(1);
  }

  @Test
  void servesPrometheusMetricsLabelledByPoolTargetAndStatusOnTheAdminPort() {
    Http.get(gateway.port(), "/orders");

    HttpResponse<String> metrics = Http.get(gateway.adminPort(), "/metrics");

    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
    assertThat(metrics.body())
        .contains(
            "bulwark_gateway_requests_seconds_count{pool=\"api\",status=\"2xx\",target=\"api-1\"} 1",
            "bulwark_gateway_target_healthy{pool=\"api\",target=\"api-1\"} 1",
            "bulwark_gateway_pool_weight{pool=\"api\"} 1");
  }
}
