package io.bulwark.traffic;

import java.util.Map;

/** Bot protection has no rule or rate limit with the given name. */
public final class UnknownRuleException extends TrafficException {
  private final String rule;

  /**
   * @param kind "bot rule" or "rate limit"
   * @param rule the name asked for
   */
  public UnknownRuleException(String kind, String rule) {
    super("no " + kind + " named \"" + rule + "\"");
    this.rule = rule;
  }

  @Override
  public int status() {
    return 404;
  }

  @Override
  public String title() {
    return "Rule not found";
  }

  @Override
  public String type() {
    return "rule-not-found";
  }

  @Override
  public Map<String, Object> extensions() {
    return Map.of("rule", rule);
  }
}
