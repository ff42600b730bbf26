package io.bulwark.traffic.internal;

import io.bulwark.traffic.TlsConfig;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;

/** Owns the proxy port's TLS: its key store, HTTP/2 ciphers, and ALPN offering h2 and http/1.1. */
final class ServerTls {

  private ServerTls() {}

  /**
   * The server context for {@code config}.
   *
   * @throws IllegalArgumentException naming {@code tls.keyStore} when it cannot be loaded
   */
  static SslContext of(TlsConfig config) {
    char[] password = config.password().toCharArray();
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(config.keyStore())) {
        store.load(in, password);
      }
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      return SslContextBuilder.forServer(keys)
          .sslProvider(SslProvider.JDK)
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(
              new ApplicationProtocolConfig(
                  ApplicationProtocolConfig.Protocol.ALPN,
                  ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                  ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                  ApplicationProtocolNames.HTTP_2,
                  ApplicationProtocolNames.HTTP_1_1))
          .build();
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException(
          "tls.keyStore: cannot load "
              + config.keyStore()
              + " as a PKCS#12 key store with the given password: "
              + e.getMessage(),
          e);
    }
  }
}
