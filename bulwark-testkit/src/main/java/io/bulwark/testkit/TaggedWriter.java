package io.bulwark.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Writes rows one by one through a JDBC URL, remembering every write the server acknowledged and
 * which member (by port) took it, with the client's clock before the write and after its commit.
 */
public final class TaggedWriter implements AutoCloseable {

  /** An acknowledged write: row id, member, and the client-side window it committed in. */
  public record Ack(long id, String member, long sentNanos, long ackedNanos) {}

  private final String url;
  private final IntFunction<String> memberByPort;
  private final List<Ack> acks = new CopyOnWriteArrayList<>();
  private final AtomicLong nextId;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong failures = new AtomicLong();
  private final Thread thread;

  private TaggedWriter(String url, IntFunction<String> memberByPort, long firstId) {
    this.url = url;
    this.memberByPort = memberByPort;
    this.nextId = new AtomicLong(firstId);
    this.thread = Thread.ofPlatform().name("tagged-writer").start(this::run);
  }

  /** Creates table {@code writes} through {@code url} if missing. */
  public static void createTable(String url) throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
      c.createStatement()
          .execute(
              "create table if not exists writes (id bigint primary key, port int not null,"
                  + " at timestamptz not null default clock_timestamp())");
    }
  }

  /** The ids of table {@code writes} on the server at {@code port}. */
  public static java.util.Set<Long> storedIds(int port) throws SQLException {
    java.util.Set<Long> ids = new java.util.HashSet<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        var rs = c.createStatement().executeQuery("select id from writes")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    return ids;
  }

  /** Starts writing ids from {@code firstId} on. */
  public static TaggedWriter start(String url, IntFunction<String> memberByPort, long firstId) {
    return new TaggedWriter(url, memberByPort, firstId);
  }

  private void run() {
    Connection c = null;
    while (running.get()) {
      long id = nextId.get();
      long sent = System.nanoTime();
      try {
        if (c == null) {
          c = DriverManager.getConnection(url, "postgres", "");
        }
        int port;
        try (var st =
            c.prepareStatement(
                "insert into writes (id, port) values (?, inet_server_port()) returning port")) {
          st.setLong(1, id);
          var rs = st.executeQuery();
          rs.next();
          port = rs.getInt(1);
        }
        acks.add(new Ack(id, memberByPort.apply(port), sent, System.nanoTime()));
        nextId.incrementAndGet();
      } catch (SQLException e) {
        failures.incrementAndGet();
        if (e.getSQLState() != null && e.getSQLState().equals("23505")) {
          nextId.incrementAndGet(); // committed, but the acknowledgement was lost: not counted
        }
        close(c);
        c = null;
        pause();
      }
    }
    close(c);
  }

  /** Acknowledged writes so far. */
  public List<Ack> acks() {
    return List.copyOf(acks);
  }

  /** Acknowledged writes taken by {@code member}. */
  public long acksBy(String member) {
    return acks.stream().filter(a -> a.member().equals(member)).count();
  }

  /** Writes that failed (connection lost, read-only server, ...). */
  public long failures() {
    return failures.get();
  }

  /** Acknowledged writes per member. */
  public Map<String, Long> perMember() {
    return acks.stream()
        .collect(
            java.util.stream.Collectors.groupingBy(
                Ack::member, java.util.stream.Collectors.counting()));
  }

  @Override
  public void close() {
    running.set(false);
    try {
      thread.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void close(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // broken anyway
      }
    }
  }

  private static void pause() {
    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
  }
}
