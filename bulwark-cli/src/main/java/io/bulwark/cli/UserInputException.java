package io.bulwark.cli;

/** Bad input from the user (a file that does not exist, a value out of range): exit code 2. */
public final class UserInputException extends RuntimeException {

  public UserInputException(String message) {
    super(message);
  }

  public UserInputException(String message, Throwable cause) {
    super(message, cause);
  }
}
