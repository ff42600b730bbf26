package io.bulwark.fleet;

/** The provider cannot start instances in a zone right now; the group places them elsewhere. */
public final class ZoneUnavailableException extends FleetException {
  private final Zone zone;

  public ZoneUnavailableException(Zone zone) {
    super("zone " + zone + " is unavailable: cannot launch instances there", null);
    this.zone = zone;
  }

  /** The zone that refused. */
  public Zone zone() {
    return zone;
  }
}
