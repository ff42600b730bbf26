package io.bulwark.topology.internal;

import static io.bulwark.topology.internal.TopologySchema.Fields.opt;
import static io.bulwark.topology.internal.TopologySchema.Fields.req;

import io.bulwark.kernel.Check;
import java.util.List;

/** The shape of {@code bulwark.yaml}: every key, its type and what it means. */
final class TopologySchema {

  /** Names of regions, zones, services, pools, replicas. */
  static final String NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$";

  static final Shape NAME =
      new Shape.Text(NAME_PATTERN, "a name of letters, digits, '.', '_' or '-'");
  static final Shape TEXT = new Shape.Text(null, "text");
  static final Shape HOST =
      new Shape.Text(
          Check.HOST_PATTERN, "an IPv4 address or a host name, like 10.0.0.5 or db-2.example.com");
  static final Shape PATH = new Shape.Text("^/.*$", "an HTTP path starting with /");
  static final Shape WINDOW =
      new Shape.Text(
          "^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$",
          "a UTC time window like 03:00-04:00");
  static final Shape COUNT = new Shape.Int(0, 100_000);
  static final Shape POSITIVE = new Shape.Int(1, 100);
  static final Shape PERCENT = new Shape.Percent();
  static final Shape BOOL = new Shape.Bool();
  static final Shape DURATION = new Shape.Dur();

  static final Shape AVAILABILITY =
      new Shape.Obj(
          List.of(
              opt("instance", PERCENT, "one service instance (default 99.5)"),
              opt("zone", PERCENT, "one zone (default 99.9)"),
              opt("region", PERCENT, "one region's shared infrastructure (default 99.99)"),
              opt("database-node", PERCENT, "one database server (default 99.95)"),
              opt("gateway", PERCENT, "one internet gateway / load balancer node (default 99.99)"),
              opt("external", PERCENT, "an external service without a figure (default 99.9)")));

  static final Shape NETWORK =
      new Shape.Obj(
          List.of(
              opt(
                  "internet-gateways",
                  COUNT,
                  "ingress points (internet gateway / load balancer nodes); default 2"),
              opt("nat-gateways", COUNT, "NAT gateways for egress; 0 when none is needed"),
              opt("vpn-tunnels", COUNT, "site-to-site VPN tunnels to on-premises"),
              opt("dedicated-link", BOOL, "a dedicated line (Direct Connect) to on-premises")));

  static final Shape REGION =
      new Shape.Obj(
          List.of(
              req("name", NAME, "region name, e.g. us-east-1"),
              req(
                  "role",
                  new Shape.Choice(List.of("primary", "standby", "active")),
                  "primary takes writes; standby waits for DR; active serves traffic too"),
              opt("provider", NAME, "cloud or site, e.g. aws, azure, gcp, on-prem, local"),
              req("zones", new Shape.Arr(NAME, 1), "availability zones of the region"),
              opt("availability", PERCENT, "known availability of the region, in percent"),
              opt("network", NETWORK, "network components of the region")));

  static final Shape INSTANCES =
      new Shape.Obj(
          List.of(
              req("min", COUNT, "fewest instances"),
              req("max", new Shape.Int(1, 100_000), "most instances"),
              opt("desired", COUNT, "instances normally running, over all regions (default min)")));

  static final Shape PLACEMENT =
      new Shape.Obj(
          List.of(
              opt(
                  "regions",
                  new Shape.Arr(NAME, 1),
                  "regions to place instances in (default: every primary/active region)"),
              opt("zones", new Shape.Arr(NAME, 1), "restrict to these zones (default: all)"),
              opt(
                  "per-region",
                  new Shape.Dict(COUNT),
                  "running instances per region, overriding the even spread (e.g. 3/2/1)")));

  static final Shape HEALTH_CHECK =
      new Shape.Obj(
          List.of(
              opt("path", PATH, "HTTP path probed (default /health)"),
              opt(
                  "liveness-path",
                  PATH,
                  "path whose failures replace an instance (default: path); /health/live for"
                      + " Bulwark's own services"),
              opt("interval", DURATION, "time between probes (cloud 30s, local 1s)"),
              opt("timeout", DURATION, "probe timeout (cloud 5s, local 500ms)"),
              opt("healthy-threshold", POSITIVE, "passes before healthy (default 2)"),
              opt("unhealthy-threshold", POSITIVE, "failures before unhealthy (default 2)"),
              opt(
                  "matcher",
                  new Shape.Text("^[1-5][0-9][0-9](-[1-5][0-9][0-9])?$", "a status like 200"),
                  "expected HTTP status (default 200)")));

  static final Shape ROLLING =
      new Shape.Obj(
          List.of(
              opt(
                  "min-healthy-percent",
                  new Shape.Int(0, 100),
                  "share kept healthy during a rolling refresh (default 50)")));

  static final Shape DEPENDENCY =
      new Shape.Obj(
          List.of(
              req("service", NAME, "the service depended on"),
              opt(
                  "call",
                  new Shape.Choice(List.of("sync", "async")),
                  "sync request/response or async through a queue (default sync)"),
              opt("circuit-breaker", BOOL, "calls go through a circuit breaker (default false)"),
              opt("fallback", BOOL, "the caller degrades gracefully when it fails (default false)"),
              opt("address", TEXT, "a fixed host:port; marks a hard-coded dependency")));

  static final Shape SERVICE =
      new Shape.Obj(
          List.of(
              req("name", NAME, "service name"),
              opt(
                  "kind",
                  new Shape.Choice(List.of("app", "cache", "queue", "external")),
                  "app (default), cache, queue, or external (run by someone else)"),
              opt("stateful", BOOL, "keeps session state in the instance (default false)"),
              opt(
                  "availability",
                  PERCENT,
                  "known availability of one instance (or of an external)"),
              opt("instances", INSTANCES, "instance group size; required unless external"),
              opt("placement", PLACEMENT, "where instances run"),
              opt("health-check", HEALTH_CHECK, "load balancer health check"),
              opt("grace-period", DURATION, "health check grace after start (cloud 300s)"),
              opt("warm-up", DURATION, "instance warm-up during refresh (cloud 300s)"),
              opt("deregistration-delay", DURATION, "connection draining time (cloud 30s)"),
              opt("rolling", ROLLING, "rolling instance refresh"),
              opt("depends-on", new Shape.Arr(DEPENDENCY, 0), "services this one calls")));

  static final Shape DB_PRIMARY =
      new Shape.Obj(
          List.of(
              req("region", NAME, "region of the primary"),
              opt("zone", NAME, "zone of the primary (default: first zone of the region)"),
              opt(
                  "host",
                  HOST,
                  "address the primary's server listens on and is reached at (default"
                      + " 127.0.0.1)")));

  static final Shape REPLICA =
      new Shape.Obj(
          List.of(
              req("name", NAME, "replica name"),
              req("region", NAME, "region of the replica"),
              opt("zone", NAME, "zone of the replica (default: first zone of the region)"),
              opt(
                  "host",
                  HOST,
                  "address the replica's server listens on and is reached at (default"
                      + " 127.0.0.1)"),
              opt(
                  "mode",
                  new Shape.Choice(List.of("sync", "async")),
                  "synchronous or asynchronous streaming replication (default async)")));

  static final Shape BACKUPS =
      new Shape.Obj(
          List.of(
              opt("enabled", BOOL, "automated backups (default true)"),
              opt("retention", DURATION, "how long backups are kept (default 7d)"),
              opt("window", WINDOW, "daily backup window in UTC (default 03:00-04:00)"),
              opt("pitr", BOOL, "point-in-time recovery from archived WAL (default true)"),
              opt("copy-to-region", NAME, "region that receives a copy of every backup")));

  static final Shape SIZE =
      new Shape.Text("^[1-9][0-9]{0,6}(KB|MB|GB)$", "a size like 512KB, 64MB or 1GB");

  static final Shape FAILOVER =
      new Shape.Obj(
          List.of(
              opt(
                  "strict-sync",
                  BOOL,
                  "with no synchronous standby streaming, commits wait instead of being"
                      + " acknowledged by the primary alone (Patroni's synchronous_mode_strict;"
                      + " default false)"),
              opt(
                  "allow-async",
                  BOOL,
                  "an asynchronous replica may be promoted when no synchronous one is eligible;"
                      + " it may lack acknowledged commits (default false)"),
              opt(
                  "max-lag",
                  SIZE,
                  "how far behind the primary an asynchronous candidate may be (Patroni's"
                      + " maximum_lag_on_failover; default 1MB)")));

  static final Shape DATABASE =
      new Shape.Obj(
          List.of(
              req("name", NAME, "database cluster name"),
              opt("availability", PERCENT, "known availability of one database server"),
              req("primary", DB_PRIMARY, "the primary server"),
              opt("replicas", new Shape.Arr(REPLICA, 0), "streaming replicas"),
              opt("backups", BACKUPS, "backups; leaving this out means no backups"),
              opt("failover", FAILOVER, "what automatic failover may do")));

  static final Shape POOL =
      new Shape.Obj(
          List.of(
              req("name", NAME, "pool name"),
              req("region", NAME, "region whose instances form the pool"),
              opt("service", NAME, "entry service the pool sends to (default: first service)"),
              opt("weight", new Shape.Int(0, 100), "share of traffic; weights add up to 100")));

  static final Shape GEO_RULE =
      new Shape.Obj(
          List.of(
              req("match", NAME, "client region code, e.g. ENAM, WNAM, EEU"),
              req("pool", NAME, "pool that serves it")));

  static final Shape HEADER_RULE =
      new Shape.Obj(
          List.of(
              req("header", NAME, "request header, e.g. x-preferred-cloud"),
              req("value", TEXT, "exact value to match"),
              req("pool", NAME, "pool that serves matching requests")));

  static final Shape AFFINITY =
      new Shape.Obj(
          List.of(
              opt(
                  "type",
                  new Shape.Choice(List.of("cookie", "none")),
                  "session affinity (default cookie)"),
              opt("ttl", DURATION, "affinity lifetime (cloud 86400s, local 1h)")));

  static final Shape MONITOR =
      new Shape.Obj(
          List.of(
              opt("path", PATH, "path probed on each pool (default /health)"),
              opt("interval", DURATION, "time between probes (cloud 30s, local 1s)"),
              opt("timeout", DURATION, "probe timeout (cloud 5s, local 500ms)"),
              opt("retries", new Shape.Int(0, 10), "failed probes before a pool is down (3)"),
              opt(
                  "expected-codes",
                  new Shape.Text("^[1-5]([0-9]|x)([0-9]|x)$", "a status like 200 or 2xx"),
                  "healthy status (default 200)"),
              opt(
                  "check-regions",
                  new Shape.Arr(NAME, 1),
                  "regions whose gateway instances probe the pools; gateways elsewhere ask them"
                      + " (default: every gateway probes)")));

  static final Shape ROUTE =
      new Shape.Obj(
          List.of(
              opt("path-prefix", PATH, "requests whose path starts with this"),
              opt("path-contains", TEXT, "requests whose path contains this, e.g. /health"),
              opt(
                  "affinity",
                  new Shape.Choice(List.of("inherit", "none")),
                  "none turns session affinity off on this route (default inherit)"),
              opt(
                  "ttl",
                  DURATION,
                  "how long clients may reuse an answer that states no lifetime of its own"),
              opt("cache", BOOL, "serve this route through the edge cache (default false)"),
              opt("pool", NAME, "send this route's requests to this pool"),
              opt("timeout", DURATION, "one attempt's limit (default 30s cloud, 10s local)"),
              opt("retries", new Shape.Int(0, 10), "further attempts of a safe request (2)")));

  static final Shape EDGE_CACHE =
      new Shape.Obj(
          List.of(
              opt(
                  "max-size",
                  SIZE,
                  "memory for cached answers (default 64MB; KB/MB/GB are 1024-based)"),
              opt("max-entry-size", SIZE, "the largest answer stored (default 1MB)"),
              opt("prewarm", new Shape.Arr(PATH, 0), "paths fetched through the gateway at start"),
              opt(
                  "prewarm-timeout",
                  DURATION,
                  "how long pre-warming retries while no target serves yet (default 30s)")));

  static final Shape HEADER_MATCH =
      new Shape.Obj(
          List.of(
              req("name", NAME, "request header"),
              req("pattern", TEXT, "regular expression found in its value; ^$ for absent")));

  static final Shape BOT_RULE =
      new Shape.Obj(
          List.of(
              req("name", NAME, "rule name, shown in answers and metrics"),
              req(
                  "action",
                  new Shape.Choice(List.of("allow", "deny", "challenge")),
                  "allow (skips rate limits), deny (403) or challenge (proof of work)"),
              opt("path", PATH, "the request path starts with this"),
              opt("user-agent", TEXT, "regular expression found in the User-Agent; ^$ for none"),
              opt("header", HEADER_MATCH, "a header whose value matches"),
              opt(
                  "client",
                  new Shape.Text("^[0-9A-Fa-f:.]+/[0-9]{1,3}$", "an address block like 10.0.0.0/8"),
                  "the client's address lies in this block")));

  static final Shape RATE_LIMIT =
      new Shape.Obj(
          List.of(
              req("name", NAME, "limit name, shown in answers and metrics"),
              opt(
                  "key",
                  new Shape.Text("^(ip|header:[A-Za-z0-9-]+)$", "ip or header:<name>"),
                  "what identifies a client: its address, or an API key header (default ip)"),
              req(
                  "rate",
                  new Shape.Text(
                      "^[0-9]{1,7}(\\.[0-9]{1,3})?/(s|m|h)$", "a rate like 20/s or 600/m"),
                  "requests a client may send on average"),
              opt(
                  "burst",
                  new Shape.Int(1, 1_000_000),
                  "requests at once (default: one second's worth)"),
              opt("path", PATH, "only requests under this path count")));

  static final Shape PROTECTION =
      new Shape.Obj(
          List.of(
              opt("rules", new Shape.Arr(BOT_RULE, 0), "allow, deny and challenge rules, in order"),
              opt("rate-limits", new Shape.Arr(RATE_LIMIT, 0), "per-client token buckets"),
              opt(
                  "challenge-difficulty",
                  new Shape.Int(1, 32),
                  "leading zero bits a challenge's proof of work needs (default 16)"),
              opt("challenge-ttl", DURATION, "how long a solved challenge lasts (default 1h)"),
              opt(
                  "max-clients",
                  new Shape.Int(1, 10_000_000),
                  "buckets kept per rate limit before new clients share one (default 100000)")));

  static final Shape TRAFFIC =
      new Shape.Obj(
          List.of(
              req("pools", new Shape.Arr(POOL, 1), "origin pools"),
              opt("geo", new Shape.Arr(GEO_RULE, 0), "geo steering rules"),
              opt("headers", new Shape.Arr(HEADER_RULE, 0), "header routing rules"),
              opt("affinity", AFFINITY, "session affinity"),
              opt("fallback-pool", NAME, "pool used when every other pool is down"),
              opt(
                  "monitor",
                  MONITOR,
                  "pool health monitor; when given, it drives the gateway's pool checks"),
              opt("routes", new Shape.Arr(ROUTE, 0), "the gateway's route table, first match wins"),
              opt("cache", EDGE_CACHE, "the gateway's edge cache for routes with cache: true"),
              opt("protection", PROTECTION, "bot protection: rules and per-client rate limits")));

  static final Shape DR =
      new Shape.Obj(
          List.of(
              req(
                  "strategy",
                  new Shape.Choice(
                      List.of("backup-restore", "pilot-light", "warm-standby", "active-active")),
                  "disaster recovery strategy"),
              req("rpo", DURATION, "recovery point objective: data loss allowed"),
              req("rto", DURATION, "recovery time objective: downtime allowed"),
              opt("region", NAME, "region to recover into (default: the standby region)")));

  static final Shape CONTACTS =
      new Shape.Obj(
          List.of(
              opt("primary", TEXT, "first responder, e.g. oncall@company.com"),
              opt("escalation", TEXT, "escalation contact"),
              opt("vendor-support", new Shape.Dict(TEXT), "vendor → support channel")));

  /** The whole file. */
  static final Shape.Obj ROOT =
      new Shape.Obj(
          List.of(
              req("name", NAME, "name of the system"),
              opt(
                  "profile",
                  new Shape.Choice(List.of("cloud", "local")),
                  "default timings: cloud (the seed's) or local (fast, for drills on one machine)"),
              opt("availability", AVAILABILITY, "availability figures for unnamed components"),
              req("regions", new Shape.Arr(REGION, 1), "regions and their zones"),
              req("services", new Shape.Arr(SERVICE, 1), "services and their instance groups"),
              opt("database", DATABASE, "the PostgreSQL cluster"),
              opt("traffic", TRAFFIC, "traffic pools and routing rules"),
              opt("dr", DR, "disaster recovery strategy and targets"),
              opt("contacts", CONTACTS, "who the runbook names")));

  private TopologySchema() {}

  static final class Fields {
    private Fields() {}

    static Shape.Field req(String name, Shape shape, String description) {
      return new Shape.Field(name, shape, true, description);
    }

    static Shape.Field opt(String name, Shape shape, String description) {
      return new Shape.Field(name, shape, false, description);
    }
  }
}
