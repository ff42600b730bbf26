package io.bulwark.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The server and the CLI are the only wiring roots: capability modules build against {@code
 * bulwark-http} and {@code bulwark-platform}, never against the server. A module's tests may run a
 * real server (test scope); its code may not.
 */
class WiringRootTest {

  private static final String SERVER = "bulwark-server";
  private static final Set<String> ROOTS = Set.of(SERVER, "bulwark-cli", "bulwark-bench");

  private static final Path REPO =
      Path.of(System.getProperty("basedir", "")).toAbsolutePath().getParent();

  @Test
  void onlyTheWiringRootsDependOnTheServerOutsideTests() throws Exception {
    Map<String, List<String>> deps = new LinkedHashMap<>();
    for (String module : modules()) {
      deps.put(module, mainDependencies(REPO.resolve(module).resolve("pom.xml")));
    }
    assertThat(deps).as("modules listed in %s", REPO.resolve("pom.xml")).containsKey(SERVER);

    List<String> offenders = new ArrayList<>();
    for (String module : deps.keySet()) {
      if (!ROOTS.contains(module) && reaches(module, SERVER, deps)) {
        offenders.add(module + " (via " + path(module, SERVER, deps) + ")");
      }
    }
    assertThat(offenders)
        .as(
            "modules that depend on %s at compile or runtime scope; depend on bulwark-http /"
                + " bulwark-platform instead, or on the server at test scope only",
            SERVER)
        .isEmpty();
  }

  @Test
  void noCodeOutsideTheWiringRootsImportsTheServer() throws Exception {
    List<String> offenders = new ArrayList<>();
    for (String module : modules()) {
      Path main = REPO.resolve(module).resolve("src/main/java");
      if (ROOTS.contains(module) || !Files.isDirectory(main)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(main)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          if (Files.readString(file).contains("import io.bulwark.server.")) {
            offenders.add(REPO.relativize(file).toString());
          }
        }
      }
    }
    assertThat(offenders).as("main sources importing io.bulwark.server").isEmpty();
  }

  @Test
  void theCheckSeesATestScopedServerDependencyAsAllowed() throws Exception {
    // The commerce and states modules run their HTTP tests in a real server: that must stay legal.
    List<String> all = dependencies(REPO.resolve("bulwark-commerce/pom.xml"), true);
    assertThat(all).contains(SERVER);
    assertThat(mainDependencies(REPO.resolve("bulwark-commerce/pom.xml"))).doesNotContain(SERVER);
  }

  private static List<String> modules() throws Exception {
    Document root = parse(REPO.resolve("pom.xml"));
    List<String> modules = new ArrayList<>();
    NodeList nodes = root.getElementsByTagName("module");
    for (int i = 0; i < nodes.getLength(); i++) {
      modules.add(nodes.item(i).getTextContent().trim());
    }
    return modules;
  }

  private static List<String> mainDependencies(Path pom) throws Exception {
    return dependencies(pom, false);
  }

  /** Bulwark modules {@code pom} declares, test-scoped ones only when {@code withTests}. */
  private static List<String> dependencies(Path pom, boolean withTests) throws Exception {
    List<String> out = new ArrayList<>();
    Element project = parse(pom).getDocumentElement();
    Element dependencies = child(project, "dependencies");
    if (dependencies == null) {
      return out;
    }
    for (Node n = dependencies.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element dep && dep.getTagName().equals("dependency")) {
        String group = text(dep, "groupId");
        String scope = text(dep, "scope");
        if ("io.bulwark".equals(group) && (withTests || !"test".equals(scope))) {
          out.add(text(dep, "artifactId"));
        }
      }
    }
    return out;
  }

  private static boolean reaches(String from, String to, Map<String, List<String>> deps) {
    return path(from, to, deps) != null;
  }

  /** The chain of dependencies from {@code from} to {@code to}, or null when there is none. */
  private static String path(String from, String to, Map<String, List<String>> deps) {
    Deque<List<String>> queue = new ArrayDeque<>();
    Set<String> seen = new LinkedHashSet<>();
    queue.add(List.of(from));
    while (!queue.isEmpty()) {
      List<String> chain = queue.poll();
      String last = chain.getLast();
      for (String next : deps.getOrDefault(last, List.of())) {
        List<String> longer = new ArrayList<>(chain);
        longer.add(next);
        if (next.equals(to)) {
          return String.join(" -> ", longer);
        }
        if (seen.add(next)) {
          queue.add(longer);
        }
      }
    }
    return null;
  }

  private static Document parse(Path pom) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(pom.toFile());
  }

  private static Element child(Element parent, String tag) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        return e;
      }
    }
    return null;
  }

  private static String text(Element parent, String tag) {
    Element e = child(parent, tag);
    return e == null ? null : e.getTextContent().trim();
  }
}
