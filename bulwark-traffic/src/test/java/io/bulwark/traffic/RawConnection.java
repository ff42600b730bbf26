package io.bulwark.traffic;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 keep-alive connection over a plain socket, so a test knows exactly which TCP
 * connection carries each request (the JDK client pools connections on its own).
 */
final class RawConnection implements AutoCloseable {
  /** One answer: status line, lower-cased headers, body. */
  record Answer(String statusLine, Map<String, String> headers, String body) {
    boolean keepsConnection() {
      return !"close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final BufferedReader in;

  RawConnection(int port) {
    try {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(20_000);
      out = socket.getOutputStream();
      in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a GET without waiting for the answer. */
  void send(String path) {
    try {
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: gateway\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends raw bytes, e.g. a request with unusual headers. */
  void sendRaw(String text) {
    try {
      out.write(text.getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads the next answer (a body with a content-length). */
  Answer read() {
    try {
      String status = in.readLine();
      if (status == null) {
        throw new IllegalStateException("the gateway closed the connection");
      }
      Map<String, String> headers = new LinkedHashMap<>();
      String line;
      while (!(line = in.readLine()).isEmpty()) {
        int colon = line.indexOf(':');
        headers.put(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      char[] body = new char[length];
      int read = 0;
      while (read < length) {
        int n = in.read(body, read, length - read);
        if (n < 0) {
          throw new IllegalStateException("connection closed in the middle of a body");
        }
        read += n;
      }
      return new Answer(status, headers, new String(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Answer get(String path) {
    send(path);
    return read();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
