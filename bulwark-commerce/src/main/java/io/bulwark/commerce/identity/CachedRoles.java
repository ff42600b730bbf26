package io.bulwark.commerce.identity;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.auth.Roles;
import java.time.Duration;
import java.util.Set;

/**
 * The roles' permissions as the identity store holds them, cached for {@link #TTL} (Caffeine): a
 * change made through this process is seen at once ({@link #invalidate}), one made by another
 * process within {@link #TTL}.
 */
public final class CachedRoles implements Roles {

  /** How long a role's permissions are kept before they are read again. */
  public static final Duration TTL = Duration.ofSeconds(5);

  private final LoadingCache<String, Set<Permission>> cache;

  /** Roles of {@code store}, timed by the system ticker. */
  public CachedRoles(IdentityStore store) {
    this(store, Ticker.systemTicker());
  }

  /** Roles of {@code store}, timed by {@code ticker} (tests move it). */
  public CachedRoles(IdentityStore store, Ticker ticker) {
    this.cache =
        Caffeine.newBuilder()
            .expireAfterWrite(TTL)
            .maximumSize(10_000)
            .ticker(ticker)
            .build(name -> store.role(name).map(Role::permissions).orElse(Set.of()));
  }

  @Override
  public Set<Permission> permissions(String name) {
    return cache.get(name);
  }

  /** Forgets what is cached for role {@code name}, so the next check reads it again. */
  public void invalidate(String name) {
    cache.invalidate(name);
  }
}
