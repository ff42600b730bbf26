-- The ordering log moves into the shared event store: one stream per order, 'order-<uuid>', in
-- eventstore_events. The eventstore module migrates before ordering (BulwarkServer's builder starts
-- with it; offline tools migrate it first), so its table is there.
--
-- Old events are copied in their commit order, (xid, position), and all get this transaction's id,
-- so among them the new positions keep that order, and everything appended later sorts after them.
-- The projection checkpoint moves to the copy of the last event it had applied (it stays at the
-- start when it had applied none), so no event is projected twice or skipped.
do $$
begin
  if to_regclass('eventstore_events') is null then
    raise exception 'ordering migration V3 needs the eventstore module migrated first'
      ' (table eventstore_events is missing)';
  end if;
end
$$;

with copied as (
  insert into eventstore_events (event_id, stream, version, type, schema_version, data, recorded_at)
  select id, 'order-' || stream_id, version, type, 1, payload::text::json, occurred_at
  from ordering_events
  order by xid, position
  returning event_id, position
),
projected as (
  select max(c.position) as position
  from copied c
  join ordering_events o on o.id = c.event_id
  join ordering_projection_checkpoints p on p.name = 'orders'
  where (o.xid, o.position) <= (p.xid, p.position)
)
update ordering_projection_checkpoints
set xid = pg_current_xact_id(), position = projected.position
from projected
where name = 'orders' and projected.position is not null;

drop table ordering_events;
