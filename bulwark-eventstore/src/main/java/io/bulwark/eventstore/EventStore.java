package io.bulwark.eventstore;

import java.sql.Connection;
import java.util.List;

/**
 * An append-only log of events grouped into streams (one stream per aggregate, e.g. {@code
 * order-42}).
 *
 * <p>Writers append with an {@link ExpectedVersion}; a concurrent writer that got there first makes
 * the append fail with {@link WrongExpectedVersionException}, and nothing is written. Readers read
 * one stream by version, or the whole log in commit order with {@link #readAll}.
 */
public interface EventStore {

  /**
   * Appends {@code events} to {@code stream} in one transaction of its own, committed before this
   * returns (durable when the server runs with {@code synchronous_commit=on}).
   *
   * @throws WrongExpectedVersionException the stream's version is not {@code expected}
   * @throws StorageException the database failed; the append may or may not have committed only if
   *     the failure happened during commit
   * @throws IllegalArgumentException blank stream or no events
   */
  AppendResult append(String stream, ExpectedVersion expected, List<NewEvent> events);

  /** Appends one event; see {@link #append(String, ExpectedVersion, List)}. */
  default AppendResult append(String stream, ExpectedVersion expected, NewEvent event) {
    return append(stream, expected, List.of(event));
  }

  /**
   * Appends {@code events} inside the caller's open transaction on {@code transaction} (auto-commit
   * must be off), so the events commit or roll back together with the caller's own changes. The
   * caller commits. A failed append (conflict or database error) is undone to a savepoint, so the
   * transaction stays usable; after a conflict the caller usually rolls back and retries.
   *
   * @throws WrongExpectedVersionException the stream's version is not {@code expected}
   * @throws ConcurrentAppendException the stream's last event came from a transaction that began
   *     writing after this one; roll back and retry
   * @throws StorageException the database failed
   * @throws IllegalArgumentException the connection is in auto-commit mode, blank stream or no
   *     events
   */
  AppendResult append(
      Connection transaction, String stream, ExpectedVersion expected, List<NewEvent> events);

  /**
   * Up to {@code max} events of {@code stream} with version {@code >= fromVersion}, in version
   * order; empty if the stream does not exist.
   */
  List<RecordedEvent> readStream(String stream, long fromVersion, int max);

  /**
   * As {@link #readStream(String, long, int)} on the caller's connection, so the read sees the
   * caller's transaction (its own uncommitted appends included).
   *
   * @throws StorageException the database failed
   * @throws IllegalArgumentException blank stream, or {@code max} not in 1..10000
   */
  List<RecordedEvent> readStream(Connection connection, String stream, long fromVersion, int max);

  /** The stream's current version: the version of its last event, 0 if it has none. */
  long streamVersion(String stream);

  /**
   * Up to {@code max} events of all streams strictly after {@code after}, in commit order. The
   * result never has gaps: an event that commits later can never sort before one already returned,
   * so a reader that resumes from the last {@link RecordedEvent#logPosition()} it saw misses
   * nothing. Events of transactions still open are held back until they finish (and so are the
   * events of any transaction that started after them).
   */
  List<RecordedEvent> readAll(LogPosition after, int max);

  /**
   * As {@link #readAll(LogPosition, int)} on the caller's connection. If that connection's
   * transaction has written anything, it counts as running: events of transactions with a larger id
   * stay hidden until it ends, and so do its own.
   */
  List<RecordedEvent> readAll(Connection connection, LogPosition after, int max);

  /**
   * As {@link #readAll(Connection, LogPosition, int)}, only events of streams whose name starts
   * with {@code streamPrefix} (e.g. {@code "order-"}); the empty prefix reads every stream. A
   * reader of some streams resumes from the last event it got, so events of other streams in
   * between are skipped again, never missed.
   *
   * @throws IllegalArgumentException {@code max} not in 1..10000, or a null prefix
   */
  List<RecordedEvent> readAll(
      Connection connection, LogPosition after, int max, String streamPrefix);

  /**
   * What a reader of the streams starting with {@code streamPrefix} that resumes after {@code
   * after} would find now, counted in the database without reading the events: see {@link
   * LogBacklog}.
   */
  LogBacklog backlog(Connection connection, LogPosition after, String streamPrefix);
}
