package io.bulwark.commerce.identity.jdbc;

import io.bulwark.commerce.auth.Permission;
import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.identity.IdentityStore;
import io.bulwark.commerce.identity.User;
import io.bulwark.postgres.PostgresTransactions;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * The {@link IdentityStore} in PostgreSQL: tables {@code identity_users}, {@code identity_roles},
 * {@code identity_role_permissions} and {@code identity_refresh_tokens}.
 */
public final class JdbcIdentityStore implements IdentityStore {

  private static final String USER_COLUMNS =
      "id, username, name, role, created_at, (select array_agg(permission) from"
          + " identity_role_permissions p where p.role = identity_users.role)";
  private static final String ROLE_COLUMNS =
      "name, (select array_agg(permission) from identity_role_permissions p where p.role ="
          + " identity_roles.name)";

  private final PostgresTransactions tx;

  /** A store working in {@code tx}'s database and transactions. */
  public JdbcIdentityStore(PostgresTransactions tx) {
    this.tx = tx;
  }

  @Override
  public List<Role> roles() {
    return tx.query(
        "select " + ROLE_COLUMNS + " from identity_roles order by name",
        rs -> new Role(rs.getString(1), permissions(rs, 2)));
  }

  @Override
  public Optional<Role> role(String name) {
    return tx.queryFirst(
        "select " + ROLE_COLUMNS + " from identity_roles where name = ?",
        rs -> new Role(rs.getString(1), permissions(rs, 2)),
        name);
  }

  @Override
  public boolean insert(Role role, Instant at) {
    return tx.inTransaction(
        () -> {
          if (tx.update(
                  "insert into identity_roles (name, built_in, created_at) values (?, false, ?)"
                      + " on conflict (name) do nothing",
                  role.name(),
                  at)
              == 0) {
            return false;
          }
          insertPermissions(role);
          return true;
        });
  }

  @Override
  public boolean replacePermissions(Role role) {
    return tx.inTransaction(
        () -> {
          if (tx.updateFirst(
                  "select name from identity_roles where name = ? and not built_in for update",
                  rs -> rs.getString(1),
                  role.name())
              .isEmpty()) {
            return false;
          }
          tx.update("delete from identity_role_permissions where role = ?", role.name());
          insertPermissions(role);
          return true;
        });
  }

  private void insertPermissions(Role role) {
    tx.update(
        "insert into identity_role_permissions (role, permission) select ?::text, unnest(?::text[])",
        role.name(),
        role.permissions().stream().map(Permission::slug).toList());
  }

  @Override
  public boolean insert(User user, String passwordHash) {
    return tx.update(
            "insert into identity_users (id, username, password_hash, name, role, created_at,"
                + " updated_at) values (?,?,?,?,?,?,?) on conflict (username) do nothing",
            user.id(),
            user.username(),
            passwordHash,
            user.name(),
            user.role().name(),
            user.createdAt(),
            user.createdAt())
        == 1;
  }

  @Override
  public void updateCredentials(UUID id, String passwordHash, String role, Instant at) {
    tx.update(
        "update identity_users set password_hash = ?, role = ?, updated_at = ?,"
            + " token_version = token_version + case when role = ? then 0 else 1 end where id = ?",
        passwordHash,
        role,
        at,
        role,
        id);
  }

  @Override
  public boolean updateProfile(UUID id, String name, String role, Instant at) {
    return tx.update(
            "update identity_users set name = coalesce(?, name), role = coalesce(?, role),"
                + " token_version = token_version + case when coalesce(?, role) = role then 0"
                + " else 1 end, updated_at = ? where id = ?",
            name,
            role,
            role,
            at,
            id)
        == 1;
  }

  @Override
  public Optional<User> user(UUID id) {
    return tx.queryFirst(
        "select " + USER_COLUMNS + " from identity_users where id = ?",
        JdbcIdentityStore::user,
        id);
  }

  @Override
  public Optional<Credentials> credentials(String username) {
    return tx.queryFirst(
        "select " + USER_COLUMNS + ", password_hash from identity_users where username = ?",
        rs -> new Credentials(user(rs), rs.getString(7)),
        username);
  }

  @Override
  public void insert(RefreshToken token, Instant issuedAt) {
    tx.update(
        "insert into identity_refresh_tokens (id, family_id, user_id, secret_hash, issued_at,"
            + " expires_at) values (?,?,?,?,?,?)",
        token.id(),
        token.familyId(),
        token.userId(),
        token.secretHash(),
        issuedAt,
        token.expiresAt());
  }

  @Override
  public Optional<RefreshToken> lockRefreshToken(UUID id) {
    return tx.updateFirst(
        "select family_id, user_id, secret_hash, expires_at, used_at, revoked_at from"
            + " identity_refresh_tokens where id = ? for update",
        rs ->
            new RefreshToken(
                id,
                rs.getObject(1, UUID.class),
                rs.getObject(2, UUID.class),
                rs.getString(3),
                rs.getTimestamp(4).toInstant(),
                rs.getTimestamp(5) != null,
                rs.getTimestamp(6) != null),
        id);
  }

  @Override
  public void markUsed(UUID id, Instant at) {
    tx.update("update identity_refresh_tokens set used_at = ? where id = ?", at, id);
  }

  @Override
  public void revokeFamily(UUID familyId, Instant at) {
    tx.update(
        "update identity_refresh_tokens set revoked_at = ? where family_id = ? and revoked_at is"
            + " null",
        at,
        familyId);
  }

  @Override
  public Attempts countAttempt(String key, Instant now, Instant expiredAt, int cap) {
    // one upsert: the row lock it takes counts concurrent attempts one after the other
    return tx.updateFirst(
            "insert into identity_attempts as a (key, window_start, attempts) values (?, ?, 1)"
                + " on conflict (key) do update set"
                + " window_start = case when a.window_start <= ? then excluded.window_start"
                + " else a.window_start end,"
                + " attempts = case when a.window_start <= ? then 1"
                + " else least(a.attempts + 1, ?) end"
                + " returning attempts, window_start",
            rs -> new Attempts(rs.getInt(1), rs.getTimestamp(2).toInstant()),
            key,
            now,
            expiredAt,
            expiredAt,
            cap)
        .orElseThrow();
  }

  @Override
  public void uncountAttempt(String key) {
    tx.update(
        "update identity_attempts set attempts = greatest(attempts - 1, 0) where key = ?", key);
  }

  @Override
  public void forgetAttempts(String key) {
    tx.update("delete from identity_attempts where key = ?", key);
  }

  @Override
  public int forgetAttemptsBefore(Instant expiredAt) {
    return tx.update("delete from identity_attempts where window_start <= ?", expiredAt);
  }

  @Override
  public OptionalLong tokenVersion(UUID id) {
    return tx.queryFirst(
            "select token_version from identity_users where id = ?", rs -> rs.getLong(1), id)
        .map(OptionalLong::of)
        .orElse(OptionalLong.empty());
  }

  @Override
  public void bumpTokenVersion(UUID id) {
    tx.update("update identity_users set token_version = token_version + 1 where id = ?", id);
  }

  private static User user(ResultSet rs) throws SQLException {
    return new User(
        rs.getObject(1, UUID.class),
        rs.getString(2),
        rs.getString(3),
        new Role(rs.getString(4), permissions(rs, 6)),
        rs.getTimestamp(5).toInstant());
  }

  /**
   * The permissions named in the text array in column {@code column}; names code lacks are ignored.
   */
  private static Set<Permission> permissions(ResultSet rs, int column) throws SQLException {
    java.sql.Array array = rs.getArray(column);
    Set<Permission> out = EnumSet.noneOf(Permission.class);
    if (array != null) {
      Arrays.stream((String[]) array.getArray())
          .map(Permission::ofSlug)
          .flatMap(Optional::stream)
          .forEach(out::add);
    }
    return out;
  }
}
