package io.bulwark.commerce.ordering;

import io.bulwark.commerce.CommerceException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Where an order goes (the seed's {@code shipping_address}). Built with {@link #of}, which checks
 * every field and names the one that is wrong.
 *
 * @param name recipient, 1 to 100 characters
 * @param line1 street and number, 1 to 200 characters
 * @param line2 more of the address (flat, floor), up to 200 characters, or null
 * @param city 1 to 100 characters
 * @param postalCode 1 to 20 letters, digits, spaces or hyphens
 * @param country ISO 3166-1 alpha-2 code in upper case, e.g. {@code DE}
 */
public record ShippingAddress(
    String name, String line1, String line2, String city, String postalCode, String country) {

  /** Longest name or city. */
  public static final int MAX_NAME = 100;

  /** Longest address line. */
  public static final int MAX_LINE = 200;

  /** Longest postal code. */
  public static final int MAX_POSTAL_CODE = 20;

  private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

  /**
   * A checked address; {@code path} (e.g. {@code $.shippingAddress}) prefixes the field named in an
   * error.
   *
   * @throws CommerceException.InvalidInput naming the missing, too long or malformed field
   */
  public static ShippingAddress of(
      String path,
      String name,
      String line1,
      String line2,
      String city,
      String postalCode,
      String country) {
    required(path, "name", name, MAX_NAME);
    required(path, "line1", line1, MAX_LINE);
    if (line2 != null && line2.length() > MAX_LINE) {
      throw new CommerceException.InvalidInput(
          path + ".line2",
          "line2 must be at most " + MAX_LINE + " characters but was " + line2.length());
    }
    required(path, "city", city, MAX_NAME);
    required(path, "postalCode", postalCode, MAX_POSTAL_CODE);
    if (!postalCode.matches("[A-Za-z0-9][A-Za-z0-9 -]*")) {
      throw new CommerceException.InvalidInput(
          path + ".postalCode", "postalCode may hold only letters, digits, spaces and hyphens");
    }
    required(path, "country", country, 2);
    if (!COUNTRIES.contains(country)) {
      throw new CommerceException.InvalidInput(
          path + ".country",
          "country must be an ISO 3166-1 alpha-2 code in upper case (e.g. DE, US) but was \""
              + country.replaceAll("\\p{Cntrl}", "?")
              + "\"");
    }
    return new ShippingAddress(
        name.strip(),
        line1.strip(),
        line2 == null || line2.isBlank() ? null : line2.strip(),
        city.strip(),
        postalCode.strip(),
        country);
  }

  private static void required(String path, String field, String value, int max) {
    if (value == null || value.isBlank()) {
      throw new CommerceException.InvalidInput(path + "." + field, field + " is required");
    }
    if (value.length() > max) {
      throw new CommerceException.InvalidInput(
          path + "." + field,
          field + " must be at most " + max + " characters but was " + value.length());
    }
  }

  /** The JSON shape (events and views): line2 only when present. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("line1", line1);
    if (line2 != null) {
      m.put("line2", line2);
    }
    m.put("city", city);
    m.put("postalCode", postalCode);
    m.put("country", country);
    return m;
  }

  /** The address a {@link #toMap} map describes, or null for null (orders placed without one). */
  public static ShippingAddress fromMap(Object raw) {
    if (!(raw instanceof Map<?, ?> m)) {
      return null;
    }
    return new ShippingAddress(
        (String) m.get("name"),
        (String) m.get("line1"),
        (String) m.get("line2"),
        (String) m.get("city"),
        (String) m.get("postalCode"),
        (String) m.get("country"));
  }
}
