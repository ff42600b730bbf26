-- Rate limits counted in the database, one row per key (a login account, a client address), so
-- that concurrent attempts, on one instance or several, are counted atomically by an upsert.
create table identity_attempts (
  key          text primary key,
  window_start timestamptz not null,
  attempts     integer not null
);
create index identity_attempts_window_start on identity_attempts (window_start);

-- Access tokens carry the version current when they were issued; a logout or a role change adds
-- one, and every access token issued before is refused from then on.
alter table identity_users add column token_version bigint not null default 0;
