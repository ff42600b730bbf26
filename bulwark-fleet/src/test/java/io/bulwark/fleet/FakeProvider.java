package io.bulwark.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** A provider whose instances are flags: alive, ready, stopped; tests flip them. */
final class FakeProvider implements Provider {
  final List<FakeInstance> launched = new ArrayList<>();
  final Set<Zone> refused = new HashSet<>();
  boolean readyOnLaunch = true;

  @Override
  public synchronized Instance launch(LaunchSpec spec) {
    if (refused.contains(spec.zone())) {
      throw new ZoneUnavailableException(spec.zone());
    }
    FakeInstance i = new FakeInstance(spec, 10_000 + launched.size());
    i.ready = readyOnLaunch;
    launched.add(i);
    return i;
  }

  synchronized List<FakeInstance> alive() {
    return launched.stream().filter(FakeInstance::isAlive).toList();
  }

  synchronized FakeInstance byId(String id) {
    return launched.stream().filter(i -> i.id().equals(id)).findFirst().orElseThrow();
  }

  @Override
  public void close() {}

  /** Health probe reading the flags. */
  static HealthProbe probe() {
    return i -> CompletableFuture.completedFuture(((FakeInstance) i).ready && i.isAlive());
  }

  static final class FakeInstance implements Instance {
    final LaunchSpec spec;
    final int port;
    volatile boolean alive = true;
    volatile boolean ready;
    volatile boolean stopped;
    volatile long pid = -1;

    FakeInstance(LaunchSpec spec, int port) {
      this.spec = spec;
      this.port = port;
    }

    @Override
    public String id() {
      return spec.instanceId();
    }

    @Override
    public Zone zone() {
      return spec.zone();
    }

    @Override
    public String host() {
      return "127.0.0.1";
    }

    @Override
    public int port() {
      return port;
    }

    @Override
    public OptionalLong pid() {
      return pid < 0 ? OptionalLong.empty() : OptionalLong.of(pid);
    }

    @Override
    public boolean isAlive() {
      return alive;
    }

    @Override
    public CompletableFuture<Void> stop(Duration grace) {
      stopped = true;
      alive = false;
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void kill() {
      alive = false;
    }

    int generation() {
      return spec.generation();
    }
  }
}
