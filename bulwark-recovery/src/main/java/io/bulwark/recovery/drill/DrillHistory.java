package io.bulwark.recovery.drill;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The record of past drills: one JSON line per drill ({@link DrillResult#summary()}) in {@code
 * <home>/drill/<topology>/drills.jsonl}, so RTO and RPO can be compared across rehearsals.
 */
public final class DrillHistory {
  /** The file name of a topology's drill record. */
  public static final String FILE = "drills.jsonl";

  private final Path root;

  private DrillHistory(Path root) {
    this.root = root;
  }

  /** The history kept under {@code home}: {@code home/drill}. */
  public static DrillHistory in(Path home) {
    return new DrillHistory(home.resolve("drill"));
  }

  /** The directory of {@code topology}'s drills. */
  public Path dir(String topology) {
    return root.resolve(topology);
  }

  /** Appends {@code result}'s summary to its topology's record. */
  public void append(DrillResult result) {
    Path file = dir(result.topology()).resolve(FILE);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(
          file,
          Json.write(result.summary()) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file, e);
    }
  }

  /**
   * Every drill recorded, of {@code topology} (every topology when null), oldest first. A line that
   * does not parse (a drill killed while writing) is skipped.
   */
  public List<JsonNode> read(String topology) {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return out;
    }
    List<Path> files = new ArrayList<>();
    if (topology != null) {
      files.add(dir(topology).resolve(FILE));
    } else {
      try (Stream<Path> dirs = Files.list(root)) {
        dirs.map(d -> d.resolve(FILE)).forEach(files::add);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + root, e);
      }
    }
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        continue;
      }
      try {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          if (line.isBlank()) {
            continue;
          }
          try {
            out.add(Json.parse(line));
          } catch (RuntimeException torn) {
            // a torn last line: the drill died while writing it
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
    }
    out.sort(Comparator.comparing(n -> n.path("date").asText()));
    return out;
  }
}
