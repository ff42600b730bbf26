-- Identity context: users, roles and refresh-token families. No other context reads these tables.
create table identity_users (
  id            uuid primary key,
  username      text not null unique,
  password_hash text not null,
  name          text not null,
  role          text not null check (role in ('customer', 'vip', 'operator', 'admin')),
  created_at    timestamptz not null,
  updated_at    timestamptz not null
);

create table identity_refresh_tokens (
  id          uuid primary key,
  family_id   uuid not null,
  user_id     uuid not null references identity_users (id),
  secret_hash text not null,
  issued_at   timestamptz not null,
  expires_at  timestamptz not null,
  used_at     timestamptz,
  revoked_at  timestamptz
);
create index identity_refresh_tokens_family on identity_refresh_tokens (family_id);
