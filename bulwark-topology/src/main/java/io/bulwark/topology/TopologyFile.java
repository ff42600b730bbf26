package io.bulwark.topology;

import io.bulwark.topology.internal.TopologyParser;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads {@code bulwark.yaml}. Every problem is collected (syntax, unknown keys, types, bad
 * durations, min > max, dangling references, weights, a DR strategy the topology cannot deliver)
 * and reported together, each naming file, line and field.
 */
public final class TopologyFile {

  private TopologyFile() {}

  /**
   * Loads and validates {@code file}.
   *
   * @throws InvalidTopologyException with every error when the file is unreadable or invalid
   */
  public static Topology load(Path file) {
    String name = file.toString();
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new InvalidTopologyException(
          List.of(new TopologyError(name, 0, "", "no such file")), e);
    } catch (MalformedInputException e) {
      throw new InvalidTopologyException(
          List.of(new TopologyError(name, 0, "", "not UTF-8 text")), e);
    } catch (IOException e) {
      throw new InvalidTopologyException(
          List.of(new TopologyError(name, 0, "", "cannot read: " + e.getMessage())), e);
    }
    return parse(name, text);
  }

  /**
   * Parses and validates {@code text}; {@code file} names it in errors.
   *
   * @throws InvalidTopologyException with every error when the text is invalid
   */
  public static Topology parse(String file, String text) {
    List<TopologyError> errors = new ArrayList<>();
    Optional<Topology> topology = TopologyParser.parse(file, text, errors);
    if (!errors.isEmpty() || topology.isEmpty()) {
      if (errors.isEmpty()) {
        errors.add(new TopologyError(file, 0, "", "no usable topology in the file"));
      }
      throw new InvalidTopologyException(errors);
    }
    return topology.get();
  }

  /** Every error in {@code text}, in file order; empty when it is a valid topology. */
  public static List<TopologyError> errors(String file, String text) {
    List<TopologyError> errors = new ArrayList<>();
    TopologyParser.parse(file, text, errors);
    return errors;
  }

  /**
   * The JSON Schema of the file format, for editors (what {@code bulwark topology schema} prints).
   */
  public static String jsonSchema() {
    return TopologyParser.jsonSchema();
  }
}
