package io.capwatch.testing;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway certificate authority and a server certificate for 127.0.0.1 and localhost, made
 * with the JDK's {@code keytool}, for tests against a TLS-enabled server. The files are PEM:
 * {@code ca.crt}, {@code server.crt} (the server certificate followed by the CA certificate, so
 * that clients that pin the CA fingerprint find it in the chain) and {@code server.key} (an
 * unencrypted PKCS#8 key).
 */
public final class TestCertificateAuthority {

    /** Protects the intermediate PKCS#12 files only; they stay in the test's folder. */
    private static final String STORE_PASSWORD = "test-keystores";

    private final Path dir;
    private final X509Certificate caCertificate;

    private TestCertificateAuthority(Path dir, X509Certificate caCertificate) {
        this.dir = dir;
        this.caCertificate = caCertificate;
    }

    /** Creates the CA and the server certificate in {@code dir}. */
    public static TestCertificateAuthority create(Path dir) {
        try {
            Files.createDirectories(dir);
            Path caStore = dir.resolve("ca.p12");
            Path serverStore = dir.resolve("server.p12");
            keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048",
                    "-dname", "CN=capwatch test CA", "-ext", "bc:c", "-validity", "7",
                    "-keystore", caStore.toString(), "-storetype", "PKCS12",
                    "-storepass", STORE_PASSWORD);
            keytool(dir, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                    "-dname", "CN=127.0.0.1", "-validity", "7",
                    "-keystore", serverStore.toString(), "-storetype", "PKCS12",
                    "-storepass", STORE_PASSWORD);
            keytool(dir, "-certreq", "-alias", "server", "-file", "server.csr",
                    "-keystore", serverStore.toString(), "-storepass", STORE_PASSWORD);
            keytool(dir, "-gencert", "-alias", "ca", "-infile", "server.csr",
                    "-outfile", "server-leaf.crt", "-rfc", "-validity", "7",
                    "-ext", "san=ip:127.0.0.1,dns:localhost", "-ext", "eku=serverAuth",
                    "-ext", "ku=digitalSignature,keyEncipherment",
                    "-keystore", caStore.toString(), "-storepass", STORE_PASSWORD);

            X509Certificate ca = (X509Certificate) load(caStore).getCertificate("ca");
            Key serverKey = load(serverStore).getKey("server", STORE_PASSWORD.toCharArray());
            Files.writeString(dir.resolve("ca.crt"), pem("CERTIFICATE", ca.getEncoded()));
            Files.writeString(
                    dir.resolve("server.crt"),
                    Files.readString(dir.resolve("server-leaf.crt")).strip()
                            + "\n"
                            + pem("CERTIFICATE", ca.getEncoded()));
            Files.writeString(
                    dir.resolve("server.key"), pem("PRIVATE KEY", serverKey.getEncoded()));
            return new TestCertificateAuthority(dir, ca);
        } catch (IOException e) {
            throw new UncheckedIOException("Failed to create test certificates in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Failed to read the test keystores in " + dir, e);
        }
    }

    public Path caCertificate() {
        return dir.resolve("ca.crt");
    }

    public Path serverCertificateChain() {
        return dir.resolve("server.crt");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** Returns the SHA-256 fingerprint of the CA certificate as lowercase hex. */
    public String caFingerprint() {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(caCertificate.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** Returns a TLS context that trusts only this CA. */
    public SSLContext sslContext() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            trust.setCertificateEntry("ca", caCertificate);
            TrustManagerFactory factory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("Failed to build a TLS context for the test CA", e);
        }
    }

    private static KeyStore load(Path store) throws GeneralSecurityException, IOException {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keyStore.load(in, STORE_PASSWORD.toCharArray());
        }
        return keyStore;
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static void keytool(Path dir, String... arguments) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        Path log = dir.resolve("keytool.log");
        Process process =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException(
                        "keytool " + arguments[0] + " failed: " + Files.readString(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while running keytool", e);
        }
    }
}
