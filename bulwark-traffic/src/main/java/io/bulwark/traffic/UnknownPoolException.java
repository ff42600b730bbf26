package io.bulwark.traffic;

import java.util.Map;

/** No pool has the given name. */
public final class UnknownPoolException extends TrafficException {
  private final String pool;

  public UnknownPoolException(String pool) {
    super("no pool named \"" + pool + "\"");
    this.pool = pool;
  }

  @Override
  public int status() {
    return 404;
  }

  @Override
  public String title() {
    return "Pool not found";
  }

  @Override
  public String type() {
    return "pool-not-found";
  }

  @Override
  public Map<String, Object> extensions() {
    return Map.of("pool", pool);
  }
}
