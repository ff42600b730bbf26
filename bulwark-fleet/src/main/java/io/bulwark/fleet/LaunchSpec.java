package io.bulwark.fleet;

import io.bulwark.kernel.Check;
import java.util.Objects;

/**
 * What a {@link Provider} is asked to start.
 *
 * @param instanceId unique id of the new instance, e.g. {@code web-7}
 * @param service the service (instance group) it belongs to
 * @param zone where it runs
 * @param generation the group's launch generation; a rolling refresh bumps it
 */
public record LaunchSpec(String instanceId, String service, Zone zone, int generation) {

  public LaunchSpec {
    Objects.requireNonNull(instanceId, "instanceId");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(zone, "zone");
    Check.positive("generation", generation);
  }
}
