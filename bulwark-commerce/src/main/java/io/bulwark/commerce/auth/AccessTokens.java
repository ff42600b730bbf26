package io.bulwark.commerce.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import io.bulwark.commerce.CommerceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Short-lived JWT access tokens signed with HMAC-SHA256. Any context holding the key can verify a
 * token without asking identity, so each context can run on its own.
 */
public final class AccessTokens {

  static final String ISSUER = "bulwark";
  private static final String BEARER = "Bearer ";

  private final Algorithm algorithm;
  private final JWTVerifier verifier;
  private final Duration ttl;
  private final Clock clock;
  private final Roles roles;

  /**
   * Tokens signed with {@code key} that live {@code ttl}; a verified token's role is given the
   * permissions {@code roles} grants it at that moment.
   *
   * @throws IllegalArgumentException when the key is shorter than 32 bytes or ttl not positive
   */
  public AccessTokens(byte[] key, Duration ttl, Clock clock, Roles roles) {
    if (key.length < 32) {
      throw new IllegalArgumentException("JWT key must be at least 32 bytes but was " + key.length);
    }
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("access token ttl must be positive but was " + ttl);
    }
    this.algorithm = Algorithm.HMAC256(key);
    this.verifier =
        ((JWTVerifier.BaseVerification) JWT.require(algorithm).withIssuer(ISSUER)).build(clock);
    this.ttl = ttl;
    this.clock = clock;
    this.roles = roles;
  }

  /** How long an access token is valid. */
  public Duration ttl() {
    return ttl;
  }

  /** A signed token for {@code caller}, valid for {@link #ttl()}. */
  public String issue(Caller caller) {
    Instant now = clock.instant();
    return JWT.create()
        .withIssuer(ISSUER)
        .withSubject(caller.userId().toString())
        .withClaim("username", caller.username())
        .withClaim("role", caller.role())
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
    try {
      userId = UUID.fromString(jwt.getSubject());
    } catch (RuntimeException e) {
      throw new CommerceException.Unauthorized("access token has malformed claims", e);
    }
    if (username == null || role == null) {
      throw new CommerceException.Unauthorized("access token has malformed claims");
    }
    return new Caller(userId, username, role, roles.permissions(role));
  }
}
