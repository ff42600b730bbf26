package io.bulwark.topology;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shipped example topologies live, seen from this module. */
public final class Examples {
  private Examples() {}

  public static Path dir() {
    Path p = Path.of("..", "examples");
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("examples/ not found from " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  public static Path file(String name) {
    return dir().resolve(name);
  }

  public static Topology load(String name) {
    return TopologyFile.load(file(name));
  }
}
