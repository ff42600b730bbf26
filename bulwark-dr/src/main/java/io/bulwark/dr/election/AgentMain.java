package io.bulwark.dr.election;

import io.bulwark.dr.ClusterSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * Entry point of a member agent process: {@code AgentMain CLUSTER_JSON MEMBER [ZOOKEEPER]} (the
 * last one overrides the ensemble's address, e.g. to go through a fault proxy). Writes its pid to
 * {@code members/<member>/agent.pid}, runs until SIGTERM (then stops its server cleanly).
 */
public final class AgentMain {

  private AgentMain() {}

  /** Runs the agent of member {@code args[1]} of the cluster described by {@code args[0]}. */
  public static void main(String[] args) throws IOException, InterruptedException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: AgentMain CLUSTER_JSON MEMBER [ZOOKEEPER_CONNECT]");
      System.exit(2);
    }
    ClusterSpec spec = ClusterSpec.read(Path.of(args[0]));
    String zookeeper = args.length == 3 ? args[2] : spec.zookeeper().connectString();
    String member = args[1];
    Path pidFile = spec.memberDir(member).resolve("agent.pid");
    Files.createDirectories(pidFile.getParent());
    Files.writeString(pidFile, Long.toString(ProcessHandle.current().pid()));
    MemberAgent agent = new MemberAgent(spec, member, zookeeper, Clock.systemUTC()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "agent-stop"));
    agent.awaitStop();
  }
}
