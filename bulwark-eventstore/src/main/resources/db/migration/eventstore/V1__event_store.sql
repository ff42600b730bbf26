-- Event store: one row per event, one row per stream holding its current version.
--
-- position is a global, unique sequence number assigned at insert time; it is NOT commit order
-- (two transactions may commit in the opposite order of their inserts). Readers of the whole log
-- order by (xid, position), where xid is the inserting transaction's id, and only see rows whose
-- xid is below the oldest transaction still running (pg_snapshot_xmin): every transaction that
-- could still add rows has an xid >= that bound, so nothing can ever appear behind a reader.
-- data is json (not jsonb) so events read back byte for byte as they were written.
create table eventstore_events (
  position       bigint generated always as identity primary key,
  xid            xid8 not null default pg_current_xact_id(),
  event_id       uuid not null unique,
  stream         text not null,
  version        bigint not null check (version > 0),
  type           text not null,
  schema_version integer not null check (schema_version > 0),
  data           json not null,
  correlation_id text,
  causation_id   text,
  recorded_at    timestamptz not null,
  unique (stream, version)
);
create index eventstore_events_commit_order on eventstore_events (xid, position);

create table eventstore_streams (
  stream  text primary key,
  version bigint not null check (version > 0)
);
