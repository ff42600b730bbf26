package io.bulwark.commerce;

import io.bulwark.commerce.auth.Role;
import io.bulwark.commerce.identity.Identity;
import io.bulwark.commerce.ordering.Customers;
import java.util.Optional;
import java.util.UUID;

/** Ordering's customers, as the identity context knows its users: VIPs by their role. */
final class IdentityCustomers implements Customers {

  private final Identity identity;

  IdentityCustomers(Identity identity) {
    this.identity = identity;
  }

  @Override
  public Optional<Customer> find(UUID id) {
    return identity
        .find(id)
        .map(u -> new Customer(u.id(), u.name(), u.role().name().equals(Role.VIP.name())));
  }
}
