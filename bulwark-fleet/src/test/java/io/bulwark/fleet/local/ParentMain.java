package io.bulwark.fleet.local;

import io.bulwark.fleet.LaunchSpec;
import io.bulwark.fleet.Zone;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parent process for tests: launches one built-in instance (which watches its stdin) and one
 * instance of a plain command that does not ({@code sleep}), prints their pids one a line, then
 * waits to be killed.
 */
public final class ParentMain {
  private ParentMain() {}

  public static void main(String[] args) throws InterruptedException {
    LocalProcessProvider provider =
        LocalProcessProvider.of(
            ProcessCommand.instance(1),
            Map.of("sleeper", ProcessCommand.of(List.of("sleep", "600"))),
            Optional.empty());
    for (String service : List.of("web", "sleeper")) {
      LaunchSpec spec = new LaunchSpec(service + "-1", service, Zone.of("local", "a"), 1);
      System.out.println(provider.launch(spec).pid().getAsLong());
    }
    System.out.flush();
    Thread.currentThread().join();
  }
}
