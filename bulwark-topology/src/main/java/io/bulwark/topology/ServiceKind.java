package io.bulwark.topology;

/** What sort of service an entry in {@code services} is. */
public enum ServiceKind {
  /** An application service run by Bulwark. */
  APP,
  /** A cache (callers should fall back when it is down). */
  CACHE,
  /** A message queue or broker. */
  QUEUE,
  /** Run by someone else (payment provider, SaaS API); has no instances here. */
  EXTERNAL
}
