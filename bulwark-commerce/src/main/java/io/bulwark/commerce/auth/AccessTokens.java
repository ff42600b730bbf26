package io.bulwark.commerce.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.bulwark.commerce.CommerceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Short-lived JWT access tokens signed with HMAC-SHA256. Each token carries its user's token
 * version ({@code ver}) at issue; verifying compares it with the user's current version, read
 * through a small cache of a few seconds, so a logout or a role change (which add one to the
 * version) retires every access token issued before it: at once on the instance that made the
 * change ({@link #forget}), within the cache's lifetime on the others.
 */
public final class AccessTokens {

  static final String ISSUER = "bulwark";
  private static final String BEARER = "Bearer ";

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private static final int CACHED_USERS = 10_000;

  private final Duration ttl;
  private final Clock clock;
  private final Roles roles;
  private final TokenVersions versions;
  private final Cache<UUID, OptionalLong> current;

  /**
   * Tokens signed with {@code key} that live {@code ttl}, without version checks: every token is
   * issued at version 0 and stays valid until it expires (for tools and tests that mint tokens); a
   * verified token's role is given the permissions {@code roles} grants it at that moment.
   *
   * @throws IllegalArgumentException when the key is shorter than 32 bytes or ttl not positive
   */
  public AccessTokens(byte[] key, Duration ttl, Clock clock, Roles roles) {
    this(key, ttl, clock, roles, userId -> OptionalLong.of(0), Duration.ofSeconds(1));
  }

  /**
   * Tokens signed with {@code key} that live {@code ttl}, valid only while their user's token
   * version in {@code versions} is the one they were issued at (versions cached for {@code
   * versionCacheTtl}); a verified token's role is given the permissions {@code roles} grants it at
   * that moment.
   *
   * @throws IllegalArgumentException when the key is shorter than 32 bytes or a duration is not
   *     positive
   */
  public AccessTokens(
      byte[] key,
      Duration ttl,
      Clock clock,
      Roles roles,
      TokenVersions versions,
      Duration versionCacheTtl) {
    if (key.length < 32) {
      throw new IllegalArgumentException("JWT key must be at least 32 bytes but was " + key.length);
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("access token ttl must be positive but was " + ttl);
    }
    this.algorithm = Algorithm.HMAC256(key);
    this.verifier =
        ((JWTVerifier.BaseVerification) JWT.require(algorithm).withIssuer(ISSUER)).build(clock);
    if (versionCacheTtl.isNegative() || versionCacheTtl.isZero()) {
      throw new IllegalArgumentException(
          "token version cache ttl must be positive but was " + versionCacheTtl);
    }
    this.ttl = ttl;
    this.clock = clock;
    this.roles = roles;
    this.versions = versions;
    this.current =
        Caffeine.newBuilder()
            .maximumSize(CACHED_USERS)
            .expireAfterWrite(versionCacheTtl)
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .build();
  }

  /**
   * Drops the cached token version of {@code userId}: call after changing it, so that this instance
   * refuses the user's older tokens at once.
   */
  public void forget(UUID userId) {
    current.invalidate(userId);
  }

  /** How long an access token is valid. */
  public Duration ttl() {
    return ttl;
  }

  /**
   * A signed token for {@code caller} at their current token version, valid for {@link #ttl()}.
   *
   * @throws IllegalArgumentException when the caller's user does not exist
   */
  public String issue(Caller caller) {
    OptionalLong version = versions.current(caller.userId());
    if (version.isEmpty()) {
      throw new IllegalArgumentException("no user " + caller.userId() + " to issue a token for");
    }
    current.put(caller.userId(), version);
    Instant now = clock.instant();
    return JWT.create()
        .withIssuer(ISSUER)
        .withSubject(caller.userId().toString())
        .withClaim("username", caller.username())
        .withClaim("role", caller.role())
        .withClaim("ver", version.getAsLong())
        .withIssuedAt(now)
        .withExpiresAt(now.plus(ttl))
        .withJWTId(UUID.randomUUID().toString())
        .sign(algorithm);
  }

  /**
   * The caller that an {@code Authorization} header value vouches for.
   *
   * @throws CommerceException.Unauthorized when the header is missing, not a bearer token, or the
   *     token is invalid or expired
   */
  public Caller authenticate(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.isBlank()) {
      throw new CommerceException.Unauthorized(
          "missing Authorization header; send \"Authorization: Bearer <access token>\"");
    }
    if (!authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new CommerceException.Unauthorized("Authorization header must use the Bearer scheme");
    }
    return verify(authorizationHeader.substring(BEARER.length()).trim());
  }

  /**
   * The caller a raw token vouches for, with the permissions its role grants now; throws {@link
   * CommerceException.Unauthorized}.
   */
  public Caller verify(String token) {
    DecodedJWT jwt;
    try {
      jwt = verifier.verify(token);
    } catch (TokenExpiredException e) {
      throw new CommerceException.Unauthorized("access token expired at " + e.getExpiredOn(), e);
    } catch (JWTVerificationException e) {
      throw new CommerceException.Unauthorized("access token is invalid", e);
    }
    UUID userId;
    String username = jwt.getClaim("username").asString();
    String role = jwt.getClaim("role").asString();
    long version;
    try {
      userId = UUID.fromString(jwt.getSubject());
      Long claimed = jwt.getClaim("ver").asLong();
      version = claimed == null ? 0 : claimed;
    } catch (RuntimeException e) {
      throw new CommerceException.Unauthorized("access token has malformed claims", e);
    }
    if (username == null || role == null) {
      throw new CommerceException.Unauthorized("access token has malformed claims");
    }
    OptionalLong now = current.get(userId, versions::current);
    if (now.isEmpty()) {
      throw new CommerceException.Unauthorized("the access token's user no longer exists");
    }
    if (now.getAsLong() != version) {
      throw new CommerceException.Unauthorized(
          "access token was revoked by a logout or a role change; refresh or log in again");
    }
    return new Caller(userId, username, role, roles.permissions(role));
  }
}
