package io.bulwark.traffic.internal;

import io.bulwark.traffic.RouteConfig;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * Owns one client request across its attempts: choosing a target for each {@link UpstreamAttempt}
 * and deciding whether a failed one is retried, relaying the chosen answer to the client (head,
 * then body chunk by chunk, pausing the upstream while the client cannot keep up), writing the
 * gateway's own answers, and the access log line. On a caching route the edge cache takes part
 * through an {@link ExchangeCache}. Runs on the client connection's event loop.
 */
final class Exchange {

  private static final Set<HttpMethod> IDEMPOTENT =
      Set.of(
          HttpMethod.GET,
          HttpMethod.HEAD,
          HttpMethod.PUT,
          HttpMethod.DELETE,
          HttpMethod.OPTIONS,
          HttpMethod.TRACE);
  private static final AsciiString IDEMPOTENCY_KEY = AsciiString.cached("idempotency-key");
  private static final int SMALL_RESPONSE = 16 * 1024;

  private final ProxyHandler connection;
  private final ChannelHandlerContext ctx;
  private final GatewayRuntime runtime;
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
  private String lastError = "-";
  // Set while an upstream answer streams to the client.
  private UpstreamAttempt streaming;
  private boolean streamKeepAlive;
  private int streamStatus;
  private Channel paused;
  // On caching routes only (null elsewhere).
  private ExchangeCache cache;

  Exchange(
      ProxyHandler connection,
      FullHttpRequest request,
      CharSequence requestId,
      boolean keepAlive,
      RouteConfig route) {
    this.connection = connection;
    this.ctx = connection.ctx();
    this.runtime = connection.runtime();
    this.request = request;
    this.requestId = requestId;
    this.keepAlive = keepAlive;
    this.route = route;
    this.safe =
        IDEMPOTENT.contains(request.method()) || request.headers().contains(IDEMPOTENCY_KEY);
  }

  FullHttpRequest request() {
    return request;
  }

  RouteConfig route() {
    return route;
  }

  /** Sticks the exchange to the target the client's affinity cookie names, when it names one. */
  void stickTo(String target) {
    affinityTarget = target;
  }

  /** Consults the edge cache for {@code path}; true when it answered. */
  boolean servedFromCache(EdgeCacheStore store, String path) {
    cache = new ExchangeCache(store, path, request);
    EdgeCacheStore.Entry hit = cache.lookup(runtime.clock().millis());
    if (hit != null) {
      serveEntry(hit, "HIT");
      return true;
    }
    return false;
  }

  /** Answers from a stored entry; {@code result} goes into X-Cache. */
  void serveEntry(EdgeCacheStore.Entry entry, String result) {
    FullHttpResponse response =
        cache.answerFrom(entry, result, requestId, runtime.clock().millis());
    boolean keep = keepAlive && !runtime.closing();
    HttpUtil.setKeepAlive(response, keep);
    write(response, response.status().code(), null, keep);
  }

  /** Starts the next attempt on a target not tried yet, or answers 503 when none is left. */
  void attempt() {
    long now = System.nanoTime();
    Target t =
        runtime
            .router()
            .select(
                request.headers(), connection.clientAddress(), route, affinityTarget, tried, now);
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
    remember(t);
    t.begin();
    UpstreamAttempt attempt = new UpstreamAttempt(this, t);
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

  /**
   * Whether a failed attempt may be retried: the route's retries are not used up, and the request
   * is safe to repeat or ({@code sent} false) never reached the target.
   */
  boolean mayRetry(boolean sent) {
    return (safe || !sent) && attempts <= route.maxRetries();
  }

  /** Records why the last attempt failed, for the next error answer and the access log. */
  void failedWith(String error) {
    lastError = error;
  }

  String lastError() {
    return lastError;
  }

  /** On a revalidation, whether this upstream answer head is the 304 that confirms the entry. */
  boolean confirmsStored(HttpResponse response) {
    return cache != null && cache.confirmsStored(response.status().code(), response.headers());
  }

  /**
   * Whether the upstream answer in progress is a confirming 304, served from the entry at its end.
   */
  boolean awaitingConfirmation() {
    return cache != null && cache.awaitingConfirmation();
  }

  /** The confirming 304 has ended: serve the refreshed entry. */
  void serveConfirmed() {
    serveEntry(cache.confirmed(), "REVALIDATED");
  }

  /** {@code attempt}'s answer goes to the client, starting with its head. */
  void streamFrom(UpstreamAttempt attempt, HttpResponse response, Target t) {
    streaming = attempt;
    respondHead(response, t);
  }

  boolean streaming(UpstreamAttempt attempt) {
    return streaming == attempt;
  }

  /** The streaming answer has ended upstream, or broke off: reading it need not wait any more. */
  void streamEnded() {
    streaming = null;
    resume();
  }

  /**
   * Sends the head of an upstream answer to the client; its body follows chunk by chunk through
   * {@link #forward}. Without a length the body goes chunked (HTTP/1.1) or as DATA frames.
   */
  private void respondHead(HttpResponse response, Target t) {
    HttpHeaders headers = response.headers();
    boolean keep = keepAlive && !runtime.closing();
    boolean lengthKnown = HttpUtil.isContentLengthSet(response);
    ProxyHeaders.stripHopByHop(headers);
    if (route.ttl().isPresent()) {
      applyTtl(response, route.ttl().get());
    }
    if (cache != null) {
      cache.answerHead(response.status().code(), headers);
    }
    headers.set(RequestIds.REQUEST_ID, requestId);
    if (runtime.router().affinity().isPresent()
        && route.affinity() == RouteConfig.Affinity.INHERIT
        && !t.id().equals(affinityTarget)) {
      headers.add(HttpHeaderNames.SET_COOKIE, runtime.router().affinityCookie(t));
    }
    response.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (!lengthKnown && mayHaveBody(request, response.status().code())) {
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
        && EdgeCacheStore.HEURISTICALLY_CACHEABLE.contains(response.status().code())
        && !response.headers().contains(HttpHeaderNames.CACHE_CONTROL)) {
      response.headers().set(HttpHeaderNames.CACHE_CONTROL, "max-age=" + ttl.toSeconds());
    }
  }

  /** Whether an answer with {@code status} to {@code request} carries a body. */
  static boolean mayHaveBody(FullHttpRequest request, int status) {
    return !request.method().equals(HttpMethod.HEAD) && status != 204 && status != 304;
  }

  /**
   * Forwards one chunk of the answer's body; after the last one the exchange is over. Pauses
   * reading from {@code upstream} while the client cannot keep up.
   */
  void forward(HttpContent content, boolean last, Target t, Channel upstream) {
    if (cache != null) {
      cache.answerBody(content.content(), last);
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
      connection.finished(true);
    } else {
      ctx.writeAndFlush(content).addListener(f -> connection.finished(false));
    }
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
    connection.abandoned();
    ctx.close();
  }

  /** The client connection closed: the answer streaming to it, if any, is dropped. */
  void clientGone() {
    if (streaming != null) {
      streaming.clientGone();
    }
  }

  /** The client went away while an answer was streaming to it. */
  void abandoned() {
    streaming = null;
    request.release();
    connection.abandoned();
  }

  /** Answers a request bot protection stopped. */
  void refuse(Protection.Verdict verdict) {
    switch (verdict) {
      case Protection.Verdict.Denied d ->
          localError(403, "Forbidden", "denied by bot rule \"" + d.rule() + "\"");
      case Protection.Verdict.Limited l ->
          localError(
              429, "Too many requests", LocalAnswers.rateLimited(l), LocalAnswers.retryAfter(l));
      case Protection.Verdict.Challenged c -> challenge(c);
    }
  }

  private void challenge(Protection.Verdict.Challenged c) {
    HttpHeaders extra = LocalAnswers.challengeHeaders(c);
    String accept = request.headers().get(HttpHeaderNames.ACCEPT);
    if (accept != null && accept.contains("text/html")) {
      FullHttpResponse page = LocalAnswers.challengePage(c, extra, requestId);
      boolean keep = keepAlive && !runtime.closing();
      HttpUtil.setKeepAlive(page, keep);
      write(page, 403, null, keep);
      return;
    }
    localError(403, "Challenge required", LocalAnswers.challengeDetail(c), extra);
  }

  void localError(int status, String title, String detail) {
    localError(status, title, detail, null);
  }

  /** Answers with the gateway's own problem+json, or a stale entry when the cache may serve one. */
  void localError(int status, String title, String detail, HttpHeaders extraHeaders) {
    EdgeCacheStore.Entry stale = cache == null ? null : cache.staleInsteadOf(status);
    if (stale != null) {
      serveEntry(stale, "STALE");
      return;
    }
    FullHttpResponse response =
        LocalAnswers.problem(
            status, title, detail, ProxyHandler.pathOf(request.uri()), requestId, extraHeaders);
    boolean keep = keepAlive && !runtime.closing() && status != 400;
    HttpUtil.setKeepAlive(response, keep);
    write(response, status, null, keep);
  }

  private void logAccess(int status, Target t) {
    runtime.accessLog(
        requestId.toString(),
        connection.http2() ? "HTTP/2" : "HTTP/1.1",
        request.method().name(),
        request.uri(),
        status,
        t,
        attempts,
        System.nanoTime() - startNanos,
        connection.clientText(),
        lastError);
  }

  private void write(FullHttpResponse response, int status, Target t, boolean keep) {
    logAccess(status, t);
    request.release();
    if (keep && response.content().readableBytes() <= SMALL_RESPONSE) {
      // The common case needs no promise: a small answer leaves in this flush, and a failed
      // write closes the connection through exceptionCaught.
      ctx.writeAndFlush(response, ctx.voidPromise());
      connection.finished(true);
    } else {
      ctx.writeAndFlush(response).addListener(f -> connection.finished(keep && f.isSuccess()));
    }
  }
}
