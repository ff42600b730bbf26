package io.bulwark.commerce.inventory.jdbc;

import io.bulwark.commerce.inventory.CatalogReads;
import io.bulwark.commerce.inventory.Product;
import io.bulwark.postgres.ReadPool;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link CatalogReads} on the server's {@link ReadPool} (a replica when one is configured). */
public final class JdbcCatalogReads implements CatalogReads {

  private final ReadPool pool;

  /** Reads on {@code pool}. */
  public JdbcCatalogReads(ReadPool pool) {
    this.pool = pool;
  }

  @Override
  public Read<List<Product>> products() {
    return read(
        pool.read(
            c -> {
              try (var st = c.prepareStatement(JdbcInventoryStore.PRODUCT + " order by sku")) {
                return all(st.executeQuery());
              }
            }));
  }

  @Override
  public Read<Optional<Product>> product(String sku) {
    return read(
        pool.read(
            c -> {
              try (var st = c.prepareStatement(JdbcInventoryStore.PRODUCT + " where sku = ?")) {
                st.setString(1, sku);
                return all(st.executeQuery()).stream().findFirst();
              }
            }));
  }

  private static <T> Read<T> read(ReadPool.Result<T> r) {
    return new Read<>(r.value(), r.source() == ReadPool.Source.REPLICA);
  }

  private static List<Product> all(ResultSet rs) throws SQLException {
    List<Product> out = new ArrayList<>();
    try (rs) {
      while (rs.next()) {
        out.add(JdbcInventoryStore.product(rs));
      }
    }
    return out;
  }
}
