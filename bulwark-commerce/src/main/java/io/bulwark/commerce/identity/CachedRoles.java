package io.bulwark.commerce.identity;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.auth.Roles;
import io.bulwark.kernel.DatabaseFailures;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The roles' permissions as the identity store holds them, cached for {@link #TTL} (Caffeine): a
 * change made through this process is seen at once ({@link #invalidate}), one made by another
 * process within {@link #TTL}. When the store cannot be read because the database is down or its
 * pool is exhausted, the permissions last read stand in (and are kept for another {@link #TTL}): an
 * operator can still reach the admin API, diagnosis included, while the database is in trouble,
 * instead of every authorised request failing with it.
 */
public final class CachedRoles implements Roles {

  /** How long a role's permissions are kept before they are read again. */
  public static final Duration TTL = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger(CachedRoles.class);

  private final LoadingCache<String, Set<Permission>> cache;
  private final Map<String, Set<Permission>> lastRead = new ConcurrentHashMap<>();

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
            .build(name -> read(store, name));
  }

  private Set<Permission> read(IdentityStore store, String name) {
    try {
      Set<Permission> permissions = store.role(name).map(Role::permissions).orElse(Set.of());
      lastRead.put(name, permissions);
      return permissions;
    } catch (RuntimeException e) {
      Set<Permission> last = lastRead.get(name);
      if (last != null && (DatabaseFailures.unavailable(e) || DatabaseFailures.poolExhausted(e))) {
        log.warn(
            "role {}: the identity store cannot be read ({}); using its permissions as last read",
            name,
            e.getMessage());
        return last;
      }
      throw e;
    }
  }

  @Override
  public Set<Permission> permissions(String name) {
    return cache.get(name);
  }

  /** Forgets what is cached for role {@code name}, so the next check reads it again. */
  public void invalidate(String name) {
    lastRead.remove(name);
    cache.invalidate(name);
  }
}
