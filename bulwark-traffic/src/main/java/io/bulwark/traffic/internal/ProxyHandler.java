package io.bulwark.traffic.internal;

import io.bulwark.kernel.ProblemDocument;
import io.bulwark.traffic.RouteConfig;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Proxies the requests of one client connection, one at a time (pipelined requests wait in order).
 * For each request: choose a target, send on a pooled upstream connection, and on a connection
 * failure, reset, timeout or retryable status retry a safe request on another target. The request
 * is buffered (so it can be retried; this handler gathers its body itself, answering {@code Expect:
 * 100-continue} and refusing bodies over the limit with 413); the answer streams to the client as
 * it arrives, and a failure after its head was sent closes the client connection (or resets the
 * HTTP/2 stream). Runs on the client connection's event loop; upstream connections use the same
 * loop, so no locking is needed here.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter {

  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(
          HttpMethod.GET,
          HttpMethod.HEAD,
          HttpMethod.PUT,
          HttpMethod.DELETE,
          HttpMethod.OPTIONS,
          HttpMethod.TRACE);
  // AsciiString names cache their hash, so the many lookups below cost no re-hashing per request.
  private static final List<AsciiString> HOP_BY_HOP =
      List.of(
          HttpHeaderNames.CONNECTION,
          AsciiString.cached("keep-alive"), // Netty deprecates these names, RFC 9110 7.6.1 not
          AsciiString.cached("proxy-connection"),
          HttpHeaderNames.PROXY_AUTHENTICATE,
          HttpHeaderNames.PROXY_AUTHORIZATION,
          HttpHeaderNames.TE,
          HttpHeaderNames.TRAILER,
          HttpHeaderNames.TRANSFER_ENCODING,
          HttpHeaderNames.UPGRADE);
  private static final List<AsciiString> HTTP2_EXTENSIONS =
      Arrays.stream(HttpConversionUtil.ExtensionHeaderNames.values())
          .map(HttpConversionUtil.ExtensionHeaderNames::text)
          .toList();
  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  private static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("idempotency-key");
  private static final AsciiString HTTP = AsciiString.cached("http");
  private static final AsciiString HTTPS = AsciiString.cached("https");
  private static final int SMALL_RESPONSE = 16 * 1024;
  // RFC 9110 15.1: statuses a cache may reuse without explicit freshness information.
  static final Set<Integer> HEURISTICALLY_CACHEABLE =
      Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501);
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  static final AsciiString REQUEST_ID = AsciiString.cached("x-request-id");
  private static final AsciiString X_CACHE = AsciiString.cached("x-cache");

  private final GatewayRuntime runtime;
  private final ArrayDeque<FullHttpRequest> queued = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Exchange current;
  private InetAddress clientAddress;
  private String clientText = "-";
  private AsciiString clientHost = AsciiString.cached("unknown");
  private String clientHostText = "unknown";
  private boolean http2;
  // The request whose body is arriving, and the body so far (null while it has none).
  private HttpRequest pendingHead;
  private CompositeByteBuf pendingBody;
  // Set after a request was refused mid-body: its remaining chunks are dropped.
  private boolean discarding;
  private boolean upgradeChecked;
  // When a request last arrived or finished, for the idle check (HTTP/1.1 connections).
  private long lastActive = System.nanoTime();
  private static final long IDLE_NANOS =
      TimeUnit.SECONDS.toNanos(ClientProtocols.IDLE_CLIENT_SECONDS);

  ProxyHandler(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.http2 = ctx.channel() instanceof Http2StreamChannel;
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

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest head) {
      dropUpgradeHandler();
      if (msg instanceof FullHttpRequest full) {
        accept(full);
      } else if (!head.decoderResult().isSuccess()) {
        discarding = true;
        accept(fullRequest(head, Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE));
      } else {
        begin(head);
      }
    } else if (msg instanceof HttpContent content) {
      try {
        bodyChunk(content);
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
    if (current == null && pendingHead == null && idle >= IDLE_NANOS) {
      ctx.close();
    } else {
      armIdleCheck(Math.max(IDLE_NANOS - idle, TimeUnit.SECONDS.toNanos(1)));
    }
  }

  /** The head of a request whose body follows in chunks. */
  private void begin(HttpRequest head) {
    discarding = false;
    lastActive = System.nanoTime();
    long length = contentLength(head);
    if (length > runtime.maxBodyBytes()) {
      refuseTooLarge(head, "request body of " + length + " bytes");
      return;
    }
    if (HttpUtil.is100ContinueExpected(head)) {
      head.headers().remove(HttpHeaderNames.EXPECT);
      ctx.writeAndFlush(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER),
          ctx.voidPromise());
    }
    pendingHead = head;
  }

  private static long contentLength(HttpRequest head) {
    try {
      return HttpUtil.getContentLength(head, -1L);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private void bodyChunk(HttpContent content) {
    HttpRequest head = pendingHead;
    if (head == null) {
      // After a refused request, or a stray chunk: nothing to attach it to.
      return;
    }
    ByteBuf bytes = content.content();
    if (bytes.isReadable()) {
      lastActive = System.nanoTime();
      CompositeByteBuf body = pendingBody;
      int size = body == null ? 0 : body.readableBytes();
      if ((long) size + bytes.readableBytes() > runtime.maxBodyBytes()) {
        pendingHead = null;
        releasePendingBody();
        refuseTooLarge(head, "request body over " + runtime.maxBodyBytes() + " bytes");
        return;
      }
      if (body == null) {
        body = ctx.alloc().compositeBuffer(64);
        pendingBody = body;
      }
      body.addComponent(true, bytes.retain());
    }
    if (content instanceof LastHttpContent last) {
      pendingHead = null;
      ByteBuf body = pendingBody == null ? Unpooled.EMPTY_BUFFER : pendingBody;
      pendingBody = null;
      if (body.isReadable() || HttpUtil.isTransferEncodingChunked(head)) {
        // The body goes upstream whole, so it is framed by its length, not in chunks.
        HttpHeaders headers = head.headers();
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
      }
      FullHttpRequest full = fullRequest(head, body, last.trailingHeaders());
      if (!last.decoderResult().isSuccess()) {
        full.setDecoderResult(last.decoderResult());
      }
      accept(full);
    }
  }

  private static FullHttpRequest fullRequest(HttpRequest head, ByteBuf body, HttpHeaders trailers) {
    // Shares the decoded headers: nothing is copied to make the request whole.
    FullHttpRequest full =
        new DefaultFullHttpRequest(
            head.protocolVersion(), head.method(), head.uri(), body, head.headers(), trailers);
    full.setDecoderResult(head.decoderResult());
    return full;
  }

  /** Answers 413 in turn (after any request ahead of it) and closes the connection after it. */
  private void refuseTooLarge(HttpRequest head, String what) {
    discarding = true;
    FullHttpRequest marker = fullRequest(head, Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
    marker.setDecoderResult(
        DecoderResult.failure(
            new TooLongHttpContentException(
                what + " exceeds the limit of " + runtime.maxBodyBytes() + " bytes")));
    accept(marker);
  }

  private void releasePendingBody() {
    if (pendingBody != null) {
      pendingBody.release();
      pendingBody = null;
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
    if (current != null && current.streaming != null) {
      current.streaming.clientGone();
    }
    pendingHead = null;
    releasePendingBody();
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

  private void start(FullHttpRequest request) {
    runtime.requestStarted();
    if (!request.decoderResult().isSuccess()) {
      Exchange ex = new Exchange(request, newRequestId(), false, RouteConfig.defaults());
      current = ex;
      if (request.decoderResult().cause() instanceof TooLongHttpContentException tooLong) {
        ex.localError(413, "Content too large", tooLong.getMessage());
      } else {
        ex.localError(400, "Bad request", "malformed HTTP request: " + request.decoderResult());
      }
      return;
    }
    HttpHeaders headers = request.headers();
    CharSequence requestId = headers.get(REQUEST_ID);
    if (requestId == null || requestId.isEmpty() || requestId.toString().isBlank()) {
      requestId = newRequestId();
      headers.set(REQUEST_ID, requestId);
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    stripHopByHop(headers);
    if (http2) {
      for (AsciiString name : HTTP2_EXTENSIONS) {
        headers.remove(name);
      }
    }
    String forwarded = headers.get(X_FORWARDED_FOR);
    headers.set(X_FORWARDED_FOR, forwarded == null ? clientHost : forwarded + ", " + clientHost);
    headers.set(X_FORWARDED_PROTO, runtime.tls() == null ? HTTP : HTTPS);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    String path = pathOf(request.uri());
    RouteConfig route = runtime.router().route(path);
    Exchange ex = new Exchange(request, requestId, keepAlive, route);
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
      ex.affinityTarget = runtime.router().affinityTarget(headers);
    }
    ex.attempt();
  }

  private static String pathOf(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q);
  }

  private static void stripHopByHop(HttpHeaders headers) {
    String connection = headers.get(HttpHeaderNames.CONNECTION);
    if (connection != null) {
      for (String token : connection.split(",")) {
        String name = token.trim().toLowerCase(Locale.ROOT);
        if (!name.isEmpty() && !name.equals("close") && !name.equals("keep-alive")) {
          headers.remove(name);
        }
      }
    }
    for (AsciiString name : HOP_BY_HOP) {
      headers.remove(name);
    }
  }

  /** A UUIDv7 (time-ordered), formatted straight into ASCII bytes. */
  static AsciiString newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (System.currentTimeMillis() << 16) | (0x7L << 12) | random.nextInt(1 << 12);
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    byte[] out = new byte[36];
    hex(msb >>> 32, out, 0, 8);
    out[8] = '-';
    hex(msb >>> 16, out, 9, 4);
    out[13] = '-';
    hex(msb, out, 14, 4);
    out[18] = '-';
    hex(lsb >>> 48, out, 19, 4);
    out[23] = '-';
    hex(lsb, out, 24, 12);
    return new AsciiString(out, false);
  }

  private static void hex(long value, byte[] out, int offset, int digits) {
    for (int i = offset + digits - 1; i >= offset; i--) {
      out[i] = HEX[(int) (value & 0xF)];
      value >>>= 4;
    }
  }

  private void finished(boolean keepAlive) {
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

  /** One client request across its attempts. */
  private final class Exchange {
    private final FullHttpRequest request;
    private final CharSequence requestId;
    private final boolean keepAlive;
    private final RouteConfig route;
    private final boolean safe;
    private final long startNanos = System.nanoTime();
    // The targets tried so far: empty until the first attempt, a set only once a retry needs one.
    private Set<Target> tried = Set.of();
    private String affinityTarget;
    private int attempts;
    private Target target;
    private String lastError = "-";
    // Set while an upstream answer streams to the client.
    private Attempt streaming;
    private boolean streamKeepAlive;
    private int streamStatus;
    private Channel paused;
    // Edge cache state, on caching routes only (cache null elsewhere).
    private EdgeCacheStore cache;
    private String path;
    private EdgeCacheStore.Entry revalidating;
    private boolean storeAnswer;
    private boolean invalidate;
    private String clientIfNoneMatch;
    private String clientIfModifiedSince;
    private long fetchedAt;
    private HttpHeaders notModified;
    private HttpHeaders answerHeaders;
    private byte[] tee;
    private int teeSize;

    Exchange(
        FullHttpRequest request, CharSequence requestId, boolean keepAlive, RouteConfig route) {
      this.request = request;
      this.requestId = requestId;
      this.keepAlive = keepAlive;
      this.route = route;
      this.safe =
          IDEMPOTENT.contains(request.method()) || request.headers().contains(IDEMPOTENCY_KEY);
    }

    /**
     * Consults the edge cache; true when it answered. Otherwise prepares the fetch: a stale entry
     * is revalidated with its validator, and a GET's answer is collected for storing when the cache
     * may keep it. The client's own conditional headers are answered by the gateway from the entry,
     * so the origin is asked for the full answer.
     */
    boolean servedFromCache(EdgeCacheStore store, String requestPath) {
      cache = store;
      path = requestPath;
      HttpHeaders headers = request.headers();
      EdgeCacheStore.Lookup lookup = store.lookup(request);
      boolean get = request.method().equals(HttpMethod.GET);
      switch (lookup) {
        case EdgeCacheStore.Lookup.Hit hit -> {
          store.countHit();
          serveEntry(hit.entry(), "HIT");
          return true;
        }
        case EdgeCacheStore.Lookup.Bypass bypass -> {
          invalidate = !safeMethod(request.method());
          return false;
        }
        case EdgeCacheStore.Lookup.Stale stale -> {
          if (get) {
            revalidating = stale.entry();
          }
        }
        case EdgeCacheStore.Lookup.Miss miss -> {}
      }
      if (revalidating == null) {
        store.countMiss();
      }
      if (get) {
        storeAnswer = true;
        clientIfNoneMatch = headers.get(HttpHeaderNames.IF_NONE_MATCH);
        clientIfModifiedSince = headers.get(HttpHeaderNames.IF_MODIFIED_SINCE);
        headers.remove(HttpHeaderNames.IF_NONE_MATCH);
        headers.remove(HttpHeaderNames.IF_MODIFIED_SINCE);
        if (revalidating != null) {
          if (revalidating.etag != null) {
            headers.set(HttpHeaderNames.IF_NONE_MATCH, revalidating.etag);
          } else {
            headers.set(HttpHeaderNames.IF_MODIFIED_SINCE, revalidating.lastModified);
          }
        }
        fetchedAt = runtime.clock().millis();
      }
      return false;
    }

    private static boolean safeMethod(HttpMethod method) {
      return method.equals(HttpMethod.GET)
          || method.equals(HttpMethod.HEAD)
          || method.equals(HttpMethod.OPTIONS)
          || method.equals(HttpMethod.TRACE);
    }

    /** Answers from a stored entry, with 304 when the client's validators match it. */
    void serveEntry(EdgeCacheStore.Entry entry, String result) {
      long now = runtime.clock().millis();
      boolean notModifiedForClient = clientHasCurrent(entry);
      boolean bodyless =
          notModifiedForClient
              || request.method().equals(HttpMethod.HEAD)
              || !mayHaveBody(entry.status);
      int status = notModifiedForClient ? 304 : entry.status;
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(status),
              bodyless ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(entry.body));
      HttpHeaders headers = response.headers();
      headers.set(entry.headers);
      headers.setInt(HttpHeaderNames.AGE, (int) Math.min(Integer.MAX_VALUE, entry.age(now)));
      headers.set(X_CACHE, result);
      headers.set(REQUEST_ID, requestId);
      if (notModifiedForClient) {
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
      } else {
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, entry.body.length);
      }
      boolean keep = keepAlive && !runtime.closing();
      HttpUtil.setKeepAlive(response, keep);
      write(response, status, null, keep);
    }

    /** Whether the client's If-None-Match / If-Modified-Since already match {@code entry}. */
    private boolean clientHasCurrent(EdgeCacheStore.Entry entry) {
      String ifNoneMatch =
          storeAnswer ? clientIfNoneMatch : request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
      if (ifNoneMatch != null) {
        if (entry.etag == null) {
          return false;
        }
        String mine = weak(entry.etag);
        for (String tag : ifNoneMatch.split(",")) {
          String t = tag.trim();
          if (t.equals("*") || weak(t).equals(mine)) {
            return true;
          }
        }
        return false;
      }
      String ifModifiedSince =
          storeAnswer
              ? clientIfModifiedSince
              : request.headers().get(HttpHeaderNames.IF_MODIFIED_SINCE);
      if (ifModifiedSince != null && entry.lastModified != null) {
        java.util.Date since = io.netty.handler.codec.DateFormatter.parseHttpDate(ifModifiedSince);
        java.util.Date modified =
            io.netty.handler.codec.DateFormatter.parseHttpDate(entry.lastModified);
        return since != null && modified != null && !modified.after(since);
      }
      return false;
    }

    private static String weak(String etag) {
      return etag.startsWith("W/") ? etag.substring(2) : etag;
    }

    void attempt() {
      long now = System.nanoTime();
      Target t =
          runtime
              .router()
              .select(request.headers(), clientAddress, route, affinityTarget, tried, now);
      if (t == null) {
        runtime.unrouted();
        localError(
            503,
            "No serving target",
            tried.isEmpty()
                ? "no pool has a serving target for this request"
                : "no serving target left after " + attempts + " attempt(s); last: " + lastError);
        return;
      }
      if (attempts > 0) {
        runtime.retried(t.pool());
      }
      attempts++;
      target = t;
      remember(t);
      t.begin();
      Attempt attempt = new Attempt(t);
      Channel channel = ctx.channel();
      Channel idle = t.pollIdle(channel.eventLoop());
      if (idle != null) {
        attempt.send(idle);
      } else {
        runtime
            .connect(t, channel.eventLoop())
            .addListener(
                (ChannelFutureListener)
                    f -> {
                      if (f.isSuccess()) {
                        attempt.send(f.channel());
                      } else {
                        attempt.failed("connect", f.cause(), false);
                      }
                    });
      }
    }

    private void remember(Target t) {
      if (tried.isEmpty()) {
        tried = Set.of(t);
      } else {
        if (tried.size() == 1) {
          Set<Target> set = Collections.newSetFromMap(new IdentityHashMap<>(4));
          set.addAll(tried);
          tried = set;
        }
        tried.add(t);
      }
    }

    boolean canRetry() {
      return attempts <= route.maxRetries();
    }

    /**
     * Sends the head of an upstream answer to the client; its body follows chunk by chunk through
     * {@link #forward}. Without a length the body goes chunked (HTTP/1.1) or as DATA frames.
     */
    void respondHead(HttpResponse response, Target t) {
      HttpHeaders headers = response.headers();
      boolean keep = keepAlive && !runtime.closing();
      boolean lengthKnown = HttpUtil.isContentLengthSet(response);
      stripHopByHop(headers);
      if (route.ttl().isPresent()) {
        applyTtl(response, route.ttl().get());
      }
      if (cache != null) {
        int status = response.status().code();
        if (storeAnswer && cache.storable(request, status, headers)) {
          answerHeaders = headers.copy();
          tee =
              new byte
                  [Math.max(
                      0,
                      Math.min(
                          cache.config().maxEntryBytes(),
                          headers.getInt(HttpHeaderNames.CONTENT_LENGTH, 1024)))];
        } else if (invalidate && status < 400) {
          // A successful unsafe request changes the resource: stored answers are out of date.
          cache.purge(path);
        }
        if (revalidating != null) {
          // Revalidation brought a new answer.
          cache.countMiss();
        }
        headers.set(X_CACHE, storeAnswer ? "MISS" : "BYPASS");
      }
      headers.set(REQUEST_ID, requestId);
      if (runtime.router().affinity().isPresent()
          && route.affinity() == RouteConfig.Affinity.INHERIT
          && !t.id().equals(affinityTarget)) {
        headers.add(HttpHeaderNames.SET_COOKIE, runtime.router().affinityCookie(t));
      }
      response.setProtocolVersion(HttpVersion.HTTP_1_1);
      if (!lengthKnown && mayHaveBody(response.status().code())) {
        HttpUtil.setTransferEncodingChunked(response, true);
      }
      HttpUtil.setKeepAlive(response, keep);
      streamKeepAlive = keep;
      streamStatus = response.status().code();
      ctx.write(response, ctx.voidPromise());
    }

    /** The route's TTL on an answer that states no lifetime of its own (see RouteConfig#ttl). */
    private void applyTtl(HttpResponse response, Duration ttl) {
      HttpMethod method = request.method();
      if ((method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD))
          && HEURISTICALLY_CACHEABLE.contains(response.status().code())
          && !response.headers().contains(HttpHeaderNames.CACHE_CONTROL)) {
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "max-age=" + ttl.toSeconds());
      }
    }

    private boolean mayHaveBody(int status) {
      return !request.method().equals(HttpMethod.HEAD) && status != 204 && status != 304;
    }

    /**
     * Forwards one chunk of the answer's body; after the last one the exchange is over. Pauses
     * reading from {@code upstream} while the client cannot keep up.
     */
    void forward(HttpContent content, boolean last, Target t, Channel upstream) {
      if (tee != null) {
        collect(content.content());
        if (last && tee != null) {
          cache.store(request, streamStatus, answerHeaders, Arrays.copyOf(tee, teeSize), fetchedAt);
          tee = null;
        }
      }
      if (!last) {
        ctx.writeAndFlush(content, ctx.voidPromise());
        if (!ctx.channel().isWritable()) {
          paused = upstream;
          upstream.config().setAutoRead(false);
        }
        return;
      }
      logAccess(streamStatus, t);
      request.release();
      if (streamKeepAlive) {
        // A failed write closes the connection through exceptionCaught; no promise needed.
        ctx.writeAndFlush(content, ctx.voidPromise());
        finished(true);
      } else {
        ctx.writeAndFlush(content).addListener(f -> finished(false));
      }
    }

    /** Keeps a copy of a body chunk for the cache; gives up once the body passes the limit. */
    private void collect(ByteBuf chunk) {
      int n = chunk.readableBytes();
      if (teeSize + n > cache.config().maxEntryBytes()) {
        tee = null;
        return;
      }
      if (teeSize + n > tee.length) {
        tee =
            Arrays.copyOf(
                tee,
                Math.min(cache.config().maxEntryBytes(), Math.max(teeSize + n, tee.length * 2)));
      }
      chunk.getBytes(chunk.readerIndex(), tee, teeSize, n);
      teeSize += n;
    }

    /** The client can take more again: resume reading the upstream answer. */
    void resume() {
      Channel p = paused;
      if (p != null) {
        paused = null;
        p.config().setAutoRead(true);
      }
    }

    /** The answer broke off after its head was sent: the client connection must go. */
    void abortStream(Target t) {
      logAccess(streamStatus, t);
      request.release();
      current = null;
      runtime.requestFinished();
      ctx.close();
    }

    /** Answers a request bot protection stopped. */
    void refuse(Protection.Verdict verdict) {
      switch (verdict) {
        case Protection.Verdict.Denied d ->
            localError(403, "Forbidden", "denied by bot rule \"" + d.rule() + "\"");
        case Protection.Verdict.Limited l -> {
          HttpHeaders extra = new DefaultHttpHeaders();
          extra.setInt(HttpHeaderNames.RETRY_AFTER, (int) Math.min(l.retryAfterSeconds(), 86400));
          localError(
              429,
              "Too many requests",
              String.format(
                  Locale.ROOT,
                  "rate limit \"%s\" (%s requests/s, burst %d) exceeded by this client; retry"
                      + " after %d s",
                  l.limit(),
                  BigDecimal.valueOf(l.ratePerSecond()).stripTrailingZeros().toPlainString(),
                  l.burst(),
                  l.retryAfterSeconds()),
              extra);
        }
        case Protection.Verdict.Challenged c -> challenge(c);
      }
    }

    private void challenge(Protection.Verdict.Challenged c) {
      HttpHeaders extra = new DefaultHttpHeaders();
      extra.set(Protection.CHALLENGE_HEADER, c.nonce());
      extra.setInt(Protection.DIFFICULTY_HEADER, c.difficulty());
      String accept = request.headers().get(HttpHeaderNames.ACCEPT);
      if (accept != null && accept.contains("text/html")) {
        FullHttpResponse page =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.FORBIDDEN,
                Unpooled.copiedBuffer(
                    ChallengePage.render(c, Protection.CHALLENGE_COOKIE), StandardCharsets.UTF_8));
        boolean keep = keepAlive && !runtime.closing();
        page.headers()
            .add(extra)
            .set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
            .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
            .setInt(HttpHeaderNames.CONTENT_LENGTH, page.content().readableBytes())
            .set(REQUEST_ID, requestId);
        HttpUtil.setKeepAlive(page, keep);
        write(page, 403, null, keep);
        return;
      }
      localError(
          403,
          "Challenge required",
          "bot rule \""
              + c.rule()
              + "\" asks for a proof of work: find S such that the SHA-256 of \""
              + c.nonce()
              + ".S\" starts with "
              + c.difficulty()
              + " zero bits, then send \""
              + c.nonce()
              + ".S\" in header "
              + Protection.CHALLENGE_HEADER
              + " or cookie "
              + Protection.CHALLENGE_COOKIE,
          extra);
    }

    void localError(int status, String title, String detail) {
      localError(status, title, detail, null);
    }

    void localError(int status, String title, String detail, HttpHeaders extraHeaders) {
      if (revalidating != null && status >= 502 && status <= 504 && !revalidating.neverStale()) {
        // The origin cannot be reached: a cache may then serve what it has (RFC 9111 4.2.4).
        cache.countStale();
        serveEntry(revalidating, "STALE");
        return;
      }
      ProblemDocument problem =
          new ProblemDocument(
              status,
              "gateway-" + status,
              title,
              detail,
              pathOf(request.uri()),
              requestId.toString(),
              Map.of());
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              HttpResponseStatus.valueOf(status),
              Unpooled.wrappedBuffer(problem.toBytes()));
      boolean keep = keepAlive && !runtime.closing() && status != 400;
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, ProblemDocument.CONTENT_TYPE);
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      response.headers().set(REQUEST_ID, requestId);
      if (extraHeaders != null) {
        response.headers().add(extraHeaders);
      }
      HttpUtil.setKeepAlive(response, keep);
      write(response, status, null, keep);
    }

    private void logAccess(int status, Target t) {
      runtime.accessLog(
          requestId.toString(),
          http2 ? "HTTP/2" : "HTTP/1.1",
          request.method().name(),
          request.uri(),
          status,
          t,
          attempts,
          System.nanoTime() - startNanos,
          clientText,
          lastError);
    }

    private void write(FullHttpResponse response, int status, Target t, boolean keep) {
      logAccess(status, t);
      request.release();
      if (keep && response.content().readableBytes() <= SMALL_RESPONSE) {
        // The common case needs no promise: a small answer leaves in this flush, and a failed
        // write closes the connection through exceptionCaught.
        ctx.writeAndFlush(response, ctx.voidPromise());
        finished(true);
      } else {
        ctx.writeAndFlush(response).addListener(f -> finished(keep && f.isSuccess()));
      }
    }

    /** One try of the exchange on one target. */
    private final class Attempt implements UpstreamHandler.Listener {
      private final Target t;
      private final long attemptStart = System.nanoTime();
      private Channel upstream;
      private UpstreamHandler handler;
      private boolean reusable;
      private boolean over;

      Attempt(Target t) {
        this.t = t;
      }

      void send(Channel ch) {
        upstream = ch;
        handler = ch.pipeline().get(UpstreamHandler.class);
        handler.bind(this, route.timeout().toNanos());
        // The same headers for every attempt (the encoder only reads them); the body is a view
        // of its own, since encoding consumes it. A failed write reaches
        // UpstreamHandler.exceptionCaught, which fails this attempt.
        FullHttpRequest copy =
            new DefaultFullHttpRequest(
                request.protocolVersion(),
                request.method(),
                request.uri(),
                request.content().retainedDuplicate(),
                request.headers(),
                request.trailingHeaders());
        ch.writeAndFlush(copy, ch.voidPromise());
      }

      @Override
      public void onTimeout() {
        failed("timeout", new TimeoutException("no answer within " + route.timeout()), true);
      }

      @Override
      public void onHead(HttpResponse response) {
        if (over) {
          return;
        }
        int status = response.status().code();
        reusable = HttpUtil.isKeepAlive(response);
        TargetMeters meters = t.meters();
        if (meters != null) {
          meters.answered(status, System.nanoTime() - attemptStart);
        }
        if (status >= 500) {
          t.recordFailure(System.nanoTime());
          if (route.retryOnStatuses().contains(status)) {
            lastError = "status " + status + " from " + t.id();
            if (meters != null) {
              meters.error("status");
            }
            if (safe && canRetry()) {
              // The body is not worth reading: drop the connection and try another target.
              over = true;
              handler.unbind();
              upstream.close();
              t.end();
              attempt();
              return;
            }
          }
        } else {
          t.recordSuccess();
        }
        if (revalidating != null && status == 304) {
          // The stored answer still holds: serve it once this (bodyless) answer has ended.
          notModified = response.headers();
          return;
        }
        streaming = this;
        respondHead(response, t);
      }

      @Override
      public void onContent(HttpContent content) {
        if (over) {
          content.release();
          return;
        }
        boolean last = content instanceof LastHttpContent;
        if (last) {
          over = true;
          streaming = null;
          resume();
          t.end();
          if (reusable && upstream.isActive()) {
            t.offerIdle(upstream.eventLoop(), upstream);
          } else {
            upstream.close();
          }
        }
        if (notModified != null) {
          content.release();
          if (last) {
            cache.countRevalidated();
            serveEntry(cache.refresh(revalidating, notModified, fetchedAt), "REVALIDATED");
          }
          return;
        }
        forward(content, last, t, upstream);
      }

      /** The client went away while this attempt's answer was streaming. */
      void clientGone() {
        if (over) {
          return;
        }
        over = true;
        handler.unbind();
        upstream.close();
        t.end();
        streaming = null;
        request.release();
        current = null;
        runtime.requestFinished();
      }

      @Override
      public void onFailure(Throwable cause) {
        failed("reset", cause, true);
      }

      void failed(String reason, Throwable cause, boolean sent) {
        if (over) {
          return;
        }
        over = true;
        if (handler != null) {
          handler.unbind();
        }
        if (upstream != null) {
          upstream.close();
        }
        t.end();
        t.recordFailure(System.nanoTime());
        TargetMeters meters = t.meters();
        if (meters != null) {
          meters.error(reason);
        }
        lastError = reason + " on " + t.id() + ": " + describe(cause);
        if (streaming == this) {
          streaming = null;
          resume();
          abortStream(t);
        } else if ((safe || !sent) && canRetry()) {
          attempt();
        } else if (reason.equals("timeout")) {
          localError(504, "Upstream timeout", lastError);
        } else {
          localError(502, "Bad gateway", lastError);
        }
      }
    }
  }

  private static String describe(Throwable cause) {
    String message = cause.getMessage();
    return message == null ? cause.getClass().getSimpleName() : message;
  }
}
