package io.bulwark.cli;

/** Entry point of the {@code bulwark} command. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(BulwarkCommand.commandLine().execute(args));
  }
}
