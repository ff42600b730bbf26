package io.bulwark.commerce.identity;

import static io.bulwark.commerce.internal.Transactions.ts;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.internal.Transactions;
import io.bulwark.kernel.Ids;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The identity context: registration, login, refresh-token rotation with reuse detection, logout,
 * and user profiles. Refresh tokens are opaque ({@code <id>.<secret>}); only a SHA-256 of the
 * secret is stored. A refresh token that is presented a second time revokes its whole family, so a
 * stolen token stops working for thief and owner alike.
 */
public final class Identity {

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._-]{3,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Transactions tx;
  private final AccessTokens tokens;
  private final PasswordHasher hasher;
  private final LoginLimiter limiter;
  private final Duration refreshTtl;
  private final Clock clock;

  /** Identity over {@code dataSource}, issuing tokens with {@code tokens}. */
  public Identity(
      DataSource dataSource,
      AccessTokens tokens,
      PasswordHasher hasher,
      LoginLimiter limiter,
      Duration refreshTtl,
      Clock clock) {
    this.tx = new Transactions(dataSource);
    this.tokens = tokens;
    this.hasher = hasher;
    this.limiter = limiter;
    this.refreshTtl = refreshTtl;
    this.clock = clock;
  }

  /**
   * Registers a customer.
   *
   * @throws CommerceException.InvalidInput naming the field that breaks a rule
   * @throws CommerceException.Conflict when the username is taken
   */
  public User register(String username, String password, String name) {
    return create(username, password, name, Role.CUSTOMER);
  }

  /** Creates a user with any role (for administrators and seeding). */
  public User create(String username, String password, String name, Role role) {
    validateUsername(username);
    validatePassword(password);
    validateName(name, "$.name");
    String hash = hasher.hash(password);
    Instant now = clock.instant();
    UUID id = Ids.newId(clock);
    boolean inserted =
        tx.inTransaction(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "insert into identity_users (id, username, password_hash, name, role,"
                          + " created_at, updated_at) values (?,?,?,?,?,?,?) on conflict (username)"
                          + " do nothing")) {
                ps.setObject(1, id);
                ps.setString(2, username.toLowerCase(Locale.ROOT));
                ps.setString(3, hash);
                ps.setString(4, name.strip());
                ps.setString(5, role.slug());
                ps.setTimestamp(6, ts(now));
                ps.setTimestamp(7, ts(now));
                return ps.executeUpdate() == 1;
              }
            });
    if (!inserted) {
      throw new CommerceException.Conflict(
          "username-taken", "username \"" + username + "\" is already registered");
    }
    return new User(id, username.toLowerCase(Locale.ROOT), name.strip(), role, now);
  }

  /** Sets the password and role of {@code username}, creating the user when missing. */
  public User upsert(String username, String password, String name, Role role) {
    Optional<User> existing = findByUsername(username);
    if (existing.isEmpty()) {
      return create(username, password, name, role);
    }
    validatePassword(password);
    String hash = hasher.hash(password);
    tx.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update identity_users set password_hash = ?, role = ?, updated_at = ? where id"
                      + " = ?")) {
            ps.setString(1, hash);
            ps.setString(2, role.slug());
            ps.setTimestamp(3, ts(clock.instant()));
            ps.setObject(4, existing.get().id());
            return ps.executeUpdate();
          }
        });
    return find(existing.get().id()).orElseThrow();
  }

  /**
   * Checks a password and issues an access and a refresh token.
   *
   * @param address the client's address, for rate limiting
   * @throws CommerceException.TooManyRequests after too many failures for the account or address
   * @throws CommerceException.Unauthorized for an unknown user or a wrong password
   */
  public Tokens login(String username, String password, String address) {
    if (username == null || username.isBlank()) {
      throw new CommerceException.InvalidInput("$.username", "username is required");
    }
    if (password == null || password.isEmpty()) {
      throw new CommerceException.InvalidInput("$.password", "password is required");
    }
    String key = username.toLowerCase(Locale.ROOT);
    limiter.check(key, address);
    Optional<Credentials> creds = credentials(key);
    boolean ok;
    if (creds.isEmpty()) {
      hasher.verifyAgainstNothing(password);
      ok = false;
    } else {
      ok = hasher.verify(password, creds.get().hash());
    }
    if (!ok) {
      limiter.failed(key, address);
      throw new CommerceException.Unauthorized("invalid username or password");
    }
    limiter.succeeded(key);
    User user = creds.get().user();
    String refresh = tx.inTransaction(c -> newRefreshToken(c, user.id(), Ids.newId(clock)));
    return tokensFor(user, refresh);
  }

  /**
   * Exchanges a refresh token for a new pair; the presented token is used up.
   *
   * @throws CommerceException.Unauthorized for an unknown, expired, revoked or reused token; a
   *     reused token also revokes every token of its family
   */
  public Tokens refresh(String refreshToken) {
    ParsedToken parsed = parse(refreshToken);
    Instant now = clock.instant();
    RefreshOutcome outcome =
        tx.inTransaction(
            c -> {
              TokenRow row = lockToken(c, parsed);
              if (row.revoked()) {
                return RefreshOutcome.rejected("refresh token has been revoked");
              }
              if (row.used()) {
                revokeFamily(c, row.familyId(), now); // committed: the rejection must stick
                return RefreshOutcome.rejected(
                    "refresh token was already used; every token of its session is now revoked");
              }
              if (!row.expiresAt().isAfter(now)) {
                return RefreshOutcome.rejected("refresh token expired at " + row.expiresAt());
              }
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "update identity_refresh_tokens set used_at = ? where id = ?")) {
                ps.setTimestamp(1, ts(now));
                ps.setObject(2, parsed.id());
                ps.executeUpdate();
              }
              User user = userById(c, row.userId()).orElseThrow();
              return new RefreshOutcome(null, user, newRefreshToken(c, user.id(), row.familyId()));
            });
    if (outcome.rejection() != null) {
      throw new CommerceException.Unauthorized(outcome.rejection());
    }
    return tokensFor(outcome.user(), outcome.refreshToken());
  }

  /** Revokes the session (token family) of {@code refreshToken}; unknown tokens are ignored. */
  public void logout(String refreshToken) {
    ParsedToken parsed = parse(refreshToken);
    tx.inTransaction(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "update identity_refresh_tokens set revoked_at = ? where revoked_at is null and"
                      + " family_id = (select family_id from identity_refresh_tokens where id = ?"
                      + " and secret_hash = ?)")) {
            ps.setTimestamp(1, ts(clock.instant()));
            ps.setObject(2, parsed.id());
            ps.setString(3, parsed.secretHash());
            return ps.executeUpdate();
          }
        });
  }

  /** The user with {@code id}, if any. */
  public Optional<User> find(UUID id) {
    return tx.read(c -> userById(c, id));
  }

  /** The user named {@code username} (case-insensitive), if any. */
  public Optional<User> findByUsername(String username) {
    return credentials(username.toLowerCase(Locale.ROOT)).map(Credentials::user);
  }

  /**
   * Changes a profile: {@code name} when given, {@code role} when given (administrators only).
   *
   * @throws CommerceException.NotFound when there is no such user
   * @throws CommerceException.Forbidden when the caller may not make this change
   */
  public User update(Caller caller, UUID id, String name, String role) {
    caller.requireSelfOr(id, io.bulwark.commerce.auth.Permission.USER_WRITE_ANY);
    if (name != null) {
      validateName(name, "$.name");
    }
    Role newRole = null;
    if (role != null) {
      try {
        newRole = Role.of(role);
      } catch (IllegalArgumentException e) {
        throw new CommerceException.InvalidInput("$.role", e.getMessage());
      }
      caller.require(io.bulwark.commerce.auth.Permission.USER_WRITE_ANY);
    }
    Role finalRole = newRole;
    int updated =
        tx.inTransaction(
            c -> {
              try (PreparedStatement ps =
                  c.prepareStatement(
                      "update identity_users set name = coalesce(?, name), role = coalesce(?,"
                          + " role), updated_at = ? where id = ?")) {
                ps.setString(1, name == null ? null : name.strip());
                ps.setString(2, finalRole == null ? null : finalRole.slug());
                ps.setTimestamp(3, ts(clock.instant()));
                ps.setObject(4, id);
                return ps.executeUpdate();
              }
            });
    if (updated == 0) {
      throw new CommerceException.NotFound("no user " + id);
    }
    return find(id).orElseThrow();
  }

  private Tokens tokensFor(User user, String refresh) {
    String access = tokens.issue(new Caller(user.id(), user.username(), user.role()));
    return new Tokens(access, refresh, "Bearer", tokens.ttl().toSeconds(), user.id());
  }

  private String newRefreshToken(Connection c, UUID userId, UUID familyId) throws SQLException {
    UUID id = Ids.newId(clock);
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant now = clock.instant();
    try (PreparedStatement ps =
        c.prepareStatement(
            "insert into identity_refresh_tokens (id, family_id, user_id, secret_hash, issued_at,"
                + " expires_at) values (?,?,?,?,?,?)")) {
      ps.setObject(1, id);
      ps.setObject(2, familyId);
      ps.setObject(3, userId);
      ps.setString(4, sha256(secretText));
      ps.setTimestamp(5, ts(now));
      ps.setTimestamp(6, ts(now.plus(refreshTtl)));
      ps.executeUpdate();
    }
    return id + "." + secretText;
  }

  private TokenRow lockToken(Connection c, ParsedToken parsed) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select family_id, user_id, secret_hash, expires_at, used_at, revoked_at from"
                + " identity_refresh_tokens where id = ? for update")) {
      ps.setObject(1, parsed.id());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()
            || !MessageDigest.isEqual(
                rs.getString(3).getBytes(StandardCharsets.US_ASCII),
                parsed.secretHash().getBytes(StandardCharsets.US_ASCII))) {
          throw new CommerceException.Unauthorized("refresh token is invalid");
        }
        return new TokenRow(
            rs.getObject(1, UUID.class),
            rs.getObject(2, UUID.class),
            rs.getTimestamp(4).toInstant(),
            rs.getTimestamp(5) != null,
            rs.getTimestamp(6) != null);
      }
    }
  }

  private static void revokeFamily(Connection c, UUID familyId, Instant now) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "update identity_refresh_tokens set revoked_at = ? where family_id = ? and revoked_at"
                + " is null")) {
      ps.setTimestamp(1, ts(now));
      ps.setObject(2, familyId);
      ps.executeUpdate();
    }
  }

  private Optional<Credentials> credentials(String username) {
    return tx.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "select id, username, name, role, created_at, password_hash from identity_users"
                      + " where username = ?")) {
            ps.setString(1, username);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(new Credentials(user(rs), rs.getString(6)))
                  : Optional.empty();
            }
          }
        });
  }

  private static Optional<User> userById(Connection c, UUID id) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "select id, username, name, role, created_at from identity_users where id = ?")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(user(rs)) : Optional.empty();
      }
    }
  }

  private static User user(ResultSet rs) throws SQLException {
    return new User(
        rs.getObject(1, UUID.class),
        rs.getString(2),
        rs.getString(3),
        Role.of(rs.getString(4)),
        rs.getTimestamp(5).toInstant());
  }

  private static ParsedToken parse(String token) {
    if (token == null || token.isBlank()) {
      throw new CommerceException.InvalidInput("$.refreshToken", "refreshToken is required");
    }
    int dot = token.indexOf('.');
    if (dot < 0 || token.length() > 200) {
      throw new CommerceException.Unauthorized("refresh token is invalid");
    }
    try {
      return new ParsedToken(
          UUID.fromString(token.substring(0, dot)), sha256(token.substring(dot + 1)));
    } catch (IllegalArgumentException e) {
      throw new CommerceException.Unauthorized("refresh token is invalid");
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  private static void validateUsername(String username) {
    if (username == null) {
      throw new CommerceException.InvalidInput("$.username", "username is required");
    }
    if (!USERNAME.matcher(username).matches()) {
      throw new CommerceException.InvalidInput(
          "$.username",
          "username must be 3 to 64 letters, digits, '.', '_' or '-' but was \""
              + abbreviate(username)
              + "\"");
    }
  }

  private static void validatePassword(String password) {
    if (password == null) {
      throw new CommerceException.InvalidInput("$.password", "password is required");
    }
    int bytes = password.getBytes(StandardCharsets.UTF_8).length;
    if (password.length() < 8 || bytes > PasswordHasher.MAX_PASSWORD_BYTES) {
      throw new CommerceException.InvalidInput(
          "$.password",
          "password must be at least 8 characters and at most "
              + PasswordHasher.MAX_PASSWORD_BYTES
              + " bytes but was "
              + password.length()
              + " characters, "
              + bytes
              + " bytes");
    }
  }

  private static void validateName(String name, String field) {
    if (name == null || name.isBlank()) {
      throw new CommerceException.InvalidInput(field, "name is required and must not be blank");
    }
    if (name.length() > 100 || name.chars().anyMatch(Character::isISOControl)) {
      throw new CommerceException.InvalidInput(
          field, "name must be at most 100 characters without control characters");
    }
  }

  static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() > 40 ? clean.substring(0, 40) + "…" : clean;
  }

  private record Credentials(User user, String hash) {}

  private record RefreshOutcome(String rejection, User user, String refreshToken) {
    static RefreshOutcome rejected(String why) {
      return new RefreshOutcome(why, null, null);
    }
  }

  private record ParsedToken(UUID id, String secretHash) {}

  private record TokenRow(
      UUID familyId, UUID userId, Instant expiresAt, boolean used, boolean revoked) {}
}
