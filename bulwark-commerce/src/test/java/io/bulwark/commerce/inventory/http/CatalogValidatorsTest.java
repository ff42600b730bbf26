package io.bulwark.commerce.inventory.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.commerce.TestServer;
import io.bulwark.testkit.PostgresExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Catalog reads carry a validator and caching rules a shared cache honours: a strong ETag that
 * changes with the catalog, 304 for a client that has the current one, and Cache-Control letting
 * the edge cache keep the answer briefly, per caller.
 */
class CatalogValidatorsTest {

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.migrating();
  @TempDir static Path home;
  static TestServer app;
  static String admin;

  @BeforeAll
  static void start() throws Exception {
    app = new TestServer(pg.jdbcUrl(), home, o -> o);
    admin = app.adminToken();
    product("ETAG-1");
  }

  @AfterAll
  static void stop() {
    app.close();
  }

  static void product(String sku) throws Exception {
    assertThat(
            app.send(
                    "POST",
                    "/api/v1/products",
                    admin,
                    "{\"sku\":\"" + sku + "\",\"name\":\"Tagged\",\"price\":100,\"available\":5}")
                .status())
        .isEqualTo(201);
  }

  static HttpResponse<String> get(String path, String token, String ifNoneMatch) throws Exception {
    HttpRequest.Builder rb = TestServer.request(app.server.baseUrl() + path, "GET", token, null);
    if (ifNoneMatch != null) {
      rb.header("If-None-Match", ifNoneMatch);
    }
    return app.http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theCatalogIsRevalidatedWithItsETag() throws Exception {
    String token = app.customer("etag-erin");
    HttpResponse<String> first = get("/api/v1/products", token, null);
    assertThat(first.statusCode()).isEqualTo(200);
    String etag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(etag).matches("\"[A-Za-z0-9_-]{22}\"");
    assertThat(first.headers().firstValue("Cache-Control").orElseThrow())
        .contains("public", "s-maxage=5", "must-revalidate");
    assertThat(first.headers().firstValue("Vary").orElseThrow()).isEqualTo("Authorization");

    HttpResponse<String> again = get("/api/v1/products", token, etag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
    assertThat(again.headers().firstValue("ETag")).contains(etag);
    assertThat(get("/api/v1/products", token, "\"other\", W/" + etag).statusCode()).isEqualTo(304);

    product("ETAG-2"); // the catalog changed: the old validator no longer matches
    HttpResponse<String> changed = get("/api/v1/products", token, etag);
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(changed.body()).contains("ETAG-2");
    assertThat(changed.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(etag);
  }

  @Test
  void oneProductHasItsOwnValidatorAndStillNeedsCredentials() throws Exception {
    String token = app.customer("etag-eli");
    HttpResponse<String> one = get("/api/v1/products/ETAG-1", token, null);
    assertThat(one.statusCode()).isEqualTo(200);
    String etag = one.headers().firstValue("ETag").orElseThrow();
    assertThat(get("/api/v1/products/ETAG-1", token, etag).statusCode()).isEqualTo(304);
    // a validator is no credential: without a token the answer is 401, not 304
    assertThat(get("/api/v1/products/ETAG-1", null, etag).statusCode()).isEqualTo(401);
  }
}
