package io.bulwark.recovery.internal;

import io.bulwark.kernel.Json;
import io.bulwark.recovery.RecoveryException;
import io.bulwark.topology.runbook.RunbookStep;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Step "update monitoring": records that the DR region is now the primary one and the failed
 * region's alerts are silenced, as one JSON line in the DR manager's monitoring log ({@code
 * monitoring.jsonl}, which {@code bulwark dr status} reads). Bulwark has no alerting of its own
 * yet, so this is the event an alerting system would follow.
 */
final class UpdateMonitoring implements StepExecutor {
  private final StepContext ctx;

  UpdateMonitoring(StepContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public String execute(RunbookStep step) {
    append("primary-region-changed", ctx.to(), ctx.from());
    return "recorded in "
        + ctx.monitoringLog()
        + ": "
        + ctx.to()
        + " is primary, "
        + ctx.from()
        + " silenced";
  }

  @Override
  public String rollBack(RunbookStep step) {
    append("primary-region-restored", ctx.from(), ctx.to());
    return "recorded: " + ctx.from() + " is primary again";
  }

  private void append(String event, String primary, String silenced) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("at", ctx.clock().instant().toString());
    line.put("event", event);
    line.put("primaryRegion", primary);
    line.put("silencedRegion", silenced);
    try {
      Files.createDirectories(ctx.monitoringLog().getParent());
      Files.writeString(
          ctx.monitoringLog(),
          Json.write(line) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new RecoveryException.Unreachable(
          "cannot append to " + ctx.monitoringLog() + ": " + e.getMessage(), e);
    }
  }
}
