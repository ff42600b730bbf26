package io.bulwark.traffic;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS on the proxy port: the gateway's certificate and private key in a PKCS#12 key store. With TLS
 * on, clients negotiate HTTP/2 or HTTP/1.1 by ALPN; without it the port speaks cleartext HTTP/1.1
 * and h2c.
 *
 * @param keyStore a PKCS#12 file holding one private key entry with its certificate chain
 * @param password the password of the store and of its key
 */
public record TlsConfig(Path keyStore, String password) {

  public TlsConfig {
    Objects.requireNonNull(keyStore, "tls.keyStore");
    Objects.requireNonNull(password, "tls.password");
  }

  /** A PKCS#12 key store whose store and key share {@code password}. */
  public static TlsConfig pkcs12(Path keyStore, String password) {
    return new TlsConfig(keyStore, password);
  }

  @Override
  public String toString() {
    return "TlsConfig[keyStore=" + keyStore + ", password=***]";
  }
}
