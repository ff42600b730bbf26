-- Appends no longer take one global lock held through commit. Positions are allocated at insert
-- time, so transactions may commit in another order than their positions: readers of the whole log
-- order by (xid, position), where xid is the inserting transaction's id, and only read rows whose
-- xid is below the oldest transaction still running (pg_snapshot_xmin), as the shared event store
-- does. Every transaction that could still add rows has an xid at or above that bound, so no row
-- can appear behind a reader's checkpoint.
--
-- Existing rows all get this migration's transaction id, so among them (xid, position) keeps their
-- position order; a checkpoint past some of them moves to (this xid, its position), which is still
-- exactly after the same events.
alter table ordering_events add column xid xid8 not null default pg_current_xact_id();
create index ordering_events_commit_order on ordering_events (xid, position);

alter table ordering_projection_checkpoints add column xid xid8 not null default '0';
update ordering_projection_checkpoints set xid = pg_current_xact_id() where position > 0;
