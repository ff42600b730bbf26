package io.bulwark.fleet;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/** Remembers what is registered; drains complete when the test says so. */
final class RecordingRegistrar implements Registrar {
  final Set<String> registered = new LinkedHashSet<>();
  final Map<String, CompletableFuture<Void>> draining = new LinkedHashMap<>();
  boolean drainAtOnce = true;

  @Override
  public synchronized void register(Instance instance) {
    registered.add(instance.id());
  }

  @Override
  public synchronized CompletableFuture<Void> deregister(Instance instance) {
    registered.remove(instance.id());
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (drainAtOnce) {
      f.complete(null);
    }
    draining.put(instance.id(), f);
    return f;
  }

  @Override
  public synchronized void remove(Instance instance) {
    registered.remove(instance.id());
  }
}
