package io.bulwark.fleet;

import io.bulwark.kernel.Check;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Health check over HTTP: {@code GET http://host:port/path} passes on status 200 within {@code
 * timeout}.
 */
public final class HttpHealthProbe implements HealthProbe {
  private final String path;
  private final String livenessPath;
  private final Duration timeout;
  private final HttpClient client;

  private HttpHealthProbe(String path, String livenessPath, Duration timeout, HttpClient client) {
    this.path = path;
    this.livenessPath = livenessPath;
    this.timeout = timeout;
    this.client = client;
  }

  /**
   * Probes {@code path} (e.g. {@code /health/ready}) with {@code timeout}.
   *
   * @throws IllegalArgumentException when the path does not start with '/' or timeout is not > 0
   */
  public static HttpHealthProbe of(String path, Duration timeout) {
    Objects.requireNonNull(path, "path");
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("health path must start with '/' but was " + path);
    }
    Check.positive("health timeout", timeout);
    return new HttpHealthProbe(
        path,
        path,
        timeout,
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .executor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
            .build());
  }

  /**
   * This probe with {@code livenessPath} (e.g. {@code /health/live}) deciding whether an instance
   * in service is replaced.
   *
   * @throws IllegalArgumentException when the path does not start with '/'
   */
  public HttpHealthProbe withLiveness(String livenessPath) {
    Objects.requireNonNull(livenessPath, "livenessPath");
    if (!livenessPath.startsWith("/")) {
      throw new IllegalArgumentException(
          "liveness path must start with '/' but was " + livenessPath);
    }
    return new HttpHealthProbe(path, livenessPath, timeout, client);
  }

  @Override
  public CompletableFuture<Boolean> check(Instance instance) {
    return get(instance, path);
  }

  @Override
  public CompletableFuture<Boolean> alive(Instance instance) {
    return get(instance, livenessPath);
  }

  private CompletableFuture<Boolean> get(Instance instance, String probed) {
    HttpRequest request;
    try {
      request =
          HttpRequest.newBuilder(
                  URI.create("http://" + instance.host() + ":" + instance.port() + probed))
              .timeout(timeout)
              .GET()
              .build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(false);
    }
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .thenApply(r -> r.statusCode() == 200)
        .exceptionally(e -> false);
  }
}
