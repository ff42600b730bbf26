package io.bulwark.commerce;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Commerce's domain code holds no SQL: the bounded contexts' packages reach the database only
 * through the store interfaces they declare, whose JDBC implementations live in their {@code jdbc}
 * packages. Scans the sources, so a new domain class that imports {@code java.sql} (or uses it by
 * its full name) fails here with the file and line.
 */
class DomainWithoutSqlTest {

  private static final Path ROOT = Path.of("src/main/java/io/bulwark/commerce");

  /** The bounded contexts and what they share; their adapters sit in sub-packages. */
  private static final Set<String> DOMAIN =
      Set.of("auth", "events", "identity", "inventory", "ordering", "payment");

  /** Sub-packages that are adapters, allowed to use what they adapt. */
  private static final Set<String> ADAPTERS = Set.of("http", "jdbc", "simulator");

  private static final Pattern SQL =
      Pattern.compile("\\b(java\\.sql|javax\\.sql|io\\.bulwark\\.postgres)\\.");

  private static final Pattern COMMENTS = Pattern.compile("(?s)/\\*.*?\\*/|//[^\\n]*");

  @Test
  void noDomainClassUsesJdbcOrThePostgresModule() throws IOException {
    List<Path> domain = domainSources();
    List<String> offenders = new ArrayList<>();
    for (Path file : domain) {
      String code = withoutComments(Files.readString(file));
      String[] lines = code.split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        Matcher m = SQL.matcher(lines[i]);
        if (m.find()) {
          offenders.add(ROOT.relativize(file) + ":" + (i + 1) + ": " + lines[i].strip());
        }
      }
    }

    assertThat(domain)
        .as("the scan reads the domain classes")
        .extracting(p -> p.getFileName().toString())
        .contains(
            "Identity.java",
            "Inventory.java",
            "Payments.java",
            "OrderService.java",
            "OrderQueries.java",
            "OrderProjection.java",
            "OrderSaga.java",
            "OrderSagaFunctions.java",
            "OrderLog.java");
    assertThat(offenders).as("domain code using JDBC; move it into a store").isEmpty();
  }

  @Test
  void theScanFindsJdbcUseWhereItIs() throws IOException {
    Path store = ROOT.resolve("inventory/jdbc/JdbcInventoryStore.java");
    assertThat(SQL.matcher(withoutComments(Files.readString(store))).find()).isTrue();
    assertThat(SQL.matcher(withoutComments("// java.sql.Connection in a comment")).find())
        .isFalse();
  }

  private static List<Path> domainSources() throws IOException {
    try (Stream<Path> files = Files.walk(ROOT)) {
      return files
          .filter(p -> p.toString().endsWith(".java"))
          .filter(DomainWithoutSqlTest::inDomain)
          .sorted()
          .toList();
    }
  }

  /** Whether {@code file} is in a bounded context's package, not in one of its adapters. */
  private static boolean inDomain(Path file) {
    Path pkg = ROOT.relativize(file.getParent());
    if (pkg.toString().isEmpty()) {
      return false; // the wiring: Commerce and the adapters between the contexts
    }
    return DOMAIN.contains(pkg.getName(0).toString())
        && (pkg.getNameCount() == 1 || !ADAPTERS.contains(pkg.getName(1).toString()));
  }

  /** The code with comments blanked out, keeping line breaks so line numbers stay right. */
  private static String withoutComments(String source) {
    Matcher m = COMMENTS.matcher(source);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(m.group().replaceAll("[^\\n]", " ")));
    }
    m.appendTail(out);
    return out.toString();
  }
}
