package io.bulwark.traffic.internal;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.AsciiString;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Owns the header rewriting a proxy does on each hop: hop-by-hop headers (RFC 9110 7.6.1) are
 * dropped from requests and answers, Netty's HTTP/2 conversion headers never leave the gateway, and
 * requests gain {@code X-Forwarded-For} / {@code X-Forwarded-Proto}.
 */
final class ProxyHeaders {

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
  private static final AsciiString HTTP = AsciiString.cached("http");
  private static final AsciiString HTTPS = AsciiString.cached("https");

  private ProxyHeaders() {}

  /**
   * Rewrites a client request's headers for the upstream hop: drops hop-by-hop headers (and on
   * HTTP/2 Netty's conversion headers), then appends {@code clientHost} to X-Forwarded-For and sets
   * X-Forwarded-Proto.
   */
  static void forUpstream(HttpHeaders headers, boolean http2, AsciiString clientHost, boolean tls) {
    stripHopByHop(headers);
    if (http2) {
      for (AsciiString name : HTTP2_EXTENSIONS) {
        headers.remove(name);
      }
    }
    String forwarded = headers.get(X_FORWARDED_FOR);
    headers.set(X_FORWARDED_FOR, forwarded == null ? clientHost : forwarded + ", " + clientHost);
    headers.set(X_FORWARDED_PROTO, tls ? HTTPS : HTTP);
  }

  /** Removes the hop-by-hop headers, including those the Connection header names. */
  static void stripHopByHop(HttpHeaders headers) {
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
}
