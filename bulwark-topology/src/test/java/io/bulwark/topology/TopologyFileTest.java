package io.bulwark.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyFileTest {

  @Test
  void aMissingFileIsOneErrorThatKeepsTheReadFailureAsItsCause(@TempDir Path dir) {
    Path missing = dir.resolve("bulwark.yaml");

    assertThatThrownBy(() -> TopologyFile.load(missing))
        .isInstanceOfSatisfying(
            InvalidTopologyException.class,
            e -> assertThat(e.errors()).singleElement().hasToString(missing + ": no such file"))
        .cause()
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void aFileThatIsNotUtf8KeepsTheDecodingFailureAsItsCause(@TempDir Path dir) throws Exception {
    Path latin1 = Files.write(dir.resolve("bulwark.yaml"), new byte[] {'a', ':', ' ', (byte) 0xFC});

    assertThatThrownBy(() -> TopologyFile.load(latin1))
        .isInstanceOf(InvalidTopologyException.class)
        .hasMessageContaining("not UTF-8 text")
        .cause()
        .isInstanceOf(MalformedInputException.class);
  }
}
