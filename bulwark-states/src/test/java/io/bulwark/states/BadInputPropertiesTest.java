package io.bulwark.states;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever the definition or input, validation answers with a list and a run ends with a result:
 * nothing a user writes makes the engine throw.
 */
class BadInputPropertiesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Provide
  Arbitrary<JsonNode> values() {
    Arbitrary<JsonNode> scalars =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(12).map(F::textNode),
            Arbitraries.of(
                    "$",
                    "$.a",
                    "$$",
                    "$.a[0]",
                    "{% $states.input %}",
                    "{% 1 + %}",
                    "States.Format('{}')",
                    "$x")
                .map(F::textNode),
            Arbitraries.integers().between(-5, 5).map(F::numberNode),
            Arbitraries.of(true, false).map(F::booleanNode),
            Arbitraries.just(F.nullNode()));
    Arbitrary<JsonNode> arrays =
        scalars
            .list()
            .ofMaxSize(3)
            .map(
                l -> {
                  var a = F.arrayNode();
                  l.forEach(a::add);
                  return (JsonNode) a;
                });
    return Arbitraries.frequencyOf(Tuple.of(4, scalars), Tuple.of(1, arrays));
  }

  @Provide
  Arbitrary<String> fields() {
    return Arbitraries.of(
        "Type",
        "Next",
        "End",
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultPath",
        "ResultSelector",
        "Result",
        "Arguments",
        "Output",
        "Assign",
        "QueryLanguage",
        "Seconds",
        "Timestamp",
        "SecondsPath",
        "Items",
        "ItemsPath",
        "Choices",
        "Default",
        "Error",
        "Cause",
        "ErrorPath",
        "Retry",
        "Catch",
        "TimeoutSeconds",
        "HeartbeatSeconds",
        "Resource");
  }

  private static ObjectNode machine(
      String type, List<String> fields, List<JsonNode> values, boolean jsonata) {
    ObjectNode state = F.objectNode().put("Type", type);
    for (int i = 0; i < fields.size() && i < values.size(); i++) {
      if (!fields.get(i).equals("Type")) {
        state.set(fields.get(i), values.get(i));
      }
    }
    ObjectNode m = F.objectNode().put("StartAt", "S");
    if (jsonata) {
      m.put("QueryLanguage", "JSONata");
    }
    m.putObject("States").set("S", state);
    return m;
  }

  @Property(tries = 1000)
  void validationAndRunsNeverThrow(
      @ForAll("types") String type,
      @ForAll("fieldLists") List<String> fields,
      @ForAll("valueLists") List<JsonNode> values,
      @ForAll boolean jsonata,
      @ForAll("values") JsonNode input) {
    ObjectNode def = machine(type, fields, values, jsonata);
    List<String> errors = StateMachine.validate(def);
    assertThat(errors).isNotNull();
    Statistics.collect(errors.isEmpty() ? "valid" : "invalid");
    if (errors.isEmpty()) {
      ExecutionResult r =
          StateMachine.of(def.toString(), "fuzz")
              .run(input, (s, res, in, attempt) -> MAPPER.createObjectNode(), d -> {});
      assertThat(r.status()).isIn("SUCCEEDED", "FAILED", "TIMED_OUT");
    }
  }

  @Provide
  Arbitrary<String> types() {
    return Arbitraries.of("Pass", "Task", "Wait", "Succeed", "Fail", "Choice", "Map", "Parallel");
  }

  @Provide
  Arbitrary<List<String>> fieldLists() {
    return fields().list().ofMaxSize(4);
  }

  @Provide
  Arbitrary<List<JsonNode>> valueLists() {
    return values().list().ofMaxSize(4);
  }
}
