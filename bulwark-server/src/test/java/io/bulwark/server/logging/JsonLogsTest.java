package io.bulwark.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.kernel.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class JsonLogsTest {

  @Test
  void writesOneJsonObjectPerLineWithAnIsoTimestampAndTheRequestIdAsItsOwnKey(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("bulwark.json");
    JsonLogs.toFile(file);
    Logger log = LoggerFactory.getLogger("io.bulwark.test.JsonLogs");
    MDC.put("correlationId", "req-42");
    try {
      log.info("before");
      log.warn("order {} failed", "o-1", new IllegalStateException("card declined"));
    } finally {
      MDC.remove("correlationId");
    }

    List<String> lines = Files.readAllLines(file);
    // LogstashEncoder's fields, each line a whole object (no separator before the second one)
    assertThat(lines).hasSizeGreaterThanOrEqualTo(2).allMatch(l -> l.startsWith("{\"@timestamp\""));
    JsonNode line =
        lines.stream()
            .map(Json::parse)
            .filter(n -> "io.bulwark.test.JsonLogs".equals(n.path("logger_name").asText()))
            .filter(n -> "WARN".equals(n.path("level").asText()))
            .findFirst()
            .orElseThrow();
    Instant at = Instant.parse(line.get("@timestamp").asText());
    assertThat(at).isBetween(Instant.now().minusSeconds(60), Instant.now());
    assertThat(line.get("level").asText()).isEqualTo("WARN");
    assertThat(line.get("level_value").asInt()).isEqualTo(30_000);
    assertThat(line.get("@version").asText()).isEqualTo("1");
    assertThat(line.get("thread_name").asText()).isEqualTo(Thread.currentThread().getName());
    assertThat(line.get("message").asText()).isEqualTo("order o-1 failed");
    assertThat(line.get("correlationId").asText()).isEqualTo("req-42");
    assertThat(line.get("stack_trace").asText()).contains("card declined");
  }
}
