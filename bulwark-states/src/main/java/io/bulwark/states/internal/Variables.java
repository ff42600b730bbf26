package io.bulwark.states.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Workflow variables and the interpreter's other per-scope bookkeeping, kept in a reserved entry of
 * the context object so that they travel (and are persisted) with it: a Parallel branch or Map
 * iteration gets a copy of its parent's context, so it reads the outer variables while its own
 * assignments stay in its scope, as Step Functions scopes them. {@link #visible} is what {@code $$}
 * and {@code $states.context} show.
 */
public final class Variables {
  /** The reserved context entry; never shown to a definition. */
  static final String RESERVED = "__bulwark";

  private Variables() {}

  private static ObjectNode reserved(ObjectNode context) {
    JsonNode r = context.get(RESERVED);
    return r instanceof ObjectNode o ? o : context.putObject(RESERVED);
  }

  /** The variables visible in the context's scope. */
  public static Map<String, JsonNode> of(ObjectNode context) {
    Map<String, JsonNode> vars = new LinkedHashMap<>();
    JsonNode r = context.get(RESERVED);
    if (r != null) {
      r.path("variables").properties().forEach(e -> vars.put(e.getKey(), e.getValue()));
    }
    return vars;
  }

  /** Sets variables (all at once, after the assigning state's expressions were evaluated). */
  public static void assign(ObjectNode context, Map<String, JsonNode> values) {
    if (values.isEmpty()) {
      return;
    }
    ObjectNode r = reserved(context);
    JsonNode existing = r.get("variables");
    ObjectNode vars = existing instanceof ObjectNode o ? o : r.putObject("variables");
    values.forEach((name, value) -> vars.set(name, value.deepCopy()));
  }

  /** The query language branches created from this context inherit, or null. */
  static String inheritedQueryLanguage(ObjectNode context) {
    JsonNode r = context.get(RESERVED);
    return r == null ? null : r.path("queryLanguage").asText(null);
  }

  static void inheritQueryLanguage(ObjectNode context, String language) {
    reserved(context).put("queryLanguage", language);
  }

  /**
   * The history event id at which the current state was entered, when the runner counts events (0
   * otherwise).
   */
  public static long enteredEventId(ObjectNode context) {
    JsonNode r = context.get(RESERVED);
    return r == null ? 0 : r.path("enteredEventId").asLong(0);
  }

  /** Records the history event id at which the current state was entered. */
  public static void enteredEventId(ObjectNode context, long id) {
    reserved(context).put("enteredEventId", id);
  }

  /** The context object as a definition sees it, without the reserved entry. */
  public static ObjectNode visible(ObjectNode context) {
    if (!context.has(RESERVED)) {
      return context;
    }
    ObjectNode copy = context.deepCopy();
    copy.remove(RESERVED);
    return copy;
  }
}
