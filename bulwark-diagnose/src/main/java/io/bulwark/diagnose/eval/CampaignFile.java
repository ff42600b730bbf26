package io.bulwark.diagnose.eval;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.bulwark.diagnose.Fault;
import io.bulwark.diagnose.chaos.Chaos;
import io.bulwark.kernel.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a campaign file:
 *
 * <pre>
 * injections:
 *   - {fault: cpu-hog, target: shop, at: 30s, duration: 60s}
 * noise:
 *   - {kind: load-swing, at: 2m, duration: 30s}
 * </pre>
 *
 * Every problem is reported as {@code file:line: field: problem, got value}.
 */
public final class CampaignFile {

  private static final YAMLFactory FACTORY = new YAMLFactory();
  private static final Set<String> INJECTION_KEYS = Set.of("fault", "target", "at", "duration");
  private static final Set<String> NOISE_KEYS = Set.of("kind", "at", "duration");

  private final String file;

  private CampaignFile(String file) {
    this.file = file;
  }

  /** Reads the campaign in {@code path}. */
  public static Campaign read(Path path) throws CampaignException {
    String text;
    try {
      text = Files.readString(path);
    } catch (IOException e) {
      throw new CampaignException(path.toString(), 0, "", "cannot read the file: " + e);
    }
    return parse(path.toString(), text);
  }

  /** Reads the campaign in {@code text}, naming it {@code file} in messages. */
  public static Campaign parse(String file, String text) throws CampaignException {
    return new CampaignFile(file).campaign(text);
  }

  private Campaign campaign(String text) throws CampaignException {
    Node root = tree(text);
    MapNode top = map(root, "", Set.of("injections", "noise"));
    Node injections = top.entries.get("injections");
    if (injections == null) {
      throw error(
          root.line(), "injections", "is required: a list of {fault, target, at, duration}");
    }
    List<Campaign.Injection> faults = new ArrayList<>();
    ListNode list = list(injections, "injections");
    if (list.items.isEmpty()) {
      throw error(list.line, "injections", "must hold at least one injection");
    }
    for (int i = 0; i < list.items.size(); i++) {
      String path = "injections[" + i + "]";
      MapNode m = map(list.items.get(i), path, INJECTION_KEYS);
      String slug = text(m, path, "fault");
      Fault fault =
          Fault.of(slug)
              .orElseThrow(
                  () ->
                      error(
                          m.entries.get("fault").line(),
                          path + ".fault",
                          "must be one of " + Fault.names() + ", got " + slug));
      String target = text(m, path, "target");
      Duration at = duration(m, path, "at", Duration.ZERO);
      Duration duration = duration(m, path, "duration", Duration.ofSeconds(1));
      if (duration.compareTo(Duration.ofMinutes(Chaos.MAX_MINUTES)) > 0) {
        throw error(
            m.entries.get("duration").line(),
            path + ".duration",
            "must be at most " + Chaos.MAX_MINUTES + "m, got " + Durations.format(duration));
      }
      if (!faults.isEmpty() && at.compareTo(faults.getLast().at()) <= 0) {
        throw error(
            m.entries.get("at").line(),
            path + ".at",
            "must be after injections["
                + (i - 1)
                + "].at ("
                + Durations.format(faults.getLast().at())
                + "), got "
                + Durations.format(at));
      }
      faults.add(new Campaign.Injection(m.line, fault, target, at, duration));
    }
    List<Campaign.Noise> noise = new ArrayList<>();
    if (top.entries.containsKey("noise")) {
      ListNode n = list(top.entries.get("noise"), "noise");
      for (int i = 0; i < n.items.size(); i++) {
        String path = "noise[" + i + "]";
        MapNode m = map(n.items.get(i), path, NOISE_KEYS);
        String slug = text(m, path, "kind");
        Campaign.Noise.Kind kind =
            Arrays.stream(Campaign.Noise.Kind.values())
                .filter(k -> k.slug().equals(slug))
                .findFirst()
                .orElseThrow(
                    () ->
                        error(
                            m.entries.get("kind").line(),
                            path + ".kind",
                            "must be one of load-swing, deploy, got " + slug));
        noise.add(
            new Campaign.Noise(
                m.line,
                kind,
                duration(m, path, "at", Duration.ZERO),
                duration(m, path, "duration", Duration.ofSeconds(1))));
      }
    }
    return new Campaign(file, faults, noise);
  }

  private MapNode map(Node node, String path, Set<String> keys) throws CampaignException {
    if (!(node instanceof MapNode m)) {
      throw error(node.line(), path, "expected a mapping, got " + describe(node));
    }
    for (Map.Entry<String, Node> e : m.entries.entrySet()) {
      if (!keys.contains(e.getKey())) {
        String field = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        throw error(
            e.getValue().line(),
            field,
            "unknown field; expected " + String.join(", ", keys.stream().sorted().toList()));
      }
    }
    return m;
  }

  private ListNode list(Node node, String path) throws CampaignException {
    if (!(node instanceof ListNode l)) {
      throw error(node.line(), path, "expected a list, got " + describe(node));
    }
    return l;
  }

  private String text(MapNode m, String path, String key) throws CampaignException {
    Node n = m.entries.get(key);
    if (n == null) {
      throw error(m.line, path + "." + key, "is required");
    }
    if (!(n instanceof Scalar s) || s.text == null || s.text.isBlank()) {
      throw error(n.line(), path + "." + key, "expected a name, got " + describe(n));
    }
    return s.text.strip();
  }

  private Duration duration(MapNode m, String path, String key, Duration min)
      throws CampaignException {
    String text = text(m, path, key);
    int line = m.entries.get(key).line();
    Duration d =
        Durations.parse(text)
            .orElseThrow(
                () ->
                    error(
                        line,
                        path + "." + key,
                        "expected a duration like 30s or 2m, got \"" + text + "\""));
    if (d.compareTo(min) < 0) {
      throw error(
          line, path + "." + key, "must be at least " + Durations.format(min) + ", got " + text);
    }
    return d;
  }

  private CampaignException error(int line, String field, String problem) {
    return new CampaignException(file, line, field, problem);
  }

  private static String describe(Node n) {
    return switch (n) {
      case MapNode m -> "a mapping";
      case ListNode l -> "a list";
      case Scalar s -> s.text == null ? "nothing" : "\"" + s.text + "\"";
    };
  }

  private Node tree(String text) throws CampaignException {
    try (JsonParser p = FACTORY.createParser(text)) {
      if (p.nextToken() == null) {
        throw error(0, "", "the file is empty, expected injections: [...]");
      }
      return node(p, "");
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String message = e.getOriginalMessage() == null ? "unreadable" : e.getOriginalMessage();
      int nl = message.indexOf('\n');
      throw error(
          at == null ? 0 : at.getLineNr(),
          "",
          "not valid YAML: " + (nl < 0 ? message : message.substring(0, nl)).strip());
    } catch (IOException e) {
      throw error(0, "", "cannot read: " + e.getMessage());
    }
  }

  private Node node(JsonParser p, String path) throws IOException, CampaignException {
    int line = p.currentTokenLocation().getLineNr();
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT) {
      Map<String, Node> entries = new LinkedHashMap<>();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String key = p.currentName();
        int keyLine = p.currentTokenLocation().getLineNr();
        p.nextToken();
        String child = path.isEmpty() ? key : path + "." + key;
        if (entries.put(key, node(p, child)) != null) {
          throw error(keyLine, child, "given twice");
        }
      }
      return new MapNode(line, entries);
    }
    if (t == JsonToken.START_ARRAY) {
      List<Node> items = new ArrayList<>();
      while (p.nextToken() != JsonToken.END_ARRAY) {
        items.add(node(p, path + "[" + items.size() + "]"));
      }
      return new ListNode(line, items);
    }
    return new Scalar(line, t == JsonToken.VALUE_NULL ? null : p.getText());
  }

  private sealed interface Node permits MapNode, ListNode, Scalar {
    int line();
  }

  private record MapNode(int line, Map<String, Node> entries) implements Node {}

  private record ListNode(int line, List<Node> items) implements Node {}

  private record Scalar(int line, String text) implements Node {}
}
