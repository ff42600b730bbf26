package io.bulwark.traffic;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The gateway's edge cache: a shared HTTP cache (RFC 9111) in the gateway's memory for the routes
 * that opt in ({@link RouteConfig#cache()}). It stores GET answers the origin allows a shared cache
 * to keep ({@code Cache-Control}, {@code Expires}, {@code Vary}), serves them while fresh, and
 * revalidates stale ones with {@code If-None-Match} / {@code If-Modified-Since}, so an unchanged
 * answer costs the origin a 304 and no body. Entries beyond {@code maxBytes} are evicted least
 * recently used first.
 *
 * @param maxBytes memory the stored bodies and headers may take in all (default 64 MiB)
 * @param maxEntryBytes the largest body stored; bigger answers pass through uncached (default 1
 *     MiB)
 * @param prewarm paths fetched through the gateway when it starts, so the first clients already
 *     find them cached (each must lie on a caching route); empty by default
 * @param prewarmTimeout how long start-up pre-warming keeps retrying while no target serves yet
 *     (default 30 s)
 */
public record EdgeCache(
    long maxBytes, int maxEntryBytes, List<String> prewarm, Duration prewarmTimeout) {

  public EdgeCache {
    if (maxBytes < 1024) {
      throw new IllegalArgumentException("cache.maxBytes must be >= 1024 but was " + maxBytes);
    }
    if (maxEntryBytes < 1 || maxEntryBytes > maxBytes) {
      throw new IllegalArgumentException(
          "cache.maxEntryBytes must be between 1 and cache.maxBytes ("
              + maxBytes
              + ") but was "
              + maxEntryBytes);
    }
    prewarm = List.copyOf(Objects.requireNonNull(prewarm, "cache.prewarm"));
    for (int i = 0; i < prewarm.size(); i++) {
      String path = prewarm.get(i);
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException(
            "cache.prewarm[" + i + "] must be a path starting with '/' but was " + path);
      }
    }
    if (prewarmTimeout == null || prewarmTimeout.isNegative() || prewarmTimeout.isZero()) {
      throw new IllegalArgumentException(
          "cache.prewarmTimeout must be > 0 but was " + prewarmTimeout);
    }
  }

  /**
   * What a pre-warming run achieved.
   *
   * @param warmed paths now in the cache
   * @param failed paths that are not, each with the reason
   */
  public record PrewarmResult(List<String> warmed, java.util.Map<String, String> failed) {
    public PrewarmResult {
      warmed = List.copyOf(warmed);
      failed = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(failed));
    }
  }

  /** 64 MiB, entries up to 1 MiB, nothing pre-warmed. */
  public static EdgeCache defaults() {
    return builder().build();
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds an {@link EdgeCache}. */
  public static final class Builder {
    private long maxBytes = 64L * 1024 * 1024;
    private int maxEntryBytes = 1024 * 1024;
    private List<String> prewarm = List.of();
    private Duration prewarmTimeout = Duration.ofSeconds(30);

    private Builder() {}

    public Builder maxBytes(long maxBytes) {
      this.maxBytes = maxBytes;
      return this;
    }

    public Builder maxEntryBytes(int maxEntryBytes) {
      this.maxEntryBytes = maxEntryBytes;
      return this;
    }

    public Builder prewarm(List<String> paths) {
      this.prewarm = paths;
      return this;
    }

    public Builder prewarmTimeout(Duration timeout) {
      this.prewarmTimeout = timeout;
      return this;
    }

    public EdgeCache build() {
      return new EdgeCache(maxBytes, maxEntryBytes, prewarm, prewarmTimeout);
    }
  }
}
