package io.bulwark.states.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Base of the {@code bulwark states} subcommands that talk to a server's {@code /api/v1} API: shows
 * the answer (for a person, or as the server's JSON with {@code --json}) and exits 0; a problem
 * answer (4xx) prints its detail on stderr and exits 2; an unreachable server or a 5xx exits 1.
 */
abstract class RemoteCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--url",
      defaultValue = "${env:BULWARK_URL:-http://127.0.0.1:8080}",
      description =
          "Bulwark server base URL (default: $BULWARK_URL, else http://127.0.0.1:8080; `bulwark"
              + " demo` prints its URL)")
  String url;

  @Option(
      names = "--json",
      description = "Print the server's JSON answer as it is (for scripts) instead of a summary")
  boolean json;

  @Option(
      names = "--token",
      defaultValue = "${env:BULWARK_TOKEN}",
      description =
          "Bearer token of an operator or admin, when the server requires one (default:"
              + " $BULWARK_TOKEN)")
  String token;

  /** Thrown for bad local input (exit 2). */
  static final class BadInput extends RuntimeException {
    BadInput(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Sends the request of this command; returns the exit code. */
  abstract int run() throws IOException, InterruptedException;

  /** Shows a successful answer to a person (without {@code --json}); indented JSON by default. */
  void render(JsonNode answer, java.io.PrintWriter out) {
    Rendering.json(answer, out);
  }

  @Override
  public final Integer call() {
    try {
      return run();
    } catch (BadInput | JsonFiles.Unreadable e) {
      spec.commandLine().getErr().println("bulwark: " + e.getMessage());
      return 2;
    } catch (ConnectException e) {
      spec.commandLine().getErr().println("bulwark: cannot reach " + url + ": connection refused");
      spec.commandLine()
          .getErr()
          .println(
              "bulwark: pass the URL `bulwark demo` printed with --url or $BULWARK_URL (a demo on"
                  + " --port 0 listens on a free port)");
      return 1;
    } catch (IOException e) {
      spec.commandLine().getErr().println("bulwark: request to " + url + " failed: " + e);
      return 1;
    } catch (IllegalArgumentException e) {
      spec.commandLine().getErr().println("bulwark: bad --url " + url + ": " + e.getMessage());
      return 2;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      spec.commandLine().getErr().println("bulwark: interrupted");
      return 1;
    }
  }

  static String segment(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  int send(String method, String path, JsonNode body) throws IOException, InterruptedException {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.toString()));
    if (token != null && !token.isBlank()) {
      request.header("Authorization", "Bearer " + token.strip());
    }
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    int status = response.statusCode();
    String text = response.body() == null ? "" : response.body();
    if (status / 100 == 2) {
      if (!text.isBlank()) {
        if (json) {
          spec.commandLine().getOut().println(text);
        } else {
          render(Json.parse(text), spec.commandLine().getOut());
        }
      }
      spec.commandLine().getOut().flush();
      return 0;
    }
    String detail = text;
    try {
      JsonNode problem = Json.parse(text);
      if (problem.hasNonNull("detail")) {
        detail = problem.get("detail").asText();
      }
    } catch (RuntimeException e) {
      detail = text.isBlank() ? "HTTP " + status : text.strip();
    }
    spec.commandLine().getErr().println("bulwark: " + detail.replace('\n', ' '));
    if (status == 401) {
      spec.commandLine()
          .getErr()
          .println("bulwark: log in as an operator or admin and pass --token or $BULWARK_TOKEN");
    }
    return status / 100 == 4 ? 2 : 1;
  }
}
