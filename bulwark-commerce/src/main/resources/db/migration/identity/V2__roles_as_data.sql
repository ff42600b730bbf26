-- Roles as data: each role is a row granting a set of permissions (the vocabulary code checks,
-- io.bulwark.commerce.auth.Permission, by lower-case name). The four built-in roles are seeded here
-- and cannot be changed; administrators add more. A user's role must name a role that exists.
create table identity_roles (
  name       text primary key check (name ~ '^[a-z][a-z0-9_-]{1,31}$'),
  built_in   boolean not null default false,
  created_at timestamptz not null default now()
);

create table identity_role_permissions (
  role       text not null references identity_roles (name) on delete cascade,
  permission text not null check (permission ~ '^[a-z_]{1,64}$'),
  primary key (role, permission)
);

insert into identity_roles (name, built_in) values
  ('customer', true), ('vip', true), ('operator', true), ('admin', true);

insert into identity_role_permissions (role, permission) values
  ('customer', 'catalog_read'), ('customer', 'order_create'),
  ('vip', 'catalog_read'), ('vip', 'order_create'),
  ('operator', 'catalog_read'), ('operator', 'inventory_read'), ('operator', 'order_read_any'),
  ('operator', 'user_read_any'), ('operator', 'operate'),
  ('admin', 'catalog_read'), ('admin', 'catalog_write'), ('admin', 'inventory_read'),
  ('admin', 'inventory_write'), ('admin', 'order_create'), ('admin', 'order_read_any'),
  ('admin', 'user_read_any'), ('admin', 'user_write_any'), ('admin', 'operate');

alter table identity_users drop constraint identity_users_role_check;
alter table identity_users
  add constraint identity_users_role_fkey foreign key (role) references identity_roles (name);
