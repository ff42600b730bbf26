package io.bulwark.states.internal;

/** Cause texts in the words Step Functions uses for errors raised while a state runs. */
public final class Causes {
  private Causes() {}

  /**
   * {@code An error occurred while executing the state 'S' (entered at the event id #N). detail}.
   *
   * @param enteredEventId the history event id of the state's entered event; 0 or less leaves the
   *     id out
   */
  public static String inState(String stateName, long enteredEventId, String detail) {
    return "An error occurred while executing the state '"
        + stateName
        + "'"
        + (enteredEventId > 0 ? " (entered at the event id #" + enteredEventId + ")" : "")
        + ". "
        + detail;
  }
}
