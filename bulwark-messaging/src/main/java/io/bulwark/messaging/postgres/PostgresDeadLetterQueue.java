package io.bulwark.messaging.postgres;

import io.bulwark.kernel.Ids;
import io.bulwark.kernel.Refreshing;
import io.bulwark.messaging.DeadLetter;
import io.bulwark.messaging.DeadLetterQueue;
import io.bulwark.messaging.Failure;
import io.bulwark.messaging.MessagingException;
import io.bulwark.postgres.DataAccessException;
import io.bulwark.postgres.PostgresTransactions;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter queue in PostgreSQL (table {@code messaging_dead_letters}, migrations {@code
 * db/migration/messaging}). Replay locks the letter's row for the whole replay, so concurrent
 * replays of one letter take turns and the second finds it done.
 *
 * <p>Meters: {@code bulwark.dlq.messages} (letters waiting, read from the table at most once a
 * second, so every process of a shop shows the same number) and the counters {@code
 * bulwark.dlq.dead.lettered}, {@code bulwark.dlq.replayed} and {@code bulwark.dlq.discarded} (what
 * this process did).
 */
public final class PostgresDeadLetterQueue implements DeadLetterQueue {

  private static final Logger log = LoggerFactory.getLogger(PostgresDeadLetterQueue.class);
  private static final String COLUMNS =
      "id, source, consumer, topic, message_key, message_id, payload, error, attempts, created_at,"
          + " dead_lettered_at, status, resolved_at";

  private final DataSource dataSource;
  private final PostgresTransactions transactions;
  private final Clock clock;
  private final Map<String, Replayer> replayers = new ConcurrentHashMap<>();
  private final Map<String, Replayer> sourceReplayers = new ConcurrentHashMap<>();
  private final Counter deadLettered;
  private final Counter replayed;
  private final Counter discarded;

  private PostgresDeadLetterQueue(DataSource dataSource, Clock clock, MeterRegistry registry) {
    this.dataSource = dataSource;
    this.transactions = PostgresTransactions.of(dataSource);
    this.clock = clock;
    this.deadLettered =
        Counter.builder("bulwark.dlq.dead.lettered")
            .description("messages and tasks set aside in the dead-letter queue by this process")
            .register(registry);
    this.replayed =
        Counter.builder("bulwark.dlq.replayed")
            .description("dead letters replayed by this process")
            .register(registry);
    this.discarded =
        Counter.builder("bulwark.dlq.discarded")
            .description("dead letters discarded by this process")
            .register(registry);
    Refreshing<Long> waiting =
        Refreshing.every(
            Duration.ofSeconds(1),
            () -> {
              try {
                return waiting();
              } catch (RuntimeException e) {
                return null;
              }
            });
    Gauge.builder(
            "bulwark.dlq.messages",
            waiting,
            w -> {
              Long n = w.get();
              return n == null ? Double.NaN : n;
            })
        .description("dead letters waiting for replay or discard")
        .strongReference(true)
        .register(registry);
  }

  /** A queue in {@code dataSource}'s database (migrated with module {@code messaging}). */
  public static PostgresDeadLetterQueue of(
      DataSource dataSource, Clock clock, MeterRegistry registry) {
    return new PostgresDeadLetterQueue(
        Objects.requireNonNull(dataSource, "dataSource"),
        Objects.requireNonNull(clock, "clock"),
        Objects.requireNonNull(registry, "registry"));
  }

  /** As {@link #of(DataSource, Clock, MeterRegistry)} with the system clock and private meters. */
  public static PostgresDeadLetterQueue of(DataSource dataSource) {
    return of(dataSource, Clock.systemUTC(), new SimpleMeterRegistry());
  }

  @Override
  public boolean add(Failure failure) {
    try (Connection c = dataSource.getConnection()) {
      return insert(c, failure);
    } catch (SQLException e) {
      throw new MessagingException.Unavailable("cannot dead-letter " + failure.messageId(), e);
    }
  }

  @Override
  public boolean add(Connection transaction, Failure failure) {
    try {
      if (transaction.getAutoCommit()) {
        throw new IllegalArgumentException(
            "add needs the caller's transaction's connection (autoCommit=false)");
      }
      return insert(transaction, failure);
    } catch (SQLException e) {
      throw new MessagingException.Unavailable("cannot dead-letter " + failure.messageId(), e);
    }
  }

  private boolean insert(Connection c, Failure f) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "insert into messaging_dead_letters (id, source, consumer, topic, message_key,"
                + " message_id, payload, error, attempts, created_at, dead_lettered_at, status)"
                + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'DEAD')"
                + " on conflict (consumer, message_id) do nothing")) {
      st.setObject(1, Ids.newId(clock));
      st.setString(2, f.source());
      st.setString(3, f.consumer());
      st.setString(4, f.topic());
      st.setString(5, f.key());
      st.setString(6, f.messageId());
      st.setString(7, f.payload());
      st.setString(8, f.error());
      st.setInt(9, f.attempts());
      st.setTimestamp(10, Timestamp.from(f.createdAt()));
      st.setTimestamp(11, Timestamp.from(clock.instant()));
      boolean added = st.executeUpdate() == 1;
      if (added) {
        deadLettered.increment();
        log.warn(
            "dead-lettered {} {} for {} after {} attempts: {}",
            f.source(),
            f.messageId(),
            f.consumer(),
            f.attempts(),
            f.error());
      }
      return added;
    }
  }

  @Override
  public void onReplay(String consumer, Replayer replayer) {
    replayers.put(Objects.requireNonNull(consumer, "consumer"), Objects.requireNonNull(replayer));
  }

  @Override
  public void onReplayOfSource(String source, Replayer replayer) {
    sourceReplayers.put(Objects.requireNonNull(source, "source"), Objects.requireNonNull(replayer));
  }

  @Override
  public List<DeadLetter> list(DeadLetter.Status status, int limit) {
    if (limit < 1 || limit > 1000) {
      throw new MessagingException.InvalidInput(
          "limit", "limit must be in 1..1000 but was " + limit);
    }
    String sql =
        "select "
            + COLUMNS
            + " from messaging_dead_letters"
            + (status == null ? "" : " where status = ?")
            + " order by dead_lettered_at, id limit ?";
    try (Connection c = dataSource.getConnection();
        PreparedStatement st = c.prepareStatement(sql)) {
      int i = 1;
      if (status != null) {
        st.setString(i++, status.name());
      }
      st.setInt(i, limit);
      List<DeadLetter> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.add(letter(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new MessagingException.Unavailable("cannot list dead letters", e);
    }
  }

  @Override
  public Optional<DeadLetter> find(UUID id) {
    try (Connection c = dataSource.getConnection()) {
      return Optional.ofNullable(load(c, id, false));
    } catch (SQLException e) {
      throw new MessagingException.Unavailable("cannot read dead letter " + id, e);
    }
  }

  @Override
  public Replayed replay(UUID id) {
    Attempt attempt = inTransaction("replay", id, c -> replay(c, locked(c, id)));
    if (attempt instanceof Attempt.Failed failed) {
      // the failure count committed with the transaction; the letter stays in the queue
      throw failed.failure();
    }
    Replayed out = ((Attempt.Done) attempt).replayed();
    if (out.applied() || out.letter().resolvedAt() != null) {
      log.info("replayed dead letter {} (applied now: {})", id, out.applied());
    }
    return out;
  }

  /** What one replay attempt did, committed either way. */
  private sealed interface Attempt {
    record Done(Replayed replayed) implements Attempt {}

    record Failed(MessagingException.ReplayFailed failure) implements Attempt {}
  }

  private Attempt replay(Connection c, DeadLetter letter) throws SQLException {
    switch (letter.status()) {
      case REPLAYED -> {
        return new Attempt.Done(new Replayed(letter, false));
      }
      case DISCARDED ->
          throw new MessagingException.AlreadyResolved(
              "dead letter " + letter.id() + " was discarded at " + letter.resolvedAt());
      case DEAD -> {}
    }
    Replayer replayer = replayers.get(letter.consumer());
    if (replayer == null) {
      replayer = sourceReplayers.get(letter.source());
    }
    if (replayer == null) {
      throw new MessagingException.NoConsumer(
          "no consumer \""
              + letter.consumer()
              + "\" runs in this process to replay dead letter "
              + letter.id()
              + "; replay it on a server that runs it");
    }
    boolean applied;
    try {
      // The replayer commits its effect on a connection of its own; this row stays locked
      // meanwhile, so a concurrent replay waits and then finds the letter REPLAYED.
      applied = replayer.replay(letter);
    } catch (Exception e) {
      String error = Failure.describe(e);
      try (PreparedStatement st =
          c.prepareStatement(
              "update messaging_dead_letters set attempts = attempts + 1, error = ? where id = ?")) {
        st.setString(1, error);
        st.setObject(2, letter.id());
        st.executeUpdate();
      }
      return new Attempt.Failed(
          new MessagingException.ReplayFailed(
              "replaying dead letter "
                  + letter.id()
                  + " failed again (attempt "
                  + (letter.attempts() + 1)
                  + "); it stays in the queue: "
                  + error,
              e));
    }
    DeadLetter done = resolve(c, letter, DeadLetter.Status.REPLAYED);
    replayed.increment();
    return new Attempt.Done(new Replayed(done, applied));
  }

  @Override
  public DeadLetter discard(UUID id) {
    return inTransaction(
        "discard",
        id,
        c -> {
          DeadLetter letter = locked(c, id);
          return switch (letter.status()) {
            case DISCARDED -> letter;
            case REPLAYED ->
                throw new MessagingException.AlreadyResolved(
                    "dead letter " + id + " was replayed at " + letter.resolvedAt());
            case DEAD -> {
              DeadLetter done = resolve(c, letter, DeadLetter.Status.DISCARDED);
              discarded.increment();
              yield done;
            }
          };
        });
  }

  /** Runs {@code work} in a transaction of the template: committed, or rolled back if it throws. */
  private <T> T inTransaction(String what, UUID id, PostgresTransactions.Work<T> work) {
    try {
      return transactions.inTransaction(work);
    } catch (DataAccessException e) {
      throw new MessagingException.Unavailable("cannot " + what + " dead letter " + id, e);
    }
  }

  private static DeadLetter locked(Connection c, UUID id) throws SQLException {
    DeadLetter letter = load(c, id, true);
    if (letter == null) {
      throw new MessagingException.NotFound("no dead letter " + id);
    }
    return letter;
  }

  @Override
  public long waiting() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "select count(*) from messaging_dead_letters where status = 'DEAD'");
        ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new MessagingException.Unavailable("cannot count dead letters", e);
    }
  }

  private DeadLetter resolve(Connection c, DeadLetter letter, DeadLetter.Status status)
      throws SQLException {
    Instant now = clock.instant();
    try (PreparedStatement st =
        c.prepareStatement(
            "update messaging_dead_letters set status = ?, resolved_at = ? where id = ?")) {
      st.setString(1, status.name());
      st.setTimestamp(2, Timestamp.from(now));
      st.setObject(3, letter.id());
      st.executeUpdate();
    }
    return new DeadLetter(
        letter.id(),
        letter.source(),
        letter.consumer(),
        letter.topic(),
        letter.key(),
        letter.messageId(),
        letter.payload(),
        letter.error(),
        letter.attempts(),
        letter.createdAt(),
        letter.deadLetteredAt(),
        status,
        now);
  }

  private static DeadLetter load(Connection c, UUID id, boolean forUpdate) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "select "
                + COLUMNS
                + " from messaging_dead_letters where id = ?"
                + (forUpdate ? " for update" : ""))) {
      st.setObject(1, id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? letter(rs) : null;
      }
    }
  }

  private static DeadLetter letter(ResultSet rs) throws SQLException {
    Timestamp resolved = rs.getTimestamp(13);
    return new DeadLetter(
        rs.getObject(1, UUID.class),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        rs.getInt(9),
        rs.getTimestamp(10).toInstant(),
        rs.getTimestamp(11).toInstant(),
        DeadLetter.Status.valueOf(rs.getString(12)),
        resolved == null ? null : resolved.toInstant());
  }
}
