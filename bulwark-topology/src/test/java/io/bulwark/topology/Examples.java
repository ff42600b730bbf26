package io.bulwark.topology;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shipped example topologies live, seen from this module. */
final class Examples {
  private Examples() {}

  static Path dir() {
    Path p = Path.of("..", "examples");
    if (!Files.isDirectory(p)) {
      throw new IllegalStateException("examples/ not found from " + Path.of("").toAbsolutePath());
    }
    return p;
  }

  static Path file(String name) {
    return dir().resolve(name);
  }

  static Topology load(String name) {
    return TopologyFile.load(file(name));
  }
}
