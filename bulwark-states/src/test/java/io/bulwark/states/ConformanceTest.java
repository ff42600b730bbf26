package io.bulwark.states;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs every case in src/test/resources/conformance: definition, input, mocks, expected. */
class ConformanceTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * The shared corpus ({@code /conformance}, also run durably) and the cases whose causes need the
   * in-memory runner's history event ids or Catch-time variables ({@code /conformance-inmemory}).
   */
  static Stream<Arguments> cases() throws IOException, URISyntaxException {
    List<Path> files = new ArrayList<>();
    for (String dir : List.of("/conformance", "/conformance-inmemory")) {
      try (Stream<Path> list =
          Files.list(Path.of(ConformanceTest.class.getResource(dir).toURI()))) {
        list.filter(p -> p.toString().endsWith(".json")).forEach(files::add);
      }
    }
    return files.stream()
        .sorted(Comparator.comparing(p -> p.getFileName().toString()))
        .map(p -> Arguments.of(p.getFileName().toString(), p));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void behavesAsStepFunctionsDocumentsFor(String name, Path file) throws IOException {
    JsonNode c = MAPPER.readTree(Files.readString(file));
    JsonNode mocks = c.path("mocks");
    TaskHandler tasks =
        (state, resource, input, attempt) -> {
          JsonNode response = null;
          Iterator<String> keys = mocks.path(state).fieldNames();
          while (keys.hasNext()) {
            String key = keys.next();
            String[] r = key.split("-");
            int from = Integer.parseInt(r[0]);
            int to = r.length > 1 ? Integer.parseInt(r[1]) : from;
            if (attempt >= from && attempt <= to) {
              response = mocks.get(state).get(key);
            }
          }
          if (response == null) {
            throw new StatesError("States.TaskFailed", "no mock");
          }
          if (response.has("Throw")) {
            throw new StatesError(
                response.get("Throw").path("Error").asText(null),
                response.get("Throw").path("Cause").asText(null));
          }
          return response.get("Return");
        };
    ExecutionResult result =
        StateMachine.of(c.get("definition").toString(), "Conformance")
            .run(c.path("input"), tasks, d -> {});
    ObjectNode actual = result.toJson();
    JsonNode expected = c.get("expected");
    if (!expected.has("cause")) {
      actual.remove("cause");
    }
    assertThat(MAPPER.readTree(actual.toString())).as(name).isEqualTo(expected);
  }
}
