package io.bulwark.commerce.identity;

import io.bulwark.commerce.auth.Role;
import java.time.Instant;
import java.util.UUID;

/**
 * A registered user.
 *
 * @param id stable id
 * @param username unique login name
 * @param name display name
 * @param role role granting permissions
 * @param createdAt registration time
 */
public record User(UUID id, String username, String name, Role role, Instant createdAt) {}
