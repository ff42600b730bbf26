package io.bulwark.commerce.identity;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;

/** Salted, deliberately slow password hashes (bcrypt). */
public final class PasswordHasher {

  /** bcrypt only reads the first 72 bytes; longer passwords are rejected rather than cut. */
  public static final int MAX_PASSWORD_BYTES = 72;

  private final int cost;
  private final String dummyHash;

  /**
   * Hashes with work factor {@code cost} (4..31; 12 is a sound production default).
   *
   * @throws IllegalArgumentException for a cost outside 4..31
   */
  public PasswordHasher(int cost) {
    if (cost < 4 || cost > 31) {
      throw new IllegalArgumentException("bcrypt cost must be in 4..31 but was " + cost);
    }
    this.cost = cost;
    this.dummyHash = hash("not-a-real-password");
  }

  /** A new salted hash of {@code password}. */
  public String hash(String password) {
    return BCrypt.withDefaults().hashToString(cost, password.toCharArray());
  }

  /** True when {@code password} matches {@code hash}. */
  public boolean verify(String password, String hash) {
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      return false;
    }
    return BCrypt.verifyer().verify(password.toCharArray(), hash).verified;
  }

  /** Spends the time of one verification, so unknown usernames answer as slowly as known ones. */
  public void verifyAgainstNothing(String password) {
    verify(password.length() > 60 ? password.substring(0, 60) : password, dummyHash);
  }
}
