package io.bulwark.commerce.identity;

import io.bulwark.commerce.auth.Role;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

/**
 * Where the identity context keeps users, roles and refresh tokens. Each call takes part in the
 * transaction open on the calling thread ({@link io.bulwark.kernel.Transactions}), or runs on its
 * own.
 */
public interface IdentityStore {

  /**
   * A user with the hash of their password.
   *
   * @param user the user
   * @param passwordHash the bcrypt hash
   */
  record Credentials(User user, String passwordHash) {}

  /**
   * A refresh token as stored: only a SHA-256 of its secret.
   *
   * @param id the token's id (the part before the dot)
   * @param familyId the login session it belongs to; rotation keeps it
   * @param userId whose it is
   * @param secretHash hex SHA-256 of the secret
   * @param expiresAt when it stops working
   * @param used whether it was exchanged already
   * @param revoked whether its family was revoked
   */
  record RefreshToken(
      UUID id,
      UUID familyId,
      UUID userId,
      String secretHash,
      Instant expiresAt,
      boolean used,
      boolean revoked) {}

  /** Every role with its permissions, by name. */
  List<Role> roles();

  /** The role named {@code name}, with its permissions. */
  Optional<Role> role(String name);

  /** Adds a role that is not built in; false when the name is taken (nothing changes then). */
  boolean insert(Role role, Instant at);

  /**
   * Replaces the permissions of the role that is not built in named {@code role.name()}.
   *
   * @return false when there is no such role, or it is built in
   */
  boolean replacePermissions(Role role);

  /**
   * Attempts counted against one key in its current window.
   *
   * @param count attempts in the window, this one included (never more than the cap given)
   * @param windowStart when the window began
   */
  record Attempts(int count, Instant windowStart) {}

  /** Adds {@code user}; false when the username is taken (nothing changes then). */
  boolean insert(User user, String passwordHash);

  /** Sets the password hash and role of user {@code id}. */
  void updateCredentials(UUID id, String passwordHash, String role, Instant at);

  /**
   * Sets the name and/or role (by name; it must exist) of user {@code id}; a null leaves that field
   * as it is.
   *
   * @return false when there is no such user
   */
  boolean updateProfile(UUID id, String name, String role, Instant at);

  /** The user with {@code id}. */
  Optional<User> user(UUID id);

  /** The user whose (lower-case) username is {@code username}, with their password hash. */
  Optional<Credentials> credentials(String username);

  /** Stores a new, unused refresh token issued at {@code issuedAt}. */
  void insert(RefreshToken token, Instant issuedAt);

  /** The refresh token {@code id}, locked until the transaction ends. */
  Optional<RefreshToken> lockRefreshToken(UUID id);

  /** Marks refresh token {@code id} as exchanged. */
  void markUsed(UUID id, Instant at);

  /** Revokes every unrevoked token of family {@code familyId}. */
  void revokeFamily(UUID familyId, Instant at);

  /**
   * Counts one attempt against {@code key} atomically, however many run at once: a key without a
   * window, or whose window began at or before {@code expiredAt}, starts a new one at {@code now}
   * with this attempt; otherwise the count goes up by one, but never above {@code cap}.
   */
  Attempts countAttempt(String key, Instant now, Instant expiredAt, int cap);

  /** Takes one attempt of {@code key} back (never below zero). */
  void uncountAttempt(String key);

  /** Forgets every attempt of {@code key}. */
  void forgetAttempts(String key);

  /** Forgets every key whose window began at or before {@code expiredAt}; returns how many. */
  int forgetAttemptsBefore(Instant expiredAt);

  /** The token version of user {@code id}; empty when there is no such user. */
  OptionalLong tokenVersion(UUID id);

  /** Adds one to the token version of user {@code id}, retiring their access tokens. */
  void bumpTokenVersion(UUID id);
}
