package io.bulwark.fleet.local;

import io.bulwark.fleet.Instance;
import io.bulwark.fleet.LaunchSpec;
import io.bulwark.fleet.Zone;

/** A parent process for tests: launches one instance, prints its pid, then waits to be killed. */
public final class ParentMain {
  private ParentMain() {}

  public static void main(String[] args) throws InterruptedException {
    LocalProcessProvider provider = LocalProcessProvider.of(ProcessCommand.instance(1));
    Instance i = provider.launch(new LaunchSpec("web-1", "web", Zone.of("local", "a"), 1));
    System.out.println(i.pid().getAsLong());
    System.out.flush();
    Thread.currentThread().join();
  }
}
