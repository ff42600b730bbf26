package io.bulwark.topology.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML value together with the line it starts on. Jackson's tree model drops token locations, so
 * the topology reader builds this small tree from the streaming parser instead.
 */
sealed interface YamlNode {

  /** 1-based line of the value in its file. */
  int line();

  /** How the value reads in an error message: scalars quoted when textual. */
  String describe();

  /** A mapping; keys keep file order. */
  record MapNode(int line, Map<String, Entry> entries) implements YamlNode {
    public MapNode {
      entries = new LinkedHashMap<>(entries);
    }

    @Override
    public String describe() {
      return "a mapping";
    }
  }

  /** One key of a mapping, with the key's own line. */
  record Entry(String key, int keyLine, YamlNode value) {}

  /** A sequence. */
  record ListNode(int line, List<YamlNode> items) implements YamlNode {
    public ListNode {
      items = List.copyOf(items);
    }

    @Override
    public String describe() {
      return "a list";
    }
  }

  /** A scalar: text as written, and what YAML made of it. */
  record Scalar(int line, String text, Kind kind) implements YamlNode {
    /** The YAML type the parser gave the scalar. */
    public enum Kind {
      STRING,
      INTEGER,
      FLOAT,
      BOOLEAN,
      NULL
    }

    /** Longest value quoted in full in an error message; longer ones are cut with an ellipsis. */
    static final int SHOWN = 60;

    @Override
    public String describe() {
      String shown = text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "…";
      return switch (kind) {
        case STRING -> '"' + shown + '"';
        case NULL -> "null";
        default -> shown;
      };
    }
  }
}
