package io.bulwark.states.durable;

/**
 * What a state machine carries beside its definition, as Step Functions keeps it.
 *
 * @param type {@code STANDARD} (durable executions with a history) or {@code EXPRESS}
 * @param roleArn the IAM role the machine was created with; null when none was given
 */
public record MachineAttributes(String type, String roleArn) {
  /** A STANDARD machine without a role. */
  public static final MachineAttributes STANDARD = new MachineAttributes("STANDARD", null);

  /** Checks the type. */
  public MachineAttributes {
    if (!"STANDARD".equals(type) && !"EXPRESS".equals(type)) {
      throw new IllegalArgumentException("type must be STANDARD or EXPRESS but was " + type);
    }
  }
}
