package io.bulwark.topology.internal;

import java.util.HashMap;
import java.util.Map;

/** Finds the line of a field path such as {@code services[0].instances.max} in a parsed file. */
final class Locator {

  private final Map<String, Integer> lines = new HashMap<>();

  /** Indexes every path of {@code root}; mapping entries point at their key's line. */
  static Locator of(YamlNode root) {
    Locator l = new Locator();
    if (root != null) {
      l.lines.put("", root.line());
      l.index(root, "");
    }
    return l;
  }

  private void index(YamlNode node, String path) {
    switch (node) {
      case YamlNode.MapNode map ->
          map.entries()
              .values()
              .forEach(
                  e -> {
                    String child = ShapeChecker.join(path, e.key());
                    lines.put(child, e.keyLine());
                    index(e.value(), child);
                  });
      case YamlNode.ListNode list -> {
        for (int i = 0; i < list.items().size(); i++) {
          String child = path + "[" + i + "]";
          lines.put(child, list.items().get(i).line());
          index(list.items().get(i), child);
        }
      }
      case YamlNode.Scalar s -> {}
    }
  }

  /** The line of {@code path}, else of its nearest parent present in the file, else 0. */
  int line(String path) {
    String p = path;
    while (true) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      if (p.isEmpty()) {
        return 0;
      }
      int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      p = cut < 0 ? "" : p.substring(0, cut);
    }
  }
}
