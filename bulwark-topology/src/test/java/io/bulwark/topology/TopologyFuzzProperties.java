package io.bulwark.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Damaged topology files give located errors, never an exception. */
class TopologyFuzzProperties {

  private static final String MULTI_CLOUD = read("multi-cloud.yaml");

  @Property(tries = 200)
  void anyTextGivesErrorsOrATopologyButNeverAnException(@ForAll("yamlish") String text) {
    List<TopologyError> errors = TopologyFile.errors("f.yaml", text);
    errors.forEach(e -> assertThat(e.toString()).startsWith("f.yaml"));
  }

  @Property(tries = 200)
  void removingAnyLineNeverThrowsAndErrorsPointInsideTheFile(
      @ForAll @IntRange(min = 0, max = 200) int index) {
    List<String> lines = MULTI_CLOUD.lines().toList();
    int drop = index % lines.size();
    String damaged =
        String.join(
                "\n",
                java.util.stream.IntStream.range(0, lines.size())
                    .filter(i -> i != drop)
                    .mapToObj(lines::get)
                    .toList())
            + "\n";
    for (TopologyError e : TopologyFile.errors("f.yaml", damaged)) {
      assertThat(e.line()).isBetween(0, lines.size());
    }
  }

  @Property(tries = 300)
  void replacingAnyValueNeverThrows(
      @ForAll @IntRange(min = 0, max = 500) int index, @ForAll("values") String value) {
    List<String> lines = MULTI_CLOUD.lines().toList();
    String line = lines.get(index % lines.size());
    int colon = line.indexOf(": ");
    if (colon < 0) {
      return;
    }
    String damaged = MULTI_CLOUD.replace(line, line.substring(0, colon + 2) + value);
    for (TopologyError e : TopologyFile.errors("f.yaml", damaged)) {
      assertThat(e.message()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<String> yamlish() {
    return Arbitraries.strings().withChars("abc:-[]{}, \n\"'#&*!|>0123456789.").ofMaxLength(120);
  }

  @Provide
  Arbitrary<String> values() {
    return Arbitraries.oneOf(
        Arbitraries.strings().alpha().ofMaxLength(8),
        Arbitraries.integers().between(-5, 200).map(String::valueOf),
        Arbitraries.of(
            "", "null", "[]", "{}", "true", "-1", "1e400", "0s", "99999999999999999999d"));
  }

  private static String read(String name) {
    try {
      return Files.readString(Examples.file(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
