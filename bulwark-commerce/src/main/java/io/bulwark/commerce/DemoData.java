package io.bulwark.commerce;

import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.identity.User;
import io.bulwark.commerce.inventory.Product;
import java.util.List;
import java.util.UUID;

/**
 * Seeds a started commerce installation for demos: an administrator {@code admin}, a customer
 * {@code demo} (password {@code demo-password}), an operator {@code operator} (password {@code
 * operator-password}) and three dozen products with stock. Safe to run again: existing products are
 * left alone and the administrator's password is reset to the one given.
 */
public final class DemoData {

  /** The demo customer's username. */
  public static final String CUSTOMER = "demo";

  /** The demo customer's password. */
  public static final String CUSTOMER_PASSWORD = "demo-password";

  /** The demo operator's username (also the Step Functions API's access key id). */
  public static final String OPERATOR = "operator";

  /** The demo operator's password (also the Step Functions API's secret access key). */
  public static final String OPERATOR_PASSWORD = "operator-password";

  private static final String[][] CATALOG = {
    {"BOOK", "Book", "1999"},
    {"MUG", "Mug", "1250"},
    {"TEE", "T-shirt", "2400"},
    {"CAP", "Cap", "1800"},
    {"SOCK", "Socks", "900"},
    {"BAG", "Tote bag", "1500"},
    {"PEN", "Pen", "450"},
    {"NOTE", "Notebook", "800"},
    {"LAMP", "Desk lamp", "4900"},
    {"KBD", "Keyboard", "8900"},
    {"MOUSE", "Mouse", "3900"},
    {"HDPH", "Headphones", "12900"}
  };

  private static final String[] EDITIONS = {"Classic", "Pro", "Limited"};

  private DemoData() {}

  /**
   * What was seeded.
   *
   * @param adminId the administrator's id
   * @param customerId the demo customer's id
   * @param products products in the catalog afterwards
   */
  public record Seeded(UUID adminId, UUID customerId, int products) {}

  /**
   * Seeds {@code commerce} (its server must be started).
   *
   * @throws IllegalArgumentException when {@code adminPassword} is shorter than 8 characters
   */
  public static Seeded seed(Commerce commerce, String adminPassword) {
    if (adminPassword == null || adminPassword.length() < 8) {
      throw new IllegalArgumentException("admin password must be at least 8 characters");
    }
    User admin = commerce.identity().upsert("admin", adminPassword, "Administrator", Role.ADMIN);
    User customer =
        commerce
            .identity()
            .findByUsername(CUSTOMER)
            .orElseGet(
                () ->
                    commerce
                        .identity()
                        .create(CUSTOMER, CUSTOMER_PASSWORD, "Demo Customer", Role.CUSTOMER));
    if (commerce.identity().findByUsername(OPERATOR).isEmpty()) {
      commerce.identity().create(OPERATOR, OPERATOR_PASSWORD, "Operator", Role.OPERATOR);
    }
    List<String> existing = commerce.inventory().products().stream().map(Product::sku).toList();
    int n = 0;
    for (String[] item : CATALOG) {
      for (int e = 0; e < EDITIONS.length; e++) {
        String sku = item[0] + "-" + (e + 1);
        if (existing.contains(sku)) {
          continue;
        }
        long price = Long.parseLong(item[2]) * (e + 2) / 2;
        commerce
            .inventory()
            .create(
                new Product(sku, item[1] + " " + EDITIONS[e], price, "EUR", 5),
                100 + 50 * n++ % 200);
      }
    }
    return new Seeded(admin.id(), customer.id(), commerce.inventory().products().size());
  }
}
