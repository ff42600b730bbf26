package io.bulwark.traffic.internal;

import io.bulwark.traffic.EdgeCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The edge cache's entries: a shared HTTP cache after RFC 9111, in memory, bounded in bytes with
 * least-recently-used eviction. Keys are request targets (path and query); each key keeps up to
 * {@value #MAX_VARIANTS} variants selected by the answer's {@code Vary} header. Thread-safe: the
 * event loops take the store's lock for a map operation each.
 */
final class EdgeCacheStore {
  static final int MAX_VARIANTS = 8;
  // Heuristic freshness (RFC 9111 4.2.2) is capped: a day-old answer is never kept fresh for long.
  private static final long MAX_HEURISTIC_SECONDS = 86_400;
  // Fixed cost counted per entry besides its body and headers.
  private static final int ENTRY_OVERHEAD = 256;
  private static final Set<String> NOT_STORED =
      Set.of(
          "connection",
          "keep-alive",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "set-cookie",
          "x-request-id",
          "age",
          "x-cache");

  /** What the cache holds for a request. */
  sealed interface Lookup {
    /** A fresh answer: serve it. */
    record Hit(Entry entry) implements Lookup {}

    /** A stale answer with a validator: ask the origin whether it still holds. */
    record Stale(Entry entry) implements Lookup {}

    /** Nothing usable: fetch, and store the answer if it may be. */
    record Miss() implements Lookup {}

    /** The request may not use the cache (method, Range, no-store). */
    record Bypass() implements Lookup {}
  }

  // RFC 9110 15.1: statuses a cache may reuse without explicit freshness information.
  static final Set<Integer> HEURISTICALLY_CACHEABLE =
      Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501);

  static final Lookup MISS = new Lookup.Miss();
  static final Lookup BYPASS = new Lookup.Bypass();

  private final EdgeCache config;
  private final Clock clock;
  private final MeterRegistry registry;
  private final LinkedHashMap<String, List<Entry>> entries = new LinkedHashMap<>(64, 0.75f, true);
  private final List<Meter> meters = new ArrayList<>();
  private final Counter hits;
  private final Counter revalidated;
  private final Counter misses;
  private final Counter stale;
  private final Counter evictions;
  private long bytes;
  private int count;

  EdgeCacheStore(EdgeCache config, Clock clock, MeterRegistry registry) {
    this.config = config;
    this.clock = clock;
    this.registry = registry;
    this.hits = result("hit");
    this.revalidated = result("revalidated");
    this.misses = result("miss");
    this.stale = result("stale");
    this.evictions =
        register(
            Counter.builder("bulwark.gateway.cache.evictions")
                .description("Entries dropped to stay within the cache's byte budget")
                .register(registry));
    register(
        Gauge.builder("bulwark.gateway.cache.hit.ratio", this, EdgeCacheStore::hitRatio)
            .description(
                "Share of cacheable requests answered from the edge cache (fresh hits and"
                    + " revalidated entries) since start")
            .strongReference(true)
            .register(registry));
    register(
        Gauge.builder("bulwark.gateway.cache.entries", this, s -> s.stats().entries())
            .description("Answers held by the edge cache")
            .strongReference(true)
            .register(registry));
    register(
        Gauge.builder("bulwark.gateway.cache.bytes", this, s -> s.stats().bytes())
            .description("Memory the edge cache's entries take, in bytes")
            .strongReference(true)
            .register(registry));
  }

  private Counter result(String result) {
    return register(
        Counter.builder("bulwark.gateway.cache.requests")
            .description(
                "Requests on caching routes by result: hit (fresh), revalidated (the origin"
                    + " answered 304), stale (origin unreachable, stale entry served), miss")
            .tag("result", result)
            .register(registry));
  }

  private <M extends Meter> M register(M meter) {
    meters.add(meter);
    return meter;
  }

  EdgeCache config() {
    return config;
  }

  /** What the cache can do for {@code request}. */
  Lookup lookup(HttpRequest request) {
    HttpMethod method = request.method();
    if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
      return BYPASS;
    }
    HttpHeaders headers = request.headers();
    if (headers.contains(HttpHeaderNames.RANGE)) {
      return BYPASS;
    }
    CacheControl asked = CacheControl.parse(headers.get(HttpHeaderNames.CACHE_CONTROL));
    if (asked.noStore()) {
      return BYPASS;
    }
    Entry entry;
    synchronized (this) {
      List<Entry> variants = entries.get(request.uri());
      entry =
          variants == null
              ? null
              : variants.stream().filter(e -> e.selects(headers)).findFirst().orElse(null);
    }
    if (entry == null) {
      return MISS;
    }
    boolean revalidate =
        asked.noCache()
            || asked.maxAge() == 0
            || "no-cache".equalsIgnoreCase(headers.get(HttpHeaderNames.PRAGMA));
    long now = clock.millis();
    if (!revalidate && entry.fresh(now)) {
      return new Lookup.Hit(entry);
    }
    return entry.hasValidator() ? new Lookup.Stale(entry) : MISS;
  }

  void countHit() {
    hits.increment();
  }

  void countRevalidated() {
    revalidated.increment();
  }

  void countMiss() {
    misses.increment();
  }

  void countStale() {
    stale.increment();
  }

  /**
   * Whether a shared cache may store this answer to {@code request} (RFC 9111 3): a GET, a status
   * reusable without explicit freshness, no {@code no-store} or {@code private}, no cookie being
   * set, not {@code Vary: *}, with {@code Authorization} only when the origin allows it, and a
   * freshness lifetime or a validator to revalidate with.
   */
  boolean storable(HttpRequest request, int status, HttpHeaders answer) {
    if (!request.method().equals(HttpMethod.GET)
        || !HEURISTICALLY_CACHEABLE.contains(status)
        || status == 206
        || answer.contains(HttpHeaderNames.SET_COOKIE)) {
      return false;
    }
    CacheControl cc = CacheControl.parse(answer.get(HttpHeaderNames.CACHE_CONTROL));
    if (cc.noStore()
        || cc.isPrivate()
        || CacheControl.parse(request.headers().get(HttpHeaderNames.CACHE_CONTROL)).noStore()) {
      return false;
    }
    if (request.headers().contains(HttpHeaderNames.AUTHORIZATION)
        && !(cc.isPublic() || cc.sMaxAge() >= 0 || cc.mustRevalidate())) {
      return false;
    }
    String vary = answer.get(HttpHeaderNames.VARY);
    if (vary != null && vary.contains("*")) {
      return false;
    }
    long length = answer.getInt(HttpHeaderNames.CONTENT_LENGTH, -1);
    if (length > config.maxEntryBytes()) {
      return false;
    }
    long now = clock.millis();
    return freshness(status, answer, cc, now) > 0
        || answer.contains(HttpHeaderNames.ETAG)
        || answer.contains(HttpHeaderNames.LAST_MODIFIED);
  }

  /**
   * Stores an answer whose whole body arrived.
   *
   * @param requestTime when the request went upstream (clock millis)
   * @param headers the answer's end-to-end headers as the origin sent them
   * @return the stored entry, or null when it did not fit
   */
  Entry store(HttpRequest request, int status, HttpHeaders headers, byte[] body, long requestTime) {
    if (body.length > config.maxEntryBytes()) {
      return null;
    }
    Entry entry = Entry.of(request, status, copy(headers), body, requestTime, clock.millis());
    put(entry);
    return entry;
  }

  /** Freshens {@code entry} with the headers of a 304 answer (RFC 9111 4.3.4). */
  Entry refresh(Entry entry, HttpHeaders notModified, long requestTime) {
    HttpHeaders merged = entry.headers.copy();
    for (Map.Entry<String, String> h : notModified) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_STORED.contains(name) && !name.equals("content-length")) {
        merged.remove(name);
      }
    }
    for (Map.Entry<String, String> h : notModified) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!NOT_STORED.contains(name) && !name.equals("content-length")) {
        merged.add(name, h.getValue());
      }
    }
    Entry fresh =
        new Entry(
            entry.key,
            entry.status,
            merged,
            entry.body,
            entry.varyNames,
            entry.varyValues,
            requestTime,
            clock.millis());
    put(fresh);
    return fresh;
  }

  /** Whether some variant of {@code uri} is stored. */
  synchronized boolean contains(String uri) {
    return entries.containsKey(uri);
  }

  /** Drops every entry of path {@code path} (all queries and variants); returns how many. */
  synchronized int purge(String path) {
    int removed = 0;
    for (Iterator<Map.Entry<String, List<Entry>>> it = entries.entrySet().iterator();
        it.hasNext(); ) {
      Map.Entry<String, List<Entry>> e = it.next();
      String key = e.getKey();
      int q = key.indexOf('?');
      if ((q < 0 ? key : key.substring(0, q)).equals(path)) {
        for (Entry entry : e.getValue()) {
          bytes -= entry.size;
          count--;
          removed++;
        }
        it.remove();
      }
    }
    return removed;
  }

  /** Drops everything; returns how many entries there were. */
  synchronized int purgeAll() {
    int removed = count;
    entries.clear();
    bytes = 0;
    count = 0;
    return removed;
  }

  /** Counts for the admin API. */
  synchronized Stats stats() {
    return new Stats(
        count,
        bytes,
        config.maxBytes(),
        (long) hits.count(),
        (long) revalidated.count(),
        (long) stale.count(),
        (long) misses.count(),
        hitRatio());
  }

  /** The admin API's view of the cache. */
  record Stats(
      int entries,
      long bytes,
      long maxBytes,
      long hits,
      long revalidated,
      long stale,
      long misses,
      double hitRatio) {}

  double hitRatio() {
    double served = hits.count() + revalidated.count() + stale.count();
    double all = served + misses.count();
    return all == 0 ? 0 : served / all;
  }

  void close() {
    meters.forEach(registry::remove);
    meters.clear();
  }

  private synchronized void put(Entry entry) {
    List<Entry> variants = entries.computeIfAbsent(entry.key, k -> new ArrayList<>(1));
    for (Iterator<Entry> it = variants.iterator(); it.hasNext(); ) {
      Entry old = it.next();
      if (old.varyNames.equals(entry.varyNames) && old.varyValues.equals(entry.varyValues)
          || !old.varyNames.equals(entry.varyNames)) {
        // The same variant again, or the origin changed what it varies on: the new one wins.
        it.remove();
        bytes -= old.size;
        count--;
      }
    }
    if (variants.size() >= MAX_VARIANTS) {
      Entry oldest = variants.remove(0);
      bytes -= oldest.size;
      count--;
    }
    variants.add(entry);
    bytes += entry.size;
    count++;
    Iterator<Map.Entry<String, List<Entry>>> lru = entries.entrySet().iterator();
    while (bytes > config.maxBytes() && lru.hasNext()) {
      Map.Entry<String, List<Entry>> victim = lru.next();
      if (victim.getValue() == variants && !lru.hasNext()) {
        break;
      }
      for (Entry e : victim.getValue()) {
        bytes -= e.size;
        count--;
        evictions.increment();
      }
      lru.remove();
    }
  }

  private static HttpHeaders copy(HttpHeaders headers) {
    HttpHeaders out = new DefaultHttpHeaders();
    for (Map.Entry<String, String> h : headers) {
      if (!NOT_STORED.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        out.add(h.getKey(), h.getValue());
      }
    }
    return out;
  }

  /**
   * Freshness lifetime in seconds for a shared cache (RFC 9111 4.2.1): s-maxage, max-age, Expires
   * minus Date, else 10% of the time since Last-Modified (at most a day); 0 when none applies or
   * the answer says no-cache.
   */
  static long freshness(int status, HttpHeaders headers, CacheControl cc, long nowMillis) {
    if (cc.noCache()) {
      return 0;
    }
    if (cc.sMaxAge() >= 0) {
      return cc.sMaxAge();
    }
    if (cc.maxAge() >= 0) {
      return cc.maxAge();
    }
    long date = dateOf(headers, HttpHeaderNames.DATE, nowMillis);
    if (headers.contains(HttpHeaderNames.EXPIRES)) {
      Date expires = DateFormatter.parseHttpDate(headers.get(HttpHeaderNames.EXPIRES));
      // An Expires that does not parse (e.g. "0") means already expired.
      return expires == null ? 0 : Math.max(0, (expires.getTime() - date) / 1000);
    }
    if (headers.contains(HttpHeaderNames.LAST_MODIFIED)
        && HEURISTICALLY_CACHEABLE.contains(status)) {
      Date modified = DateFormatter.parseHttpDate(headers.get(HttpHeaderNames.LAST_MODIFIED));
      if (modified != null && modified.getTime() < date) {
        return Math.min(MAX_HEURISTIC_SECONDS, (date - modified.getTime()) / 10_000);
      }
    }
    return 0;
  }

  private static long dateOf(HttpHeaders headers, CharSequence name, long fallback) {
    String value = headers.get(name);
    Date date = value == null ? null : DateFormatter.parseHttpDate(value);
    return date == null ? fallback : date.getTime();
  }

  /** One stored answer. */
  static final class Entry {
    final String key;
    final int status;
    final HttpHeaders headers;
    final byte[] body;
    final List<String> varyNames;
    final List<String> varyValues;
    final String etag;
    final String lastModified;
    final boolean noCache;
    final boolean mustRevalidate;
    final long responseTime;
    final long initialAge;
    final long freshness;
    final long size;

    private Entry(
        String key,
        int status,
        HttpHeaders headers,
        byte[] body,
        List<String> varyNames,
        List<String> varyValues,
        long requestTime,
        long responseTime) {
      this.key = key;
      this.status = status;
      this.headers = headers;
      this.body = body;
      this.varyNames = varyNames;
      this.varyValues = varyValues;
      this.etag = headers.get(HttpHeaderNames.ETAG);
      this.lastModified = headers.get(HttpHeaderNames.LAST_MODIFIED);
      CacheControl cc = CacheControl.parse(headers.get(HttpHeaderNames.CACHE_CONTROL));
      this.noCache = cc.noCache();
      this.mustRevalidate = cc.mustRevalidate();
      this.responseTime = responseTime;
      // RFC 9111 4.2.3: the age the answer already had when it arrived.
      long date = dateOf(headers, HttpHeaderNames.DATE, responseTime);
      long apparentAge = Math.max(0, (responseTime - date) / 1000);
      long ageValue = Math.max(0, headers.getInt(HttpHeaderNames.AGE, 0));
      long correctedAge = ageValue + Math.max(0, (responseTime - requestTime) / 1000);
      this.initialAge = Math.max(apparentAge, correctedAge);
      this.freshness = EdgeCacheStore.freshness(status, headers, cc, responseTime);
      int headerBytes = 0;
      for (Map.Entry<String, String> h : headers) {
        headerBytes += h.getKey().length() + h.getValue().length() + 32;
      }
      this.size = (long) body.length + headerBytes + key.length() * 2L + ENTRY_OVERHEAD;
    }

    static Entry of(
        HttpRequest request,
        int status,
        HttpHeaders headers,
        byte[] body,
        long requestTime,
        long responseTime) {
      List<String> names = new ArrayList<>();
      String vary = headers.get(HttpHeaderNames.VARY);
      if (vary != null) {
        for (String name : vary.split(",")) {
          String n = name.trim().toLowerCase(Locale.ROOT);
          if (!n.isEmpty()) {
            names.add(n);
          }
        }
      }
      List<String> values = new ArrayList<>();
      for (String n : names) {
        values.add(String.join(",", request.headers().getAll(n)));
      }
      return new Entry(
          request.uri(),
          status,
          headers,
          body,
          List.copyOf(names),
          List.copyOf(values),
          requestTime,
          responseTime);
    }

    /** Whether this variant answers a request with these headers (RFC 9111 4.1). */
    boolean selects(HttpHeaders request) {
      for (int i = 0; i < varyNames.size(); i++) {
        if (!String.join(",", request.getAll(varyNames.get(i))).equals(varyValues.get(i))) {
          return false;
        }
      }
      return true;
    }

    /** Seconds old at {@code nowMillis}. */
    long age(long nowMillis) {
      return initialAge + Math.max(0, (nowMillis - responseTime) / 1000);
    }

    boolean fresh(long nowMillis) {
      return !noCache && freshness > age(nowMillis);
    }

    boolean hasValidator() {
      return etag != null || lastModified != null;
    }

    /** Whether the origin forbids serving this entry stale, even while it cannot be reached. */
    boolean neverStale() {
      return noCache || mustRevalidate;
    }
  }
}
