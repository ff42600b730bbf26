package io.bulwark.commerce;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import io.bulwark.server.BulwarkServer;
import io.bulwark.server.ServerConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BiConsumer;
import java.util.function.UnaryOperator;

/** A real Bulwark server with commerce installed, on port 0, plus a small HTTP client. */
public final class TestServer implements AutoCloseable {

  public static final String ADMIN_PASSWORD = "admin-password-1";
  public static final String SECRET = "test-secret-test-secret-test-secret-0123";

  public final BulwarkServer server;
  public final Commerce commerce;
  public final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public TestServer(String jdbcUrl, Path home, UnaryOperator<CommerceOptions.Builder> tweak) {
    this(jdbcUrl, home, tweak, (builder, installed) -> {});
  }

  /** As above, with {@code modules} adding more to the server before it starts. */
  public TestServer(
      String jdbcUrl,
      Path home,
      UnaryOperator<CommerceOptions.Builder> tweak,
      BiConsumer<BulwarkServer.Builder, Commerce> modules) {
    this(jdbcUrl, home, UnaryOperator.identity(), tweak, modules);
  }

  /** As above, with {@code config} changing the server's configuration (a read URL, say). */
  public TestServer(
      String jdbcUrl,
      Path home,
      UnaryOperator<ServerConfig.Builder> config,
      UnaryOperator<CommerceOptions.Builder> tweak,
      BiConsumer<BulwarkServer.Builder, Commerce> modules) {
    BulwarkServer.Builder b =
        BulwarkServer.builder(
            config
                .apply(
                    ServerConfig.builder()
                        .name("commerce")
                        .home(home)
                        .httpPort(0)
                        .jdbcUrl(jdbcUrl)
                        .poolSize(16)
                        .shutdownGrace(Duration.ofSeconds(2)))
                .build());
    CommerceOptions.Builder o =
        CommerceOptions.builder()
            .jwtSecret(SECRET)
            .bcryptCost(4)
            .registrationsPerAddress(100_000) // tests register many users from one address
            .pollInterval(Duration.ofMillis(100));
    commerce = Commerce.install(b, tweak.apply(o).build());
    modules.accept(b, commerce);
    server = b.start();
  }

  public String adminToken() throws Exception {
    commerce
        .identity()
        .upsert("admin", ADMIN_PASSWORD, "Admin", io.bulwark.commerce.auth.Role.ADMIN);
    return login("admin", ADMIN_PASSWORD);
  }

  /** Registers {@code username} and returns an access token for it. */
  public String customer(String username) throws Exception {
    Response r =
        send(
            "POST",
            "/api/v1/auth/register",
            null,
            "{\"username\":\""
                + username
                + "\",\"password\":\"password-1\",\"name\":\"Name "
                + username
                + "\"}");
    if (r.status() != 201) {
      throw new IllegalStateException("register failed: " + r.body());
    }
    return login(username, "password-1");
  }

  public String login(String username, String password) throws Exception {
    Response r =
        send(
            "POST",
            "/api/v1/auth/login",
            null,
            "{\"username\":\"" + username + "\",\"password\":\"" + password + "\"}");
    if (r.status() != 200) {
      throw new IllegalStateException("login failed: " + r.body());
    }
    return r.json().get("accessToken").asText();
  }

  public Response get(String path, String token) throws IOException, InterruptedException {
    return send("GET", path, token, null);
  }

  /**
   * A JSON request to {@code url} with an optional bearer {@code token} and {@code body}, timing
   * out after 30 s.
   */
  public static HttpRequest.Builder request(String url, String method, String token, String body) {
    HttpRequest.Builder rb =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      rb.header("Authorization", "Bearer " + token);
    }
    return rb;
  }

  public Response send(String method, String path, String token, String body)
      throws IOException, InterruptedException {
    return send(method, path, token, body, null);
  }

  public Response send(String method, String path, String token, String body, String idempotencyKey)
      throws IOException, InterruptedException {
    HttpRequest.Builder rb = request(server.baseUrl() + path, method, token, body);
    if (idempotencyKey != null) {
      rb.header("Idempotency-Key", idempotencyKey);
    }
    HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(r.statusCode(), r.body(), r);
  }

  @Override
  public void close() {
    server.close();
  }

  public record Response(int status, String body, HttpResponse<String> raw) {
    public JsonNode json() {
      return Json.parse(body);
    }

    public String contentType() {
      return raw.headers().firstValue("Content-Type").orElse("");
    }
  }
}
