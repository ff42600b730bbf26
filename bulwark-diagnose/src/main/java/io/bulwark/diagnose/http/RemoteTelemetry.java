package io.bulwark.diagnose.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.bulwark.diagnose.Diagnoser;
import io.bulwark.diagnose.Symptom;
import io.bulwark.diagnose.Telemetry;
import io.bulwark.kernel.AdminApi;
import java.time.Instant;

/**
 * Fetches a server's telemetry for a diagnosis through its admin API, measuring the live set first
 * when no garbage collection has read it since the symptom began ({@link Diagnoser#staleLiveSets}):
 * the server then runs {@link DiagnoseHttp#LIVE_SET} (two full collections two seconds apart) and
 * the telemetry is fetched again, so a leak is judged on a live set taken after the onset rather
 * than on one from before it. When the server refuses or fails that request, the first telemetry is
 * diagnosed as it is.
 */
public final class RemoteTelemetry {

  /** One admin call: a method and a path (with its query), answered with JSON. */
  @FunctionalInterface
  public interface Admin {
    /** Calls {@code method path} without a body. */
    JsonNode call(String method, String path) throws AdminApi.Failed, InterruptedException;
  }

  private RemoteTelemetry() {}

  /**
   * The telemetry from {@code from} on, with live-set readings since {@code symptom}'s onset.
   *
   * @throws AdminApi.Failed when the server cannot be asked
   * @throws IllegalArgumentException when it answers with something that is not telemetry
   */
  public static Telemetry fetch(Admin admin, Symptom symptom, Instant from)
      throws AdminApi.Failed, InterruptedException {
    String path = DiagnoseHttp.TELEMETRY + "?from=" + from;
    Telemetry telemetry = TelemetryJson.read(admin.call("GET", path));
    if (Diagnoser.staleLiveSets(symptom, telemetry).isEmpty()) {
      return telemetry;
    }
    try {
      admin.call("POST", DiagnoseHttp.LIVE_SET);
    } catch (AdminApi.Failed e) {
      // a server without the route, or one that cannot take readings now: diagnose what there is
      // (the diagnosis then says which live sets it could not judge)
      return telemetry;
    }
    return TelemetryJson.read(admin.call("GET", path));
  }
}
