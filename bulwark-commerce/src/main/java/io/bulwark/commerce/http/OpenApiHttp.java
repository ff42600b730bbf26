package io.bulwark.commerce.http;

import io.bulwark.http.HttpModule;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the commerce API's OpenAPI 3.1 description at {@value #PATH}, without authentication. The
 * document is the classpath resource {@value #RESOURCE}; a test checks it against the routes the
 * commerce modules register, so the two cannot drift apart.
 */
public final class OpenApiHttp implements HttpModule {

  /** Where the document is served. */
  public static final String PATH = "/api/v1/openapi.json";

  /** The classpath resource holding the document. */
  public static final String RESOURCE = "/openapi/commerce-v1.json";

  private final byte[] document;

  /**
   * Loads the document once.
   *
   * @throws IllegalStateException when the resource is missing from the classpath
   */
  public OpenApiHttp() {
    this.document = load();
  }

  /** The document's bytes (UTF-8 JSON). */
  public static byte[] load() {
    try (InputStream in = OpenApiHttp.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            "the OpenAPI document " + RESOURCE + " is not on the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the OpenAPI document " + RESOURCE, e);
    }
  }

  @Override
  public void register(Javalin app) {
    app.get(
        PATH,
        ctx ->
            ctx.contentType("application/json")
                .header("Cache-Control", "public, max-age=3600")
                .result(document));
  }
}
