package io.bulwark.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.bulwark.kernel.Json;
import io.javalin.http.Context;

/**
 * Reads request bodies strictly: malformed JSON, unknown fields and wrong types become a {@link
 * BadRequest} that names the field by JSON path and says what was expected.
 */
public final class JsonBody {

  /**
   * The shared mapper, refusing a number or a boolean where a string is expected: {@code 5} for a
   * name is a mistake to name, not a name to read as {@code "5"}.
   */
  private static final ObjectMapper STRICT = strict();

  private JsonBody() {}

  private static ObjectMapper strict() {
    ObjectMapper m = Json.mapper().copy();
    m.coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return m;
  }

  /** The body of {@code ctx} as {@code type}; throws {@link BadRequest} when it is not one. */
  public static <T> T read(Context ctx, Class<T> type) {
    String body = ctx.body();
    if (body.isBlank()) {
      throw new BadRequest(null, "request body is empty; expected a JSON object");
    }
    try {
      T value = STRICT.readValue(body, type);
      if (value == null) {
        throw new BadRequest(null, "request body is null; expected a JSON object");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw new BadRequest(path(e), "unknown field \"" + e.getPropertyName() + "\"", e);
    } catch (InvalidFormatException e) {
      throw new BadRequest(
          path(e),
          "expected "
              + describe(e.getTargetType())
              + " but got "
              + String.valueOf(e.getValue()).replaceAll("\\s+", " "),
          e);
    } catch (MismatchedInputException e) {
      throw new BadRequest(path(e), "expected " + describe(e.getTargetType()), e);
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      String reason = cause != null && cause.getMessage() != null ? cause.getMessage() : "invalid";
      throw new BadRequest(path(e), reason, e);
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      throw new BadRequest(
          null,
          "malformed JSON at line "
              + (loc == null ? "?" : loc.getLineNr())
              + ", column "
              + (loc == null ? "?" : loc.getColumnNr())
              + ": "
              + e.getOriginalMessage(),
          e);
    }
  }

  /** The JSON path of the element a mapping error is about, like {@code $.items[0].sku}. */
  static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder("$");
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      } else if (ref.getFieldName() != null) {
        sb.append('.').append(ref.getFieldName());
      }
    }
    return sb.toString();
  }

  private static String describe(Class<?> type) {
    if (type == null) {
      return "a different value";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == int.class
        || type == Integer.class
        || type == long.class
        || type == Long.class
        || type == short.class) {
      return "an integer";
    }
    if (type == double.class || type == Double.class || type == java.math.BigDecimal.class) {
      return "a number";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true or false";
    }
    if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
      return "an array";
    }
    if (type.isEnum()) {
      return "one of " + java.util.Arrays.toString(type.getEnumConstants());
    }
    return "an object";
  }
}
