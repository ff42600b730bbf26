package io.bulwark.commerce.identity;

import io.bulwark.commerce.CommerceException;
import io.bulwark.commerce.auth.AccessTokens;
import io.bulwark.commerce.auth.Caller;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.auth.Role;
import io.bulwark.kernel.Ids;
import io.bulwark.kernel.Transactions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The identity context: registration, login, refresh-token rotation with reuse detection, logout,
 * and user profiles. Refresh tokens are opaque ({@code <id>.<secret>}); only a SHA-256 of the
 * secret is stored. A refresh token that is presented a second time revokes its whole family, so a
 * stolen token stops working for thief and owner alike. Roles are data: administrators list them,
 * create them from permissions, change the ones that are not built in, and assign them to users.
 */
public final class Identity {

  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._-]{3,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final IdentityStore store;
  private final CachedRoles roles;
  private final Transactions tx;
  private final AccessTokens tokens;
  private final PasswordHasher hasher;
  private final AttemptLimiter limiter;
  private final Duration refreshTtl;
  private final Clock clock;

  /**
   * Identity kept in {@code store} within {@code tx}, issuing tokens with {@code tokens}; {@code
   * roles} is the permission check's cache of {@code store}'s roles, refreshed on each change.
   */
  public Identity(
      IdentityStore store,
      CachedRoles roles,
      Transactions tx,
      AccessTokens tokens,
      PasswordHasher hasher,
      AttemptLimiter limiter,
      Duration refreshTtl,
      Clock clock) {
    this.store = store;
    this.roles = roles;
    this.tx = tx;
    this.tokens = tokens;
    this.hasher = hasher;
    this.limiter = limiter;
    this.refreshTtl = refreshTtl;
    this.clock = clock;
  }

  /**
   * Registers a customer who signs up from {@code address}.
   *
   * @throws CommerceException.TooManyRequests after too many registrations from the address
   * @throws CommerceException.InvalidInput naming the field that breaks a rule
   * @throws CommerceException.Conflict when the username is taken
   */
  public User register(String username, String password, String name, String address) {
    limiter.registration(address);
    return create(username, password, name, Role.CUSTOMER);
  }

  /** Creates a user with any existing role (for administrators and seeding). */
  public User create(String username, String password, String name, Role role) {
    validateUsername(username);
    validatePassword(password);
    validateName(name, "$.name");
    String hash = hasher.hash(password);
    User user =
        new User(
            Ids.newId(clock),
            username.toLowerCase(Locale.ROOT),
            name.strip(),
            role,
            clock.instant());
    if (!store.insert(user, hash)) {
      throw new CommerceException.Conflict(
          "username-taken", "username \"" + username + "\" is already registered");
    }
    return user;
  }

  /**
   * Sets the password and role of {@code username}, creating the user when missing; a new role
   * retires the user's access tokens.
   */
  public User upsert(String username, String password, String name, Role role) {
    Optional<User> existing = findByUsername(username);
    if (existing.isEmpty()) {
      return create(username, password, name, role);
    }
    validatePassword(password);
    store.updateCredentials(
        existing.get().id(), hasher.hash(password), role.name(), clock.instant());
    tokens.forget(existing.get().id());
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
    limiter.login(key, address); // counted before the check, so concurrent attempts count too
    Optional<IdentityStore.Credentials> creds = store.credentials(key);
    boolean ok;
    if (creds.isEmpty()) {
      hasher.verifyAgainstNothing(password);
      ok = false;
    } else {
      ok = hasher.verify(password, creds.get().passwordHash());
    }
    if (!ok) {
      throw new CommerceException.Unauthorized("invalid username or password");
    }
    limiter.loginSucceeded(key, address);
    User user = creds.get().user();
    String refresh = newRefreshToken(user.id(), Ids.newId(clock));
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
            () -> {
              IdentityStore.RefreshToken row =
                  store
                      .lockRefreshToken(parsed.id())
                      .filter(t -> sameHash(t.secretHash(), parsed.secretHash()))
                      .orElseThrow(
                          () -> new CommerceException.Unauthorized("refresh token is invalid"));
              if (row.revoked()) {
                return RefreshOutcome.rejected("refresh token has been revoked");
              }
              if (row.used()) {
                store.revokeFamily(row.familyId(), now); // committed: the rejection must stick
                store.bumpTokenVersion(row.userId()); // and the thief's access tokens end too
                return new RefreshOutcome(
                    "refresh token was already used; every token of its session is now revoked",
                    store.user(row.userId()).orElseThrow(),
                    null);
              }
              if (!row.expiresAt().isAfter(now)) {
                return RefreshOutcome.rejected("refresh token expired at " + row.expiresAt());
              }
              store.markUsed(parsed.id(), now);
              User user = store.user(row.userId()).orElseThrow();
              return new RefreshOutcome(null, user, newRefreshToken(user.id(), row.familyId()));
            });
    if (outcome.rejection() != null) {
      if (outcome.user() != null) {
        tokens.forget(outcome.user().id());
      }
      throw new CommerceException.Unauthorized(outcome.rejection());
    }
    return tokensFor(outcome.user(), outcome.refreshToken());
  }

  /**
   * Revokes the session (token family) of {@code refreshToken}, which must be a token of {@code
   * userId} (the caller), and retires every access token of the caller (on all their devices: a
   * refresh token still gets new ones); an unknown refresh token changes nothing.
   *
   * @throws CommerceException.Forbidden when the token belongs to another user (nothing is revoked)
   */
  public void logout(UUID userId, String refreshToken) {
    ParsedToken parsed = parse(refreshToken);
    tx.inTransaction(
        () -> {
          Optional<IdentityStore.RefreshToken> row =
              store
                  .lockRefreshToken(parsed.id())
                  .filter(t -> sameHash(t.secretHash(), parsed.secretHash()));
          if (row.isPresent() && !row.get().userId().equals(userId)) {
            throw new CommerceException.Forbidden(
                "the refresh token belongs to another user; log out with your own");
          }
          if (row.isPresent()) {
            store.revokeFamily(row.get().familyId(), clock.instant());
            store.bumpTokenVersion(userId);
          }
        });
    tokens.forget(userId);
  }

  /** The user with {@code id}, if any. */
  public Optional<User> find(UUID id) {
    return store.user(id);
  }

  /** The user named {@code username} (case-insensitive), if any. */
  public Optional<User> findByUsername(String username) {
    return store
        .credentials(username.toLowerCase(Locale.ROOT))
        .map(IdentityStore.Credentials::user);
  }

  /**
   * Changes a profile: {@code name} when given, {@code role} when given (administrators only). A
   * new role retires the user's access tokens: they take the new role at their next refresh.
   *
   * @throws CommerceException.NotFound when there is no such user
   * @throws CommerceException.Forbidden when the caller may not make this change
   */
  public User update(Caller caller, UUID id, String name, String role) {
    caller.requireSelfOr(id, Permission.USER_WRITE_ANY);
    if (name != null) {
      validateName(name, "$.name");
    }
    String newRole = null;
    if (role != null) {
      newRole = existingRole(role.toLowerCase(Locale.ROOT), "$.role").name();
      caller.require(Permission.USER_WRITE_ANY);
    }
    if (!store.updateProfile(id, name == null ? null : name.strip(), newRole, clock.instant())) {
      throw new CommerceException.NotFound("no user " + id);
    }
    tokens.forget(id);
    return find(id).orElseThrow();
  }

  /** Every role with its permissions, by name; needs {@link Permission#USER_READ_ANY}. */
  public List<Role> roles(Caller caller) {
    caller.require(Permission.USER_READ_ANY);
    return store.roles();
  }

  /**
   * The role named {@code name}; needs {@link Permission#USER_READ_ANY}.
   *
   * @throws CommerceException.NotFound when there is none
   */
  public Role role(Caller caller, String name) {
    caller.require(Permission.USER_READ_ANY);
    return store.role(name).orElseThrow(() -> notFound(name));
  }

  /**
   * Creates role {@code name} granting {@code permissions} (their lower-case names); needs {@link
   * Permission#USER_WRITE_ANY}.
   *
   * @throws CommerceException.InvalidInput naming {@code $.name} or the unknown permission
   * @throws CommerceException.Conflict when a role of that name exists
   */
  public Role createRole(Caller caller, String name, List<String> permissions) {
    caller.require(Permission.USER_WRITE_ANY);
    Role role = new Role(validateRoleName(name), permissions(permissions));
    if (!store.insert(role, clock.instant())) {
      throw new CommerceException.Conflict("role-exists", "role \"" + name + "\" already exists");
    }
    roles.invalidate(role.name());
    return role;
  }

  /**
   * Replaces the permissions of role {@code name}, which must not be built in; needs {@link
   * Permission#USER_WRITE_ANY}. Callers holding the role have the new permissions at once in this
   * process, and within {@link CachedRoles#TTL} in others.
   *
   * @throws CommerceException.NotFound when there is no such role
   * @throws CommerceException.Conflict when it is built in
   */
  public Role changeRole(Caller caller, String name, List<String> permissions) {
    caller.require(Permission.USER_WRITE_ANY);
    Set<Permission> granted = permissions(permissions);
    if (Role.builtIn(name)) {
      throw new CommerceException.Conflict(
          "role-built-in", "role \"" + name + "\" is built in and cannot be changed");
    }
    if (!Role.NAME.matcher(name).matches() || !store.replacePermissions(new Role(name, granted))) {
      throw notFound(name);
    }
    roles.invalidate(name);
    return new Role(name, granted);
  }

  private Role existingRole(String name, String field) {
    if (!Role.NAME.matcher(name).matches()) {
      throw new CommerceException.InvalidInput(field, roleNameRule(name));
    }
    return store
        .role(name)
        .orElseThrow(
            () ->
                new CommerceException.InvalidInput(
                    field,
                    "no role \""
                        + name
                        + "\"; the roles are "
                        + String.join(", ", store.roles().stream().map(Role::name).toList())));
  }

  private static String validateRoleName(String name) {
    if (name == null) {
      throw new CommerceException.InvalidInput("$.name", "name is required");
    }
    if (!Role.NAME.matcher(name).matches()) {
      throw new CommerceException.InvalidInput("$.name", roleNameRule(name));
    }
    return name;
  }

  private static String roleNameRule(String name) {
    return "role name must be 2 to 32 lower-case letters, digits, '_' or '-' starting with a"
        + " letter but was \""
        + abbreviate(name)
        + "\"";
  }

  private static Set<Permission> permissions(List<String> names) {
    if (names == null) {
      throw new CommerceException.InvalidInput("$.permissions", "permissions is required");
    }
    Set<Permission> out = EnumSet.noneOf(Permission.class);
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      int at = i;
      out.add(
          Permission.ofSlug(name)
              .orElseThrow(
                  () ->
                      new CommerceException.InvalidInput(
                          "$.permissions[" + at + "]",
                          "unknown permission \""
                              + abbreviate(name)
                              + "\"; the permissions are "
                              + String.join(
                                  ", ",
                                  java.util.Arrays.stream(Permission.values())
                                      .map(Permission::slug)
                                      .toList()))));
    }
    return out;
  }

  private static CommerceException.NotFound notFound(String role) {
    return new CommerceException.NotFound("no role \"" + abbreviate(role) + "\"");
  }

  private Tokens tokensFor(User user, String refresh) {
    String access = tokens.issue(new Caller(user.id(), user.username(), user.role()));
    return new Tokens(access, refresh, "Bearer", tokens.ttl().toSeconds(), user.id());
  }

  private String newRefreshToken(UUID userId, UUID familyId) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String secretText = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    Instant now = clock.instant();
    UUID id = Ids.newId(clock);
    store.insert(
        new IdentityStore.RefreshToken(
            id, familyId, userId, sha256(secretText), now.plus(refreshTtl), false, false),
        now);
    return id + "." + secretText;
  }

  private static boolean sameHash(String stored, String presented) {
    return MessageDigest.isEqual(
        stored.getBytes(StandardCharsets.US_ASCII), presented.getBytes(StandardCharsets.US_ASCII));
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
      throw new CommerceException.Unauthorized("refresh token is invalid", e);
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

  private record RefreshOutcome(String rejection, User user, String refreshToken) {
    static RefreshOutcome rejected(String why) {
      return new RefreshOutcome(why, null, null);
    }
  }

  private record ParsedToken(UUID id, String secretHash) {}
}
