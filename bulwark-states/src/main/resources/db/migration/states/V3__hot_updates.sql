-- A running execution's row is updated at every step and its work row at every claim and
-- reschedule: leave room on each page so most of these are HOT updates (no index writes, old
-- versions pruned in place) instead of new tuples in every index.
alter table states_executions set (fillfactor = 60);
alter table states_work set (fillfactor = 60);
