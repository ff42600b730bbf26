package io.bulwark.dr;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A cluster owner in a process of its own, for {@link OwnerDeathTest} to kill with SIGKILL: starts
 * a one-member cluster (its agent, PostgreSQL and a three-member ZooKeeper) in the home given as
 * the only argument, prints {@link #READY} and waits to be killed.
 */
public final class OwnerMain {
  /** The line printed once the cluster takes writes. */
  static final String READY = "owner ready";

  private OwnerMain() {}

  /** Starts the cluster and never returns. */
  public static void main(String[] args) throws Exception {
    DatabaseCluster db =
        DatabaseCluster.create(TestClusters.spec(Path.of(args[0]), FailoverPolicy.defaults()))
            .start(new PrintWriter(System.err, true));
    System.out.println(READY + " " + db.jdbcUrl("postgres"));
    System.out.flush();
    new CountDownLatch(1).await(); // until killed
  }
}
