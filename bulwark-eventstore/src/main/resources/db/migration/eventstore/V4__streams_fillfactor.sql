-- Every append updates its stream's row: leave room on each page so the update stays a HOT update
-- (no index write) and old versions are pruned in place.
alter table eventstore_streams set (fillfactor = 50);
