package io.bulwark.topology.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.bulwark.topology.TopologyError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads one YAML document into a {@link YamlNode} tree that remembers lines. */
final class YamlReader {

  private static final YAMLFactory FACTORY = new YAMLFactory();

  private final String file;
  private final List<TopologyError> errors;

  private YamlReader(String file, List<TopologyError> errors) {
    this.file = file;
    this.errors = errors;
  }

  /**
   * Parses {@code text}; syntax errors and duplicate keys are added to {@code errors}. Returns null
   * when there is no usable document.
   */
  static YamlNode read(String file, String text, List<TopologyError> errors) {
    return new YamlReader(file, errors).read(text);
  }

  private YamlNode read(String text) {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        errors.add(new TopologyError(file, 0, "", "the file is empty, expected a topology"));
        return null;
      }
      YamlNode root = node(p, "");
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        errors.add(
            new TopologyError(
                file,
                line(p.currentTokenLocation()),
                "",
                "only one YAML document is allowed, got a second one"));
      }
      return root;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      errors.add(
          new TopologyError(
              file,
              at == null ? 0 : line(at),
              "",
              "not valid YAML: " + firstLine(e.getOriginalMessage())));
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read YAML text of " + file, e);
    }
  }

  private YamlNode node(JsonParser p, String path) throws IOException {
    int line = line(p.currentTokenLocation());
    JsonToken t = p.currentToken();
    switch (t) {
      case START_OBJECT -> {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String key = p.currentName();
          int keyLine = line(p.currentTokenLocation());
          p.nextToken();
          String childPath = path.isEmpty() ? key : path + "." + key;
          YamlNode value = node(p, childPath);
          if (entries.containsKey(key)) {
            errors.add(
                new TopologyError(
                    file,
                    keyLine,
                    childPath,
                    "duplicate key, first given on line " + entries.get(key).keyLine()));
          } else {
            entries.put(key, new YamlNode.Entry(key, keyLine, value));
          }
        }
        return new YamlNode.MapNode(line, entries);
      }
      case START_ARRAY -> {
        List<YamlNode> items = new ArrayList<>();
        int i = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
          items.add(node(p, path + "[" + i++ + "]"));
        }
        return new YamlNode.ListNode(line, items);
      }
      case VALUE_STRING -> {
        return new YamlNode.Scalar(line, p.getText(), YamlNode.Scalar.Kind.STRING);
      }
      case VALUE_NUMBER_INT -> {
        return new YamlNode.Scalar(line, p.getText(), YamlNode.Scalar.Kind.INTEGER);
      }
      case VALUE_NUMBER_FLOAT -> {
        return new YamlNode.Scalar(line, p.getText(), YamlNode.Scalar.Kind.FLOAT);
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return new YamlNode.Scalar(
            line, String.valueOf(t == JsonToken.VALUE_TRUE), YamlNode.Scalar.Kind.BOOLEAN);
      }
      case VALUE_NULL -> {
        return new YamlNode.Scalar(line, "null", YamlNode.Scalar.Kind.NULL);
      }
      default -> {
        errors.add(new TopologyError(file, line, path, "unsupported YAML content, got " + t));
        return new YamlNode.Scalar(line, "null", YamlNode.Scalar.Kind.NULL);
      }
    }
  }

  private static int line(JsonLocation at) {
    return Math.max(0, at.getLineNr());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable content";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }
}
