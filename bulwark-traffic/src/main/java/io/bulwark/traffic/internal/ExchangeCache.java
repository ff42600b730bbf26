package io.bulwark.traffic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Arrays;
import java.util.Date;

/**
 * Owns one exchange's use of the edge cache, on a caching route: the lookup, the revalidation of a
 * stale entry with its validator, answering the client's own conditional headers from an entry,
 * collecting an upstream answer's body for storing, invalidation after a successful unsafe request,
 * and serving a stale entry when the origin cannot be reached (RFC 9111 4.2.4). The {@link
 * Exchange} decides when; this class knows what the cache does then.
 */
final class ExchangeCache {

  static final AsciiString X_CACHE = AsciiString.cached("x-cache");

  private final EdgeCacheStore store;
  private final String path;
  private final FullHttpRequest request;
  private EdgeCacheStore.Entry revalidating;
  private boolean storeAnswer;
  private boolean invalidate;
  private String clientIfNoneMatch;
  private String clientIfModifiedSince;
  private long fetchedAt;
  private HttpHeaders notModified;
  private HttpHeaders answerHeaders;
  private int answerStatus;
  private byte[] tee;
  private int teeSize;

  ExchangeCache(EdgeCacheStore store, String path, FullHttpRequest request) {
    this.store = store;
    this.path = path;
    this.request = request;
  }

  /**
   * Consults the cache; returns the entry to serve on a hit, else null after preparing the fetch: a
   * stale entry is revalidated with its validator, and a GET's answer is collected for storing when
   * the cache may keep it. The client's own conditional headers are answered by the gateway from
   * the entry, so the origin is asked for the full answer.
   */
  EdgeCacheStore.Entry lookup(long nowMillis) {
    HttpHeaders headers = request.headers();
    EdgeCacheStore.Lookup lookup = store.lookup(request);
    boolean get = request.method().equals(HttpMethod.GET);
    switch (lookup) {
      case EdgeCacheStore.Lookup.Hit hit -> {
        store.countHit();
        return hit.entry();
      }
      case EdgeCacheStore.Lookup.Bypass bypass -> {
        invalidate = !safeMethod(request.method());
        return null;
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
      fetchedAt = nowMillis;
    }
    return null;
  }

  private static boolean safeMethod(HttpMethod method) {
    return method.equals(HttpMethod.GET)
        || method.equals(HttpMethod.HEAD)
        || method.equals(HttpMethod.OPTIONS)
        || method.equals(HttpMethod.TRACE);
  }

  /**
   * The answer to send from a stored entry, with 304 when the client's validators match it; {@code
   * result} goes into X-Cache. The caller sets keep-alive and writes it.
   */
  FullHttpResponse answerFrom(
      EdgeCacheStore.Entry entry, String result, CharSequence requestId, long nowMillis) {
    boolean notModifiedForClient = clientHasCurrent(entry);
    boolean bodyless =
        notModifiedForClient
            || request.method().equals(HttpMethod.HEAD)
            || !Exchange.mayHaveBody(request, entry.status);
    int status = notModifiedForClient ? 304 : entry.status;
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            bodyless ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(entry.body));
    HttpHeaders headers = response.headers();
    headers.set(entry.headers);
    headers.setInt(HttpHeaderNames.AGE, (int) Math.min(Integer.MAX_VALUE, entry.age(nowMillis)));
    headers.set(X_CACHE, result);
    headers.set(RequestIds.REQUEST_ID, requestId);
    if (notModifiedForClient) {
      headers.remove(HttpHeaderNames.CONTENT_LENGTH);
    } else {
      headers.setInt(HttpHeaderNames.CONTENT_LENGTH, entry.body.length);
    }
    return response;
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
      Date since = DateFormatter.parseHttpDate(ifModifiedSince);
      Date modified = DateFormatter.parseHttpDate(entry.lastModified);
      return since != null && modified != null && !modified.after(since);
    }
    return false;
  }

  private static String weak(String etag) {
    return etag.startsWith("W/") ? etag.substring(2) : etag;
  }

  /**
   * The head of an upstream answer is about to go to the client: decides whether its body is
   * collected for storing, purges the path after a successful unsafe request, and marks the answer
   * with X-Cache.
   */
  void answerHead(int status, HttpHeaders headers) {
    if (storeAnswer && store.storable(request, status, headers)) {
      answerHeaders = headers.copy();
      answerStatus = status;
      tee =
          new byte
              [Math.max(
                  0,
                  Math.min(
                      store.config().maxEntryBytes(),
                      headers.getInt(HttpHeaderNames.CONTENT_LENGTH, 1024)))];
    } else if (invalidate && status < 400) {
      // A successful unsafe request changes the resource: stored answers are out of date.
      store.purge(path);
    }
    if (revalidating != null) {
      // Revalidation brought a new answer.
      store.countMiss();
    }
    headers.set(X_CACHE, storeAnswer ? "MISS" : "BYPASS");
  }

  /** One chunk of the answer's body on its way to the client; stores the answer after the last. */
  void answerBody(ByteBuf chunk, boolean last) {
    if (tee == null) {
      return;
    }
    collect(chunk);
    if (last && tee != null) {
      store.store(request, answerStatus, answerHeaders, Arrays.copyOf(tee, teeSize), fetchedAt);
      tee = null;
    }
  }

  /** Keeps a copy of a body chunk for the cache; gives up once the body passes the limit. */
  private void collect(ByteBuf chunk) {
    int n = chunk.readableBytes();
    if (teeSize + n > store.config().maxEntryBytes()) {
      tee = null;
      return;
    }
    if (teeSize + n > tee.length) {
      tee =
          Arrays.copyOf(
              tee, Math.min(store.config().maxEntryBytes(), Math.max(teeSize + n, tee.length * 2)));
    }
    chunk.getBytes(chunk.readerIndex(), tee, teeSize, n);
    teeSize += n;
  }

  /**
   * An upstream answer's head arrived: true when it is the 304 that confirms the entry being
   * revalidated, which is then served once this (bodyless) answer has ended.
   */
  boolean confirmsStored(int status, HttpHeaders headers) {
    if (revalidating != null && status == 304) {
      notModified = headers;
      return true;
    }
    return false;
  }

  /** Whether the upstream answer in progress is such a 304. */
  boolean awaitingConfirmation() {
    return notModified != null;
  }

  /** The revalidated entry, refreshed with the 304's headers. */
  EdgeCacheStore.Entry confirmed() {
    store.countRevalidated();
    return store.refresh(revalidating, notModified, fetchedAt);
  }

  /**
   * The entry to serve instead of a gateway error with {@code status}: the stale one being
   * revalidated when the origin cannot be reached and the entry allows it, else null.
   */
  EdgeCacheStore.Entry staleInsteadOf(int status) {
    if (revalidating != null && status >= 502 && status <= 504 && !revalidating.neverStale()) {
      store.countStale();
      return revalidating;
    }
    return null;
  }
}
