package io.bulwark.traffic;

import java.util.Map;

/** A target with the same id already exists. */
public final class TargetConflictException extends TrafficException {
  private final String target;

  public TargetConflictException(String target, String pool) {
    super("target id \"" + target + "\" is already used in pool \"" + pool + "\"");
    this.target = target;
  }

  @Override
  public int status() {
    return 409;
  }

  @Override
  public String title() {
    return "Target already exists";
  }

  @Override
  public String type() {
    return "target-conflict";
  }

  @Override
  public Map<String, Object> extensions() {
    return Map.of("target", target);
  }
}
