package io.bulwark.states.internal.jsonata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bulwark.states.StatesError;
import io.bulwark.states.internal.jsonata.JsonataEvaluator.Scope;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonataEvaluatorTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return MAPPER.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private static Scope scope(String input) {
    return new Scope(
        "S",
        2,
        json(input),
        null,
        null,
        json("{\"Execution\":{\"Name\":\"e\"}}"),
        Map.of("greeting", json("\"hi\"")));
  }

  private static JsonNode eval(String template, String input) {
    return JsonataEvaluator.evaluate(json(template), "Output", scope(input));
  }

  @Test
  void replacesExpressionsAnywhereInsideObjectsAndArraysAndKeepsOtherValues() {
    assertThat(
            eval(
                "{\"a\":\"{% $states.input.x + 1 %}\",\"b\":[\"{% $greeting %}\",\"$greeting\"],"
                    + "\"c\":\"{% $states.context.Execution.Name %}\",\"d\":3}",
                "{\"x\":1}"))
        .isEqualTo(json("{\"a\":2,\"b\":[\"hi\",\"$greeting\"],\"c\":\"e\",\"d\":3}"));
  }

  @Test
  void keepsJsonNullApartFromUndefined() {
    assertThat(eval("\"{% $states.input.n %}\"", "{\"n\":null}")).isEqualTo(json("null"));
    assertThatThrownBy(() -> eval("{\"result\":\"{% $doesNotExist %}\"}", "{}"))
        .isInstanceOfSatisfying(
            StatesError.class,
            e -> {
              assertThat(e.error()).isEqualTo("States.QueryEvaluationError");
              assertThat(e.causeText())
                  .isEqualTo(
                      "An error occurred while executing the state 'S' (entered at the event id"
                          + " #2). The JSONata expression '$doesNotExist' specified for the field"
                          + " 'Output/result' returned nothing (undefined).");
            });
  }

  @Test
  void reportsEvaluationErrorsWithTheJsonataCode() {
    assertThatThrownBy(() -> eval("\"{% $nope(1) %}\"", "{}"))
        .isInstanceOfSatisfying(
            StatesError.class,
            e ->
                assertThat(e.causeText())
                    .endsWith(
                        "The JSONata expression '$nope(1)' specified for the field 'Output' threw"
                            + " an error during evaluation. T1006: Attempted to invoke a"
                            + " non-function"));
  }

  @Test
  void rejectsFunctionResults() {
    assertThatThrownBy(() -> eval("\"{% function($x){$x} %}\"", "{}"))
        .hasMessageContaining("returned an unsupported result type.");
  }

  @Test
  void printsIntegralNumbersWithoutFraction() {
    assertThat(eval("\"{% 10 / 4 %}\"", "{}")).isEqualTo(json("2.5"));
    assertThat(eval("\"{% 10 / 2 %}\"", "{}")).isEqualTo(json("5"));
  }

  @Test
  void providesTheStepFunctionsFunctions() {
    assertThat(eval("\"{% $partition([1,2,3,4,5], 2) %}\"", "{}"))
        .isEqualTo(json("[[1,2],[3,4],[5]]"));
    assertThat(eval("\"{% $range(0, 10, 2) %}\"", "{}")).isEqualTo(json("[0,2,4,6,8,10]"));
    assertThat(eval("\"{% $range(5, 1, -2) %}\"", "{}")).isEqualTo(json("[5,3,1]"));
    assertThat(eval("\"{% $hash('input data', 'SHA-1') %}\"", "{}").asText())
        .isEqualTo("aaff4a450a104cd177d28d18d74485e8cae074b7");
    assertThat(eval("\"{% $parse('{\\\"a\\\":[1,true]}') %}\"", "{}"))
        .isEqualTo(json("{\"a\":[1,true]}"));
    assertThat(eval("\"{% $uuid() %}\"", "{}").asText()).hasSize(36);
    double r = eval("\"{% $random() %}\"", "{}").asDouble();
    assertThat(r).isBetween(0.0, 1.0);
    assertThat(eval("\"{% $random(7) %}\"", "{}")).isEqualTo(eval("\"{% $random(7) %}\"", "{}"));
  }

  @Test
  void hasNoEval() {
    assertThatThrownBy(() -> eval("\"{% $eval('1') %}\"", "{}"))
        .hasMessageContaining("T1006: Attempted to invoke a non-function");
  }

  @Test
  void checksResultTypesOfTypedFields() {
    assertThatThrownBy(
            () -> JsonataEvaluator.array(json("\"{% 'string' %}\""), "Items", scope("{}")))
        .hasMessageEndingWith(
            "The JSONata expression ''string'' specified for the field 'Items' returned an"
                + " unexpected result type. Expected 'array', but was 'string' for value:"
                + " \"string\"");
    assertThat(JsonataEvaluator.condition(json("\"{% 1 < 2 %}\""), "Condition", scope("{}")))
        .isTrue();
  }

  @Test
  void reportsSyntaxErrors() {
    assertThat(JsonataEvaluator.syntaxError("{% 1 + %}")).isPresent();
    assertThat(JsonataEvaluator.syntaxError("{% 1 + 2 %}")).isEmpty();
  }

  @Test
  void stopsRunawayRecursionWithAQueryEvaluationError() {
    assertThatThrownBy(() -> eval("\"{% ($f := function($n){ 1 + $f($n + 1) }; $f(0)) %}\"", "{}"))
        .isInstanceOfSatisfying(
            StatesError.class,
            e -> {
              assertThat(e.error()).isEqualTo("States.QueryEvaluationError");
              assertThat(e.causeText()).contains("threw an error during evaluation");
            });
  }
}
