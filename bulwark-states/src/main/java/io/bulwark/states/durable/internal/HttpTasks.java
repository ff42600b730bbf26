package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.states.durable.TaskRequest;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Task resources that are {@code http://} or {@code https://} URLs: POSTs the effective input as
 * JSON with an {@code Idempotency-Key} header; a 2xx answer's JSON body (empty: null) is the
 * result, anything else fails the task with {@code States.TaskFailed} naming the status. Redirects
 * are not followed.
 *
 * <p>Only hosts on the allow-list are called (entries {@code host} or {@code host:port}, compared
 * without case; none by default), so a state machine cannot make the server call an address of its
 * author's choosing: a definition naming another host, or a URL of any other scheme, is refused
 * when it is created ({@link #refusals}), and a call to a host no longer allowed fails its task.
 */
public final class HttpTasks implements DurableTaskHandler {
  private static final String CALLBACK = ".waitForTaskToken";

  private final HttpClient client;
  private final Duration timeout;
  private final Set<String> allowedHosts;

  /** HTTP tasks bounded by {@code timeout}, calling only {@code allowedHosts}. */
  public HttpTasks(Duration timeout, Collection<String> allowedHosts) {
    this.timeout = timeout;
    this.allowedHosts =
        allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  static boolean handles(String resource) {
    return resource.startsWith("http://") || resource.startsWith("https://");
  }

  /**
   * Why the Task resources of {@code definition} (with those of its Parallel branches and Map
   * processors) may not be called, each as {@code <JSON path>: <reason>}; empty when all may. A
   * resource for which {@code bound} is true has a handler of its own and is not a URL to call.
   */
  public List<String> refusals(JsonNode definition, Predicate<String> bound) {
    List<String> errors = new ArrayList<>();
    collect(definition, "$", bound, errors);
    return errors;
  }

  private void collect(JsonNode machine, String path, Predicate<String> bound, List<String> out) {
    JsonNode states = machine.path("States");
    for (Map.Entry<String, JsonNode> state : states.properties()) {
      String at = path + ".States." + state.getKey();
      JsonNode s = state.getValue();
      JsonNode resource = s.path("Resource");
      if ("Task".equals(s.path("Type").asText()) && resource.isTextual()) {
        String refused = refusal(resource.asText(), bound);
        if (refused != null) {
          out.add(at + ".Resource: " + refused);
        }
      }
      JsonNode branches = s.path("Branches");
      for (int i = 0; i < branches.size(); i++) {
        collect(branches.get(i), at + ".Branches[" + i + "]", bound, out);
      }
      for (String processor : List.of("ItemProcessor", "Iterator")) {
        if (s.has(processor)) {
          collect(s.get(processor), at + "." + processor, bound, out);
        }
      }
    }
  }

  /** Why {@code resource} may not be called, or null if it may. */
  private String refusal(String resource, Predicate<String> bound) {
    if (bound.test(resource) || !resource.contains("://")) {
      return null;
    }
    String url = stripCallback(resource);
    if (!handles(url)) {
      return "only http:// and https:// task URLs are allowed, got " + resource;
    }
    return hostRefusal(url);
  }

  private String hostRefusal(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      return "not a valid URL: " + e.getMessage();
    }
    String host = uri.getHost();
    if (host == null) {
      return "the URL has no host name, got " + url;
    }
    host = host.toLowerCase(Locale.ROOT);
    int port = uri.getPort() != -1 ? uri.getPort() : url.startsWith("https:") ? 443 : 80;
    if (allowedHosts.contains(host) || allowedHosts.contains(host + ":" + port)) {
      return null;
    }
    return "host "
        + host
        + ":"
        + port
        + " is not on the HTTP task allow-list ("
        + (allowedHosts.isEmpty() ? "empty: no host is allowed" : String.join(", ", allowedHosts))
        + "), got "
        + url;
  }

  private static String stripCallback(String resource) {
    return resource.endsWith(CALLBACK)
        ? resource.substring(0, resource.length() - CALLBACK.length())
        : resource;
  }

  @Override
  public JsonNode invoke(TaskRequest r) {
    String url = stripCallback(r.resource());
    String refused = hostRefusal(url);
    if (refused != null) {
      throw new StatesError("States.TaskFailed", "POST refused: " + refused);
    }
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", r.idempotencyToken())
            .POST(HttpRequest.BodyPublishers.ofString(r.input().toString()));
    if (r.taskToken() != null) {
      request.header("X-Bulwark-Task-Token", r.taskToken());
    }
    HttpResponse<String> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new StatesError("States.TaskFailed", "POST " + url + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StatesError("States.TaskFailed", "POST " + url + " interrupted", e);
    }
    String body = response.body() == null ? "" : response.body();
    if (response.statusCode() / 100 != 2) {
      throw new StatesError(
          "States.TaskFailed",
          "POST "
              + url
              + " answered HTTP "
              + response.statusCode()
              + (body.isBlank() ? "" : ": " + abbreviate(body)));
    }
    if (body.isBlank()) {
      return null;
    }
    try {
      return Json.parse(body);
    } catch (RuntimeException e) {
      throw new StatesError(
          "States.TaskFailed",
          "POST " + url + " answered HTTP " + response.statusCode() + " with a non-JSON body",
          e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 1000 ? s : s.substring(0, 1000) + "…";
  }
}
