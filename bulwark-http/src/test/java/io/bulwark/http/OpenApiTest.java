package io.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.kernel.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenApiTest {

  static final JsonNode BASE =
      Json.parse(
          """
          {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
           "tags": [{"name": "meta"}],
           "paths": {"/health": {"get": {"operationId": "health"}}},
           "components": {"schemas": {"Problem": {"type": "object"}}}}
          """);

  static JsonNode part(String json) {
    return Json.parse(json);
  }

  @Test
  void addsEachPartsPathsComponentsAndTagsToTheBase() {
    ObjectNode doc =
        OpenApi.merge(
            BASE,
            List.of(
                part(
                    """
                    {"tags": [{"name": "a"}, {"name": "meta"}],
                     "paths": {"/a": {"get": {"operationId": "getA"}},
                               "/health": {"post": {"operationId": "poke"}}},
                     "components": {"schemas": {"A": {"type": "string"},
                                                "Problem": {"type": "object"}}}}
                    """),
                part("{\"paths\": {\"/a\": {\"put\": {\"operationId\": \"putA\"}}}}")));
    assertThat(doc.at("/paths/~1a").fieldNames()).toIterable().containsExactly("get", "put");
    assertThat(doc.at("/paths/~1health").fieldNames()).toIterable().containsExactly("get", "post");
    assertThat(doc.at("/components/schemas").fieldNames())
        .toIterable()
        .containsExactly("Problem", "A");
    assertThat(doc.get("tags").findValuesAsText("name")).containsExactly("meta", "a");
    assertThat(doc.at("/info/title").asText()).isEqualTo("t");
    assertThat(BASE.at("/paths/~1a").isMissingNode()).as("the base is not changed").isTrue();
  }

  @Test
  void refusesAnOperationOrOperationIdDescribedTwice() {
    assertThatThrownBy(
            () -> OpenApi.merge(BASE, List.of(part("{\"paths\": {\"/health\": {\"get\": {}}}}"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("two parts of the OpenAPI document describe get /health");
    assertThatThrownBy(
            () ->
                OpenApi.merge(
                    BASE,
                    List.of(
                        part("{\"paths\": {\"/b\": {\"get\": {\"operationId\": \"health\"}}}}"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("operationId health is used twice in the OpenAPI document");
  }

  @Test
  void refusesAComponentDefinedDifferentlyAndAnythingButPathsComponentsAndTags() {
    assertThatThrownBy(
            () ->
                OpenApi.merge(
                    BASE,
                    List.of(
                        part(
                            "{\"components\": {\"schemas\": {\"Problem\": {\"type\":"
                                + " \"string\"}}}}"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "two parts of the OpenAPI document define components.schemas.Problem differently");
    assertThatThrownBy(() -> OpenApi.merge(BASE, List.of(part("{\"info\": {}}"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("but has info");
  }

  @Test
  void namesAMissingResource() {
    assertThatThrownBy(() -> OpenApi.resource(OpenApiTest.class, "/openapi/none.json"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the OpenAPI part /openapi/none.json is not on the classpath");
  }
}
