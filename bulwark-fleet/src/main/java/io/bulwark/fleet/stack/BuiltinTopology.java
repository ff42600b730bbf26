package io.bulwark.fleet.stack;

import io.bulwark.topology.Topology;
import io.bulwark.topology.TopologyFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The topology {@code bulwark up} runs without a file: one region, three zones, three instances.
 */
public final class BuiltinTopology {
  private static final String RESOURCE = "/io/bulwark/fleet/local-demo.yaml";

  private BuiltinTopology() {}

  /** Its YAML text. */
  public static String yaml() {
    try (InputStream in = BuiltinTopology.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  /** The parsed topology ({@code local-demo}). */
  public static Topology topology() {
    return TopologyFile.parse("builtin:local-demo", yaml());
  }
}
