package io.bulwark.topology.internal;

import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyError;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The pipeline behind {@link io.bulwark.topology.TopologyFile}: YAML with line numbers, the shape
 * check (unknown keys, types, durations), binding with the profile's defaults, then the checks
 * across parts (references, counts, DR gaps). The only entry point of this package.
 */
public final class TopologyParser {

  private TopologyParser() {}

  /**
   * Adds every problem in {@code text} to {@code errors}, sorted by line, and returns the topology
   * when it could be bound (which may still have errors).
   */
  public static Optional<Topology> parse(String file, String text, List<TopologyError> errors) {
    YamlNode root = YamlReader.read(file, text, errors);
    if (root == null) {
      return Optional.empty();
    }
    ShapeChecker.check(file, root, TopologySchema.ROOT, errors);
    if (!(root instanceof YamlNode.MapNode)) {
      return Optional.empty();
    }
    Locator locator = Locator.of(root);
    TopologyBinder.Bound bound = TopologyBinder.bind(file, root, locator, errors);
    bound
        .topology()
        .ifPresent(t -> TopologyValidator.validate(file, t, locator, bound.origins(), errors));
    errors.sort(Comparator.comparingInt(TopologyError::line));
    return bound.topology();
  }

  /** The JSON Schema of the file format, pretty-printed, ending with a newline. */
  public static String jsonSchema() {
    return JsonSchemaWriter.topologySchema();
  }
}
