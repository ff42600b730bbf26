package io.bulwark.states.durable.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.states.StatesError;
import io.bulwark.states.durable.DurableTaskHandler;
import io.bulwark.states.durable.TaskRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Task resources that are {@code http://} or {@code https://} URLs: POSTs the effective input as
 * JSON with an {@code Idempotency-Key} header; a 2xx answer's JSON body (empty: null) is the
 * result, anything else fails the task with {@code States.TaskFailed} naming the status.
 */
final class HttpTasks implements DurableTaskHandler {
  private final HttpClient client;
  private final Duration timeout;

  HttpTasks(Duration timeout) {
    this.timeout = timeout;
    this.client = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  static boolean handles(String resource) {
    return resource.startsWith("http://") || resource.startsWith("https://");
  }

  @Override
  public JsonNode invoke(TaskRequest r) {
    String url = r.resource().replaceFirst("\\.waitForTaskToken$", "");
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
