package io.bulwark.states.durable.internal;

/** The arns of local state machines and executions, in Step Functions' format. */
public final class Arns {
  private static final String PREFIX = "arn:aws:states:local:000000000000:";

  private Arns() {}

  /** {@code arn:aws:states:local:000000000000:stateMachine:<name>}. */
  public static String stateMachine(String name) {
    return PREFIX + "stateMachine:" + name;
  }

  /** {@code arn:aws:states:local:000000000000:execution:<machine>:<name>}. */
  public static String execution(String machine, String name) {
    return PREFIX + "execution:" + machine + ":" + name;
  }
}
