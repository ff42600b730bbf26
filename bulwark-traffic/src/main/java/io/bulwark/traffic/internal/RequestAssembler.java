package io.bulwark.traffic.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpContentException;
import java.util.function.Consumer;

/**
 * Owns the gathering of one client connection's request bodies: the head of a request whose body
 * arrives in chunks is held until its last chunk, {@code Expect: 100-continue} is answered, and a
 * body over the gateway's limit is refused. Each request leaves whole (so it can be retried); a
 * refused or malformed one leaves as a request whose decoder result says why, to be answered in
 * turn. Runs on the connection's event loop.
 */
final class RequestAssembler {

  private final ChannelHandlerContext ctx;
  private final GatewayRuntime runtime;
  private final Runnable progressed;
  private final Consumer<FullHttpRequest> whole;
  // The request whose body is arriving, and the body so far (null while it has none).
  private HttpRequest pendingHead;
  private CompositeByteBuf pendingBody;

  /**
   * @param progressed told when a request head or body bytes arrive (the connection is not idle)
   * @param whole receives each request once it is whole, or refused
   */
  RequestAssembler(
      ChannelHandlerContext ctx,
      GatewayRuntime runtime,
      Runnable progressed,
      Consumer<FullHttpRequest> whole) {
    this.ctx = ctx;
    this.runtime = runtime;
    this.progressed = progressed;
    this.whole = whole;
  }

  /** Whether a request's body is still arriving. */
  boolean receiving() {
    return pendingHead != null;
  }

  /** The head of a request that is not whole yet: its body follows in chunks. */
  void head(HttpRequest head) {
    if (!head.decoderResult().isSuccess()) {
      whole.accept(fullRequest(head, Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE));
      return;
    }
    progressed.run();
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

  /** One chunk of the pending request's body; the caller releases {@code content}. */
  void chunk(HttpContent content) {
    HttpRequest head = pendingHead;
    if (head == null) {
      // After a refused request, or a stray chunk: nothing to attach it to.
      return;
    }
    ByteBuf bytes = content.content();
    if (bytes.isReadable()) {
      progressed.run();
      CompositeByteBuf body = pendingBody;
      int size = body == null ? 0 : body.readableBytes();
      if ((long) size + bytes.readableBytes() > runtime.maxBodyBytes()) {
        discard();
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
      whole.accept(full);
    }
  }

  /**
   * Drops the request whose body was arriving, if any (the connection closed, or it was refused).
   */
  void discard() {
    pendingHead = null;
    if (pendingBody != null) {
      pendingBody.release();
      pendingBody = null;
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

  /** Passes on a 413 marker, answered in turn; its remaining chunks find no pending head. */
  private void refuseTooLarge(HttpRequest head, String what) {
    FullHttpRequest marker = fullRequest(head, Unpooled.EMPTY_BUFFER, EmptyHttpHeaders.INSTANCE);
    marker.setDecoderResult(
        DecoderResult.failure(
            new TooLongHttpContentException(
                what + " exceeds the limit of " + runtime.maxBodyBytes() + " bytes")));
    whole.accept(marker);
  }
}
