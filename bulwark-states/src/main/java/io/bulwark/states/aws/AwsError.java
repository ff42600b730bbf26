package io.bulwark.states.aws;

/**
 * An error answered in the AWS JSON 1.0 shape: {@code {"__type": type, "message": message}} with
 * the HTTP status the service uses (400 for every error a caller caused).
 */
final class AwsError extends RuntimeException {
  private final int status;
  private final String type;

  AwsError(int status, String type, String message, Throwable cause) {
    super(message, cause);
    this.status = status;
    this.type = type;
  }

  /** A 400 error of {@code type}. */
  static AwsError of(String type, String message) {
    return new AwsError(400, type, message, null);
  }

  /** A 400 error of {@code type}, raised while handling {@code cause}. */
  static AwsError of(String type, String message, Throwable cause) {
    return new AwsError(400, type, message, cause);
  }

  /** A {@code ValidationException} in the service's words about member {@code member}. */
  static AwsError validation(String member, Object value, String constraint) {
    return of(
        "ValidationException",
        "1 validation error detected: Value "
            + (value == null ? "null" : "'" + value + "'")
            + " at '"
            + member
            + "' failed to satisfy constraint: "
            + constraint);
  }

  int status() {
    return status;
  }

  String type() {
    return type;
  }
}
