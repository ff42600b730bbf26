package io.bulwark.commerce.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** Where the JWT signing key comes from: configuration, or a key file generated once. */
public final class SigningKeys {

  private SigningKeys() {}

  /**
   * The key stored base64-encoded in {@code file}; generates 32 random bytes and writes them
   * (owner-readable only) when the file does not exist yet.
   */
  public static byte[] loadOrCreate(Path file) {
    try {
      if (Files.exists(file)) {
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        try {
          return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(
              file + ": expected a base64-encoded JWT key: " + e.getMessage(), e);
        }
      }
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, Base64.getEncoder().encodeToString(key), StandardCharsets.US_ASCII);
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system: the directory's permissions must protect the key
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or create the JWT key file " + file, e);
    }
  }

  /** A configured secret as key bytes (UTF-8); must be at least 32 bytes. */
  public static byte[] fromSecret(String secret) {
    byte[] key = secret.getBytes(StandardCharsets.UTF_8);
    if (key.length < 32) {
      throw new IllegalArgumentException(
          "jwtSecret must be at least 32 bytes but was " + key.length);
    }
    return key;
  }
}
