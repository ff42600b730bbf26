package io.bulwark.traffic;

import java.util.Map;

/** No target has the given id. */
public final class UnknownTargetException extends TrafficException {
  private final String target;

  public UnknownTargetException(String target) {
    super("no target with id \"" + target + "\"");
    this.target = target;
  }

  @Override
  public int status() {
    return 404;
  }

  @Override
  public String title() {
    return "Target not found";
  }

  @Override
  public String type() {
    return "target-not-found";
  }

  @Override
  public Map<String, Object> extensions() {
    return Map.of("target", target);
  }
}
