package io.bulwark.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {

  @TempDir Path dir;

  @Test
  void keepsDataAcrossRestartsAndRunsDurably() throws Exception {
    Path data = dir.resolve("pg");
    try (PostgresServer server = PostgresServer.builder(data).build().start()) {
      try (Connection c = server.connect("postgres")) {
        c.createStatement().execute("create table kept(v int)");
        c.createStatement().execute("insert into kept values (42)");
        ResultSet rs = c.createStatement().executeQuery("show synchronous_commit");
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("on");
        rs = c.createStatement().executeQuery("show fsync");
        rs.next();
        assertThat(rs.getString(1)).isEqualTo("on");
      }
    }
    try (PostgresServer again = PostgresServer.builder(data).build().start();
        Connection c = again.connect("postgres");
        ResultSet rs = c.createStatement().executeQuery("select v from kept")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(42);
    }
  }

  @Test
  void aServerThatDiesWithItsOwnerStillShutsDownCleanlyOnClose() throws Exception {
    Path data = dir.resolve("pg");
    PostgresServer server = PostgresServer.builder(data).dieWithParent(true).build().start();
    server.close();
    String log = Files.readString(server.logFile());
    assertThat(log)
        .as("close() is a fast shutdown, not raced by the owner thread's end")
        .contains("received fast shutdown request")
        .doesNotContain("received immediate shutdown request");
  }

  @Test
  void recoversAfterThePostmasterWasKilled() throws Exception {
    Path data = dir.resolve("pg");
    PostgresServer crashed = PostgresServer.builder(data).build().start();
    try (Connection c = crashed.connect("postgres")) {
      c.createStatement().execute("create table survived(v int)");
      c.createStatement().execute("insert into survived values (7)");
    }
    crashed.kill();
    assertThat(Files.exists(data.resolve("postmaster.pid"))).isTrue();

    try (PostgresServer restarted = PostgresServer.builder(data).build().start();
        Connection c = restarted.connect("postgres");
        ResultSet rs = c.createStatement().executeQuery("select v from survived")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(7);
    }
  }

  @Test
  void stopsAnOrphanedPostmasterLeftByACrashedRun() throws Exception {
    Path data = dir.resolve("pg");
    PostgresServer orphan = PostgresServer.builder(data).build().start();
    long orphanPid = orphan.pid().orElseThrow();
    // Simulate the owning JVM dying: the postmaster keeps running, we just forget about it.
    try (PostgresServer next = PostgresServer.builder(data).build().start()) {
      assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(next.pid()).isPresent();
    }
  }
}
