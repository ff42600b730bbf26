package io.bulwark.eventstore;

import io.bulwark.eventstore.internal.EventStoreMetrics;
import io.bulwark.postgres.DataAccessException;
import io.bulwark.postgres.PostgresTransactions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.List;

/**
 * Owns optimistic concurrency for appends (see {@link PostgresEventStore}): runs the {@link
 * AppendStatement} in transactions of the store's own, retrying the races a new transaction can
 * win, or in a caller's transaction behind a savepoint, and turns what it finds into a result, a
 * {@link WrongExpectedVersionException} or a {@link ConcurrentAppendException}. Counts appends and
 * conflicts.
 */
final class Appender {

  private static final int RETRIES = 100;

  private final AppendStatement statement;
  private final EventStoreMetrics metrics;
  private final boolean savepoints;

  Appender(AppendStatement statement, EventStoreMetrics metrics, boolean savepoints) {
    this.statement = statement;
    this.metrics = metrics;
    this.savepoints = savepoints;
  }

  /**
   * Appends in transactions of the store's own: a lost race is retried in a new transaction (which
   * gets a larger transaction id), a version conflict becomes a {@link
   * WrongExpectedVersionException}.
   */
  AppendResult inOwnTransactions(
      PostgresTransactions tx, String stream, ExpectedVersion expected, List<NewEvent> events) {
    long start = System.nanoTime();
    try {
      for (int attempt = 1; ; attempt++) {
        boolean last = attempt >= RETRIES;
        try {
          AppendResult result =
              tx.inNewTransaction(c -> appendOnce(c, stream, expected, events, last));
          metrics.appended(events.size(), System.nanoTime() - start);
          return result;
        } catch (LostRace race) {
          if (race.versionTaken && (!expected.isAny() || last)) {
            metrics.conflict();
            long current = tx.inNewTransaction(c -> AppendStatement.currentVersion(c, stream));
            throw new WrongExpectedVersionException(stream, expected, current);
          }
          // a fresh transaction gets a fresh, larger transaction id
        }
      }
    } catch (DataAccessException e) {
      throw new StorageException("cannot append to stream " + stream, e);
    }
  }

  /**
   * One attempt of an append in a transaction of the store's own: the result, a conflict, or a
   * {@link LostRace} that a new transaction may win.
   */
  private AppendResult appendOnce(
      Connection c, String stream, ExpectedVersion expected, List<NewEvent> events, boolean last)
      throws SQLException {
    AppendResult result;
    try {
      result = statement.insert(c, stream, expected, events);
    } catch (SQLException e) {
      if (AppendStatement.isVersionTaken(e)) {
        throw new LostRace(true);
      }
      throw e;
    }
    if (result != null) {
      return result;
    }
    // Nothing was inserted: the expected version is missing, or the last event is younger.
    long current = AppendStatement.currentVersion(c, stream);
    if (!expected.isAny() && current != expected.value()) {
      metrics.conflict();
      throw new WrongExpectedVersionException(stream, expected, current);
    }
    if (last) {
      metrics.conflict();
      throw new ConcurrentAppendException(stream, current);
    }
    throw new LostRace(false);
  }

  /** Another append took the version ({@code versionTaken}) or wrote the stream's last event. */
  private static final class LostRace extends RuntimeException {
    final boolean versionTaken;

    LostRace(boolean versionTaken) {
      super(null, null, false, false);
      this.versionTaken = versionTaken;
    }
  }

  /**
   * Appends in the caller's open transaction; the append counts when it is written, and its latency
   * excludes the caller's commit.
   */
  AppendResult inCallersTransaction(
      Connection transaction, String stream, ExpectedVersion expected, List<NewEvent> events)
      throws SQLException {
    long start = System.nanoTime();
    AppendResult result = write(transaction, stream, expected, events);
    metrics.appended(events.size(), System.nanoTime() - start);
    return result;
  }

  /**
   * Inserts the events in the caller's transaction; on a lost race undoes the attempt (back to a
   * savepoint, or the caller's whole transaction without savepoints) and retries ({@code ANY}, on a
   * savepoint) or throws the conflict.
   */
  private AppendResult write(
      Connection c, String stream, ExpectedVersion expected, List<NewEvent> events)
      throws SQLException {
    for (int attempt = 1; ; attempt++) {
      Savepoint savepoint = savepoints ? c.setSavepoint() : null;
      try {
        AppendResult result = statement.insert(c, stream, expected, events);
        if (savepoint != null) {
          c.releaseSavepoint(savepoint);
        }
        if (result != null) {
          return result;
        }
      } catch (SQLException e) {
        if (!AppendStatement.isVersionTaken(e)) {
          if (savepoint != null) {
            // Leave the caller's transaction usable, as if the append had not been tried.
            try {
              c.rollback(savepoint);
            } catch (SQLException rollback) {
              e.addSuppressed(rollback);
            }
          }
          throw e;
        }
        undo(c, savepoint);
        if (savepoint == null) {
          // The caller's whole transaction is gone: never retry its append in a new one.
          metrics.conflict();
          long current = AppendStatement.currentVersion(c, stream);
          c.rollback();
          if (expected.isAny()) {
            throw new ConcurrentAppendException(stream, current, e);
          }
          throw new WrongExpectedVersionException(stream, expected, current, e);
        }
        if (expected.isAny() && attempt < RETRIES) {
          continue;
        }
        metrics.conflict();
        throw new WrongExpectedVersionException(
            stream, expected, AppendStatement.currentVersion(c, stream), e);
      }
      // Nothing was inserted: the expected version is missing, or the last event is younger.
      long current = AppendStatement.currentVersion(c, stream);
      metrics.conflict();
      if (!expected.isAny() && current != expected.value()) {
        throw new WrongExpectedVersionException(stream, expected, current);
      }
      throw new ConcurrentAppendException(stream, current);
    }
  }

  private static void undo(Connection c, Savepoint savepoint) throws SQLException {
    if (savepoint != null) {
      c.rollback(savepoint);
    } else {
      c.rollback();
    }
  }
}
