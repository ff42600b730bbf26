-- Execution priorities: work of a higher-priority execution (and of its Parallel branches and Map
-- iterations) is claimed before due work of lower priority; equal priorities go by due date.
alter table states_executions add column priority integer not null default 0;
alter table states_work add column priority integer not null default 0;
drop index states_work_due;
create index states_work_due on states_work (priority desc, due_at);
