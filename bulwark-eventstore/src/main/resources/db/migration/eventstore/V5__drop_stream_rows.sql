-- Appends now check the expected version against eventstore_events' unique (stream, version) index
-- instead of a per-stream row: one row less to write per append. The stream table goes.
drop table eventstore_streams;
