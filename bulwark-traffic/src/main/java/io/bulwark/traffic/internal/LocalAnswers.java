package io.bulwark.traffic.internal;

import io.bulwark.kernel.ProblemDocument;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Owns the answers the gateway writes itself rather than relaying from a target: its problem+json
 * errors, and what bot protection answers a request it stopped (403 for a denied client, 429 with
 * Retry-After for a rate-limited one, the proof-of-work challenge as a page or as a problem).
 * Builds the responses; the {@link Exchange} sets keep-alive and writes them.
 */
final class LocalAnswers {

  private LocalAnswers() {}

  /** A problem+json answer with {@code status}, for the request at {@code path}. */
  static FullHttpResponse problem(
      int status,
      String title,
      String detail,
      String path,
      CharSequence requestId,
      HttpHeaders extraHeaders) {
    ProblemDocument problem =
        new ProblemDocument(
            status, "gateway-" + status, title, detail, path, requestId.toString(), Map.of());
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            Unpooled.wrappedBuffer(problem.toBytes()));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, ProblemDocument.CONTENT_TYPE);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    response.headers().set(RequestIds.REQUEST_ID, requestId);
    if (extraHeaders != null) {
      response.headers().add(extraHeaders);
    }
    return response;
  }

  /** Retry-After for a rate-limited client, at most a day. */
  static HttpHeaders retryAfter(Protection.Verdict.Limited l) {
    HttpHeaders extra = new DefaultHttpHeaders();
    extra.setInt(HttpHeaderNames.RETRY_AFTER, (int) Math.min(l.retryAfterSeconds(), 86400));
    return extra;
  }

  /** The 429's detail: which limit, its rate and burst, and when to retry. */
  static String rateLimited(Protection.Verdict.Limited l) {
    return String.format(
        Locale.ROOT,
        "rate limit \"%s\" (%s requests/s, burst %d) exceeded by this client; retry after %d s",
        l.limit(),
        BigDecimal.valueOf(l.ratePerSecond()).stripTrailingZeros().toPlainString(),
        l.burst(),
        l.retryAfterSeconds());
  }

  /** The challenge's nonce and difficulty, as headers every challenge answer carries. */
  static HttpHeaders challengeHeaders(Protection.Verdict.Challenged c) {
    HttpHeaders extra = new DefaultHttpHeaders();
    extra.set(Protection.CHALLENGE_HEADER, c.nonce());
    extra.setInt(Protection.DIFFICULTY_HEADER, c.difficulty());
    return extra;
  }

  /** The challenge as a page a browser solves by itself (403, never stored). */
  static FullHttpResponse challengePage(
      Protection.Verdict.Challenged c, HttpHeaders extra, CharSequence requestId) {
    FullHttpResponse page =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.FORBIDDEN,
            Unpooled.copiedBuffer(
                ChallengePage.render(c, Protection.CHALLENGE_COOKIE), StandardCharsets.UTF_8));
    page.headers()
        .add(extra)
        .set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, page.content().readableBytes())
        .set(RequestIds.REQUEST_ID, requestId);
    return page;
  }

  /** The challenge problem's detail: how a client that is not a browser solves it. */
  static String challengeDetail(Protection.Verdict.Challenged c) {
    return "bot rule \""
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
        + Protection.CHALLENGE_COOKIE;
  }
}
