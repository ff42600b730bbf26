package io.bulwark.server.http;

import io.bulwark.kernel.ProblemDocument;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Jetty's own error responses as problem+json instead of its HTML page: a request it refuses before
 * any route runs (a {@code %00} or other ambiguous path, a control character in a header, headers
 * over the size limit, a request too slow to arrive) gets the same members as every other error, in
 * UTF-8, with {@code X-Content-Type-Options: nosniff}.
 */
final class ProblemErrorHandler extends ErrorHandler {

  /** A response to a request Jetty could not parse (no request object exists yet). */
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, ProblemDocument.CONTENT_TYPE);
    fields.put(HttpApi.NOSNIFF, "nosniff");
    return ByteBuffer.wrap(problem(status, reason, null).toBytes());
  }

  /** A response to a request Jetty parsed but refused, or an error no route rendered. */
  @Override
  protected void generateAcceptableResponse(
      Request baseRequest,
      HttpServletRequest request,
      HttpServletResponse response,
      int code,
      String message)
      throws IOException {
    baseRequest.setHandled(true);
    byte[] body = problem(code, message, baseRequest.getRequestURI()).toBytes();
    response.setContentType(ProblemDocument.CONTENT_TYPE);
    response.setHeader(HttpApi.NOSNIFF, "nosniff");
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  private static ProblemDocument problem(int status, String reason, String instance) {
    String title = HttpStatus.getMessage(status);
    String detail =
        reason == null || reason.isBlank() || reason.equals(title)
            ? "the server refused the request: " + title
            : "the server refused the request: " + reason;
    return new ProblemDocument(
        status,
        "http-" + status,
        title,
        detail,
        instance == null ? "" : sane(instance),
        UUID.randomUUID().toString(),
        Map.of());
  }

  /**
   * The request's path for {@code instance}, without the characters it may have been refused for.
   */
  private static String sane(String path) {
    return path.replaceAll("[\\p{Cntrl}]", "?");
  }
}
