package io.bulwark.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import io.javalin.Javalin;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The server's OpenAPI 3.1 document, served at {@value #PATH}: a base document (the server's own
 * routes, shared components) merged with the part each {@link HttpModule} the server runs ships
 * ({@link HttpModule#openApi()}), so a server describes exactly the routes it serves.
 *
 * <p>A part is an object with {@code paths}, {@code components} and {@code tags} only. It may refer
 * to the base's components (the {@code Problem} schema, the {@code BadRequest} … responses).
 */
public final class OpenApi {

  /** Where the server serves the merged document. */
  public static final String PATH = "/api/v1/openapi.json";

  private static final Set<String> PART_KEYS = Set.of("paths", "components", "tags");

  private static final Set<String> METHODS = Set.of("get", "post", "put", "delete", "patch");

  private OpenApi() {}

  /**
   * The JSON object in the classpath resource {@code resource} next to {@code owner}.
   *
   * @throws IllegalStateException when the resource is missing or not a JSON object
   */
  public static ObjectNode resource(Class<?> owner, String resource) {
    try (InputStream in = owner.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "the OpenAPI part " + resource + " is not on the classpath");
      }
      JsonNode node = Json.mapper().readTree(in);
      if (!(node instanceof ObjectNode o)) {
        throw new IllegalStateException("the OpenAPI part " + resource + " is not a JSON object");
      }
      return o;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the OpenAPI part " + resource, e);
    }
  }

  /**
   * {@code base} with {@code parts} merged in: their paths, components and tags added.
   *
   * @throws IllegalArgumentException when a part has another top-level key, describes an operation
   *     (method and path) or an operationId already described, or defines a component under a name
   *     already taken by a different definition
   */
  public static ObjectNode merge(JsonNode base, List<? extends JsonNode> parts) {
    ObjectNode doc = base.deepCopy();
    ObjectNode paths = objectAt(doc, "paths");
    ObjectNode components = objectAt(doc, "components");
    ArrayNode tags = doc.has("tags") ? (ArrayNode) doc.get("tags") : doc.putArray("tags");
    Set<String> operationIds = new HashSet<>();
    operationIds(doc, operationIds);
    for (JsonNode part : parts) {
      for (Map.Entry<String, JsonNode> e : part.properties()) {
        if (!PART_KEYS.contains(e.getKey())) {
          throw new IllegalArgumentException(
              "an OpenAPI part may hold " + PART_KEYS + " only, but has " + e.getKey());
        }
      }
      operationIds(part, operationIds);
      for (Map.Entry<String, JsonNode> path : part.path("paths").properties()) {
        ObjectNode into = objectAt(paths, path.getKey());
        for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
          if (into.has(op.getKey())) {
            throw new IllegalArgumentException(
                "two parts of the OpenAPI document describe " + op.getKey() + " " + path.getKey());
          }
          into.set(op.getKey(), op.getValue().deepCopy());
        }
      }
      for (Map.Entry<String, JsonNode> section : part.path("components").properties()) {
        ObjectNode into = objectAt(components, section.getKey());
        for (Map.Entry<String, JsonNode> c : section.getValue().properties()) {
          JsonNode taken = into.get(c.getKey());
          if (taken != null && !taken.equals(c.getValue())) {
            throw new IllegalArgumentException(
                "two parts of the OpenAPI document define components."
                    + section.getKey()
                    + "."
                    + c.getKey()
                    + " differently");
          }
          into.set(c.getKey(), c.getValue().deepCopy());
        }
      }
      for (JsonNode tag : part.path("tags")) {
        boolean known = false;
        for (JsonNode t : tags) {
          known |= t.path("name").equals(tag.path("name"));
        }
        if (!known) {
          tags.add(tag.deepCopy());
        }
      }
    }
    return doc;
  }

  /** {@code "METHOD /path"} of every operation {@code doc} describes, sorted. */
  public static SortedSet<String> operations(JsonNode doc) {
    SortedSet<String> out = new TreeSet<>();
    for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
      for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
        if (METHODS.contains(op.getKey())) {
          out.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
        }
      }
    }
    return out;
  }

  /**
   * {@code "METHOD /path"} of every route registered on {@code app} (GET, POST, PUT, DELETE,
   * PATCH), sorted, in the form {@link #operations} gives: what a test compares with the document.
   */
  public static SortedSet<String> routes(Javalin app) {
    SortedSet<String> out = new TreeSet<>();
    app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
        .map(h -> h.getEndpoint())
        .filter(e -> METHODS.contains(e.getMethod().name().toLowerCase(Locale.ROOT)))
        .forEach(e -> out.add(e.getMethod().name() + " " + e.getPath()));
    return out;
  }

  /** Adds the operationIds of {@code doc} to {@code seen}, refusing one seen before. */
  private static void operationIds(JsonNode doc, Set<String> seen) {
    for (Map.Entry<String, JsonNode> path : doc.path("paths").properties()) {
      for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
        JsonNode id = op.getValue().get("operationId");
        if (id != null && !seen.add(id.asText())) {
          throw new IllegalArgumentException(
              "operationId " + id.asText() + " is used twice in the OpenAPI document");
        }
      }
    }
  }

  private static ObjectNode objectAt(ObjectNode parent, String key) {
    JsonNode n = parent.get(key);
    return n instanceof ObjectNode o ? o : parent.putObject(key);
  }
}
