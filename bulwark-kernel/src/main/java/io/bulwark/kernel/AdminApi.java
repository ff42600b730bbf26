package io.bulwark.kernel;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A call from a {@code bulwark} command to a running server's admin API ({@code bulwark dlq},
 * {@code bulwark diagnose}, {@code bulwark chaos}): the JSON answer, or a {@link Failed} carrying
 * the exit code the command should end with and one line for the user.
 */
public final class AdminApi {

  /** A call that did not succeed: what to print and the exit code (2 bad input, 1 failed). */
  public static final class Failed extends Exception {
    private final int exitCode;

    Failed(String message, int exitCode, Throwable cause) {
      super(message, cause);
      this.exitCode = exitCode;
    }

    /** 2 for bad input (a bad URL, 400/401/403/404), 1 for a failure. */
    public int exitCode() {
      return exitCode;
    }
  }

  private AdminApi() {}

  /**
   * Sends {@code method path} with {@code body} (written as JSON; null for none) to the server at
   * {@code url}, with {@code token} as the bearer token when not blank; returns the parsed 2xx
   * answer. 400/401/403/404 answers are bad input (exit 2); 409/422, 5xx and an unreachable server
   * are failures (exit 1).
   */
  public static JsonNode call(String url, String token, String method, String path, Object body)
      throws Failed, InterruptedException {
    URI uri;
    try {
      uri = URI.create(url.replaceAll("/+$", "") + path);
      if (uri.getScheme() == null || !uri.getScheme().startsWith("http")) {
        throw new IllegalArgumentException("not an http(s) URL");
      }
    } catch (IllegalArgumentException e) {
      throw new Failed("bad --url " + url + ": " + e.getMessage(), 2, e);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(60))
            .header("Accept", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(Json.write(body)));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token.strip());
    }
    HttpResponse<String> response;
    try (HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build()) {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (ConnectException e) {
      throw new Failed("cannot reach " + url + ": connection refused", 1, e);
    } catch (IOException e) {
      String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw new Failed("request to " + url + " failed: " + why, 1, e);
    }
    int status = response.statusCode();
    String text = response.body() == null ? "" : response.body();
    if (status / 100 == 2) {
      try {
        return Json.parse(text);
      } catch (RuntimeException e) {
        throw new Failed("the server at " + url + " answered something other than JSON", 1, e);
      }
    }
    String detail;
    try {
      JsonNode problem = Json.parse(text);
      detail = problem.hasNonNull("detail") ? problem.get("detail").asText() : "HTTP " + status;
    } catch (RuntimeException e) {
      detail = text.isBlank() ? "HTTP " + status : text.strip();
    }
    if (status == 401 || status == 403) {
      detail += "; log in as an administrator and pass --token or $BULWARK_TOKEN";
    }
    boolean badInput = status == 400 || status == 401 || status == 403 || status == 404;
    throw new Failed(detail.replace('\n', ' '), badInput ? 2 : 1, null);
  }
}
