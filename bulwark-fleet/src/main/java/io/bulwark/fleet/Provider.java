package io.bulwark.fleet;

/**
 * Where instances come from: the local provider runs child processes; a Kubernetes provider could
 * create pods. {@link #launch} returns as soon as the instance is starting; the group probes its
 * readiness itself.
 */
public interface Provider extends AutoCloseable {

  /**
   * Starts an instance.
   *
   * @throws ZoneUnavailableException when the zone cannot take instances now
   * @throws LaunchException when starting failed otherwise
   */
  Instance launch(LaunchSpec spec);

  /** Stops everything this provider still runs. */
  @Override
  void close();
}
