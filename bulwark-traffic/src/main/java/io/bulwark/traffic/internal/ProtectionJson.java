package io.bulwark.traffic.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.traffic.BotProtection;
import io.bulwark.traffic.BotProtection.Action;
import io.bulwark.traffic.BotProtection.ClientKey;
import io.bulwark.traffic.BotProtection.Condition;
import io.bulwark.traffic.BotProtection.RateLimit;
import io.bulwark.traffic.BotProtection.Rule;
import io.bulwark.traffic.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Bot protection as the admin API reads and writes it. A rule is {@code {"name", "action", "path"?,
 * "userAgent"?, "header"?: {"name", "pattern"} or a list of them, "client"?}}; a rate limit is
 * {@code {"name", "key": "ip" | "header:<name>", "rate", "burst", "path"?}}. Errors name the field,
 * e.g. {@code rules[1].userAgent}.
 */
final class ProtectionJson {
  private static final Set<String> TOP =
      Set.of(
          "rules",
          "rateLimits",
          "challengeDifficulty",
          "challengeTtlSeconds",
          "maxClients",
          "secret");
  private static final Set<String> RULE =
      Set.of("name", "action", "path", "userAgent", "header", "client");
  private static final Set<String> HEADER = Set.of("name", "pattern");
  private static final Set<String> LIMIT = Set.of("name", "key", "rate", "burst", "path");

  private ProtectionJson() {}

  /** The configuration as JSON, without the secret (only whether one is set). */
  static Map<String, Object> write(BotProtection p) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("rules", p.rules().stream().map(ProtectionJson::write).toList());
    out.put("rateLimits", p.rateLimits().stream().map(ProtectionJson::write).toList());
    out.put("challengeDifficulty", p.challengeDifficulty());
    out.put("challengeTtlSeconds", p.challengeTtl().toSeconds());
    out.put("maxClients", p.maxClients());
    out.put("secretSet", p.secret().isPresent());
    return out;
  }

  static Map<String, Object> write(Rule rule) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", rule.name());
    out.put("action", rule.action().word());
    List<Map<String, Object>> headers = new ArrayList<>();
    for (Condition c : rule.conditions()) {
      switch (c) {
        case Condition.PathPrefix p -> out.put("path", p.prefix());
        case Condition.UserAgent ua -> out.put("userAgent", ua.regex());
        case Condition.Header h -> {
          Map<String, Object> header = new LinkedHashMap<>();
          header.put("name", h.name());
          header.put("pattern", h.regex());
          headers.add(header);
        }
        case Condition.ClientCidr cidr -> out.put("client", cidr.cidr());
      }
    }
    if (headers.size() == 1) {
      out.put("header", headers.get(0));
    } else if (!headers.isEmpty()) {
      out.put("header", headers);
    }
    return out;
  }

  static Map<String, Object> write(RateLimit limit) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", limit.name());
    out.put("key", limit.key().text());
    out.put("rate", limit.ratePerSecond());
    out.put("burst", limit.burst());
    limit.pathPrefix().ifPresent(p -> out.put("path", p));
    return out;
  }

  /** A whole configuration. */
  static BotProtection read(ObjectNode body) {
    known(body, TOP, "");
    BotProtection.Builder b = BotProtection.builder();
    if (body.has("rules")) {
      List<Rule> rules = new ArrayList<>();
      JsonNode list = array(body.get("rules"), "rules");
      for (int i = 0; i < list.size(); i++) {
        rules.add(readRule(list.get(i), "rules[" + i + "]"));
      }
      b.rules(rules);
    }
    if (body.has("rateLimits")) {
      List<RateLimit> limits = new ArrayList<>();
      JsonNode list = array(body.get("rateLimits"), "rateLimits");
      for (int i = 0; i < list.size(); i++) {
        limits.add(readLimit(list.get(i), "rateLimits[" + i + "]", null));
      }
      b.rateLimits(limits);
    }
    if (body.has("challengeDifficulty")) {
      b.challengeDifficulty(integer(body.get("challengeDifficulty"), "challengeDifficulty"));
    }
    if (body.has("challengeTtlSeconds")) {
      b.challengeTtl(
          Duration.ofSeconds(integer(body.get("challengeTtlSeconds"), "challengeTtlSeconds")));
    }
    if (body.has("maxClients")) {
      b.maxClients(integer(body.get("maxClients"), "maxClients"));
    }
    if (body.has("secret")) {
      b.secret(text(body.get("secret"), "secret"));
    }
    return checked("", b::build);
  }

  /** One rule. */
  static Rule readRule(JsonNode node, String at) {
    ObjectNode rule = object(node, at);
    known(rule, RULE, at);
    String name = text(required(rule, "name", at), field(at, "name"));
    Action action =
        checked(
            field(at, "action"),
            () -> Action.of(text(required(rule, "action", at), field(at, "action"))));
    List<Condition> conditions = new ArrayList<>();
    if (rule.has("path")) {
      String path = text(rule.get("path"), field(at, "path"));
      conditions.add(checked(field(at, "path"), () -> new Condition.PathPrefix(path)));
    }
    if (rule.has("userAgent")) {
      String regex = text(rule.get("userAgent"), field(at, "userAgent"));
      conditions.add(checked(field(at, "userAgent"), () -> new Condition.UserAgent(regex)));
    }
    if (rule.has("header")) {
      JsonNode headers = rule.get("header");
      if (headers.isArray()) {
        for (int i = 0; i < headers.size(); i++) {
          conditions.add(readHeader(headers.get(i), field(at, "header") + "[" + i + "]"));
        }
      } else {
        conditions.add(readHeader(headers, field(at, "header")));
      }
    }
    if (rule.has("client")) {
      String cidr = text(rule.get("client"), field(at, "client"));
      conditions.add(checked(field(at, "client"), () -> new Condition.ClientCidr(cidr)));
    }
    return checked(at, () -> new Rule(name, action, conditions));
  }

  private static Condition readHeader(JsonNode node, String at) {
    ObjectNode header = object(node, at);
    known(header, HEADER, at);
    String name = text(required(header, "name", at), field(at, "name"));
    String pattern = text(required(header, "pattern", at), field(at, "pattern"));
    return checked(at, () -> new Condition.Header(name, pattern));
  }

  /**
   * One rate limit.
   *
   * @param name the name from the path, when the body may leave it out; null when required
   */
  static RateLimit readLimit(JsonNode node, String at, String name) {
    ObjectNode limit = object(node, at);
    known(limit, LIMIT, at);
    String given =
        limit.has("name") ? text(limit.get("name"), field(at, "name")) : requiredName(name, at);
    if (name != null && !name.equals(given)) {
      throw new InvalidRequestException(
          field(at, "name"), "must be \"" + name + "\" as in the path, or left out");
    }
    String keyText = limit.has("key") ? text(limit.get("key"), field(at, "key")) : "ip";
    ClientKey key = checked(field(at, "key"), () -> ClientKey.parse(keyText));
    double rate = number(required(limit, "rate", at), field(at, "rate"));
    int burst =
        limit.has("burst")
            ? integer(limit.get("burst"), field(at, "burst"))
            : (int) Math.max(1, Math.ceil(rate));
    Optional<String> path =
        limit.has("path")
            ? Optional.of(text(limit.get("path"), field(at, "path")))
            : Optional.empty();
    return checked(at, () -> new RateLimit(given, key, rate, burst, path));
  }

  private static String requiredName(String name, String at) {
    if (name == null) {
      throw new InvalidRequestException(field(at, "name"), "is required");
    }
    return name;
  }

  private static <T> T checked(String at, Supplier<T> make) {
    try {
      return make.get();
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(at.isEmpty() ? null : at, e.getMessage(), e);
    }
  }

  private static String field(String at, String name) {
    return at.isEmpty() ? name : at + "." + name;
  }

  private static void known(ObjectNode node, Set<String> fields, String at) {
    for (var it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!fields.contains(name)) {
        throw new InvalidRequestException(
            field(at, name), "unknown field; expected one of " + new TreeSet<>(fields));
      }
    }
  }

  private static JsonNode required(ObjectNode node, String name, String at) {
    JsonNode value = node.get(name);
    if (value == null || value.isNull()) {
      throw new InvalidRequestException(field(at, name), "is required");
    }
    return value;
  }

  private static ObjectNode object(JsonNode node, String at) {
    if (!(node instanceof ObjectNode object)) {
      throw new InvalidRequestException(
          at.isEmpty() ? null : at, "expected a JSON object but got " + node);
    }
    return object;
  }

  private static JsonNode array(JsonNode node, String at) {
    if (!node.isArray()) {
      throw new InvalidRequestException(at, "expected a list but got " + node);
    }
    return node;
  }

  private static String text(JsonNode node, String at) {
    if (!node.isTextual()) {
      throw new InvalidRequestException(at, "expected a string but got " + node);
    }
    return node.textValue();
  }

  private static int integer(JsonNode node, String at) {
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw new InvalidRequestException(at, "expected an integer but got " + node);
    }
    return node.intValue();
  }

  private static double number(JsonNode node, String at) {
    if (!node.isNumber()) {
      throw new InvalidRequestException(at, "expected a number but got " + node);
    }
    return node.doubleValue();
  }
}
