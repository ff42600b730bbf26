package io.bulwark.diagnose.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.diagnose.ChangeEvent;
import io.bulwark.diagnose.Observation;
import io.bulwark.diagnose.Point;
import io.bulwark.diagnose.Series;
import io.bulwark.diagnose.Telemetry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Telemetry as the API serves it: {@code {"series":[{"component","metric","points":[[epochMillis,
 * value]…]}…],"observations":[{"at","component","kind","attributes"}…],"changes":[{"id","kind",
 * "component","at","until","description"}…]}}.
 */
public final class TelemetryJson {

  private TelemetryJson() {}

  /** {@code telemetry} as a JSON-ready map. */
  public static Map<String, Object> write(Telemetry telemetry) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put(
        "series",
        telemetry.series().stream()
            .map(
                s -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("component", s.component());
                  m.put("metric", s.metric());
                  m.put(
                      "points",
                      s.points().stream()
                          .map(p -> List.of(p.at().toEpochMilli(), p.value()))
                          .toList());
                  return m;
                })
            .toList());
    json.put(
        "observations",
        telemetry.observations().stream()
            .map(
                o -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("at", o.at().toString());
                  m.put("component", o.component());
                  m.put("kind", o.kind());
                  m.put("attributes", o.attributes());
                  return m;
                })
            .toList());
    json.put(
        "changes",
        telemetry.changes().stream()
            .map(
                c -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("id", c.id());
                  m.put("kind", c.kind().name());
                  m.put("component", c.component());
                  m.put("at", c.at().toString());
                  m.put("until", c.until().map(Instant::toString).orElse(null));
                  m.put("description", c.description());
                  return m;
                })
            .toList());
    return json;
  }

  /**
   * Reads what {@link #write} wrote.
   *
   * @throws IllegalArgumentException when {@code json} is not telemetry
   */
  public static Telemetry read(JsonNode json) {
    try {
      List<Series> series = new ArrayList<>();
      for (JsonNode s : json.withArray("series")) {
        List<Point> points = new ArrayList<>();
        for (JsonNode p : s.withArray("points")) {
          points.add(new Point(Instant.ofEpochMilli(p.get(0).asLong()), p.get(1).asDouble()));
        }
        series.add(new Series(s.get("component").asText(), s.get("metric").asText(), points));
      }
      List<Observation> observations = new ArrayList<>();
      for (JsonNode o : json.withArray("observations")) {
        Map<String, String> attributes = new LinkedHashMap<>();
        o.get("attributes")
            .properties()
            .forEach(e -> attributes.put(e.getKey(), e.getValue().asText()));
        observations.add(
            new Observation(
                Instant.parse(o.get("at").asText()),
                o.get("component").asText(),
                o.get("kind").asText(),
                attributes));
      }
      List<ChangeEvent> changes = new ArrayList<>();
      for (JsonNode c : json.withArray("changes")) {
        changes.add(
            new ChangeEvent(
                c.get("id").asText(),
                ChangeEvent.Kind.valueOf(c.get("kind").asText()),
                c.get("component").asText(),
                Instant.parse(c.get("at").asText()),
                c.hasNonNull("until")
                    ? Optional.of(Instant.parse(c.get("until").asText()))
                    : Optional.empty(),
                c.get("description").asText()));
      }
      return new Telemetry(series, observations, changes);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not telemetry: " + e.getMessage(), e);
    }
  }
}
