package io.bulwark.commerce.ordering;

import java.util.Optional;
import java.util.UUID;

/** Ordering's query port to identity: who is this customer? */
@FunctionalInterface
public interface Customers {

  /** The customer with {@code id}, if registered. */
  Optional<Customer> find(UUID id);

  /**
   * What ordering needs to know of a customer.
   *
   * @param id user id
   * @param name display name
   * @param vip whether their orders go first
   */
  record Customer(UUID id, String name, boolean vip) {}
}
