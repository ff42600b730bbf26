package io.bulwark.recovery;

/** Why the DR manager could not do what it was asked. */
public sealed class RecoveryException extends RuntimeException
    permits RecoveryException.NotPossible, RecoveryException.Unreachable {

  RecoveryException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The request cannot be carried out as things are (bad input: exit 2). */
  public static final class NotPossible extends RecoveryException {
    /** With {@code message} saying what is missing. */
    public NotPossible(String message) {
      super(message, null);
    }
  }

  /** A part of the running topology did not answer (a failure: exit 1). */
  public static final class Unreachable extends RecoveryException {
    /** With {@code message} naming the part and {@code cause}. */
    public Unreachable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
