package io.bulwark.states.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the JSON the {@code states} commands are given, saying where it is broken. */
final class JsonFiles {

  /** A file that cannot be read or is not JSON; the message names it (and line and column). */
  static final class Unreadable extends RuntimeException {
    Unreadable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private JsonFiles() {}

  /** The JSON in {@code file}, given as {@code option}. */
  static JsonNode read(Path file, String option) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new Unreadable(option + " " + file + ": cannot read: " + e.getMessage(), e);
    }
    try {
      return Json.mapper().readTree(text);
    } catch (JsonProcessingException e) {
      throw new Unreadable(
          file
              + ":"
              + e.getLocation().getLineNr()
              + ":"
              + e.getLocation().getColumnNr()
              + ": not valid JSON: "
              + e.getOriginalMessage(),
          e);
    }
  }

  /** {@code value} as JSON when it is an existing file's name, or else as inline JSON. */
  static JsonNode inlineOrFile(String value, String option) {
    if (Files.isRegularFile(Path.of(value))) {
      return read(Path.of(value), option);
    }
    try {
      return Json.mapper().readTree(value);
    } catch (JsonProcessingException e) {
      throw new Unreadable(
          option
              + ": neither a file nor valid JSON: "
              + e.getOriginalMessage()
              + " (column "
              + e.getLocation().getColumnNr()
              + ")",
          e);
    }
  }
}
