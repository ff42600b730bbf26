package io.bulwark.traffic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTest {
  private static final String PASSWORD = "changeit";
  @TempDir static Path dir;
  private static TestBackend backend;
  private static Gateway gateway;
  private static SSLContext trusting;

  @BeforeAll
  static void start() throws Exception {
    Path store = dir.resolve("gateway.p12");
    Process keytool =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair",
                    "-alias",
                    "gateway",
                    "-keyalg",
                    "EC",
                    "-groupname",
                    "secp256r1",
                    "-dname",
                    "CN=localhost",
                    "-ext",
                    "san=ip:127.0.0.1,dns:localhost",
                    "-validity",
                    "2",
                    "-storetype",
                    "PKCS12",
                    "-keystore",
                    store.toString(),
                    "-storepass",
                    PASSWORD,
                    "-keypass",
                    PASSWORD))
            .redirectErrorStream(true)
            .start();
    String output = new String(keytool.getInputStream().readAllBytes());
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).as(output).isZero();

    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      trust.load(in, PASSWORD.toCharArray());
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    trusting = SSLContext.getInstance("TLS");
    trusting.init(null, tmf.getTrustManagers(), null);

    backend = TestBackend.start("api-1");
    gateway =
        Gateway.start(
            GatewayConfig.builder()
                .tls(TlsConfig.pkcs12(store, PASSWORD))
                .pool(PoolConfig.builder("api").noHealthCheck().target(backend.target()).build())
                .build());
  }

  @AfterAll
  static void stop() {
    gateway.close(Duration.ofSeconds(2));
    backend.close();
  }

  private static HttpResponse<String> get(HttpClient.Version version) throws Exception {
    try (HttpClient client =
        HttpClient.newBuilder().version(version).sslContext(trusting).build()) {
      return client.send(
          HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port() + "/orders"))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }
  }

  @Test
  void negotiatesHttp2ByAlpnOverTls() throws Exception {
    HttpResponse<String> response = get(HttpClient.Version.HTTP_2);

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_2);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("api-1");
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
  }

  @Test
  void servesHttp11ClientsOverTlsToo() throws Exception {
    HttpResponse<String> response = get(HttpClient.Version.HTTP_1_1);

    assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    assertThat(response.body()).isEqualTo("api-1");
  }

  @Test
  void refusesToStartWithAKeyStoreItCannotOpen() {
    GatewayConfig config =
        GatewayConfig.builder()
            .tls(TlsConfig.pkcs12(dir.resolve("gateway.p12"), "wrong"))
            .pool(PoolConfig.builder("api").noHealthCheck().target(backend.target()).build())
            .build();

    assertThatThrownBy(() -> Gateway.start(config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("tls.keyStore: cannot load " + dir.resolve("gateway.p12"));
  }
}
