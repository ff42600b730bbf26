package io.bulwark.commerce.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Text shipped on the classpath with commerce, like the state machines' definitions. */
public final class Resources {

  private Resources() {}

  /**
   * The UTF-8 text of the classpath resource {@code path} (absolute, like {@code /io/…/x.json}).
   *
   * @throws IllegalStateException when it is missing
   */
  public static String text(String path) {
    try (InputStream in = Resources.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("resource " + path + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read resource " + path, e);
    }
  }
}
