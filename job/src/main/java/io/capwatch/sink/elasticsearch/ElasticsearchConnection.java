package io.capwatch.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchAsyncClient;
import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.ElasticsearchTransport;
import co.elastic.clients.transport.TransportUtils;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.http.Header;
import org.apache.http.HttpHeaders;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;

import javax.annotation.Nullable;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How to reach an Elasticsearch cluster: host URLs, credentials, TLS trust and timeouts.
 *
 * <p>The settings are validated by {@link Builder#build()} and are serializable, so the sink can
 * ship them to the task managers, where {@link #createClient()} opens the connection. The CA
 * certificate file is read at build time, so task managers do not need a copy of it. {@link
 * #toString()} masks the password and the API key.
 */
@PublicEvolving
public final class ElasticsearchConnection implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final List<String> hosts;
    @Nullable private final String username;
    @Nullable private final String password;
    @Nullable private final String apiKey;
    @Nullable private final String caCertificatePath;
    @Nullable private final byte[] caCertificatePem;
    @Nullable private final String caCertificateFingerprint;
    private final Duration connectTimeout;
    private final Duration socketTimeout;

    private ElasticsearchConnection(Builder builder, byte[] caCertificatePem) {
        this.hosts = List.copyOf(builder.hosts);
        this.username = builder.username;
        this.password = builder.password;
        this.apiKey = builder.apiKey;
        this.caCertificatePath =
                builder.caCertificatePath == null ? null : builder.caCertificatePath.toString();
        this.caCertificatePem = caCertificatePem;
        this.caCertificateFingerprint =
                builder.caCertificateFingerprint == null
                        ? null
                        : normalizeFingerprint(builder.caCertificateFingerprint);
        this.connectTimeout = builder.connectTimeout;
        this.socketTimeout = builder.socketTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<String> hosts() {
        return hosts;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration socketTimeout() {
        return socketTimeout;
    }

    /** Opens a blocking client. The caller closes it, which closes its HTTP connections. */
    public ElasticsearchClient createClient() {
        return new ElasticsearchClient(createTransport());
    }

    /** Opens an asynchronous client. The caller closes it. */
    ElasticsearchAsyncClient createAsyncClient() {
        return new ElasticsearchAsyncClient(createTransport());
    }

    private ElasticsearchTransport createTransport() {
        HttpHost[] httpHosts =
                hosts.stream().map(ElasticsearchConnection::toHttpHost).toArray(HttpHost[]::new);
        SSLContext sslContext = createSslContext();
        Header[] defaultHeaders = authorizationHeaders();
        int connectMillis = Math.toIntExact(connectTimeout.toMillis());
        int socketMillis = Math.toIntExact(socketTimeout.toMillis());

        RestClient restClient =
                RestClient.builder(httpHosts)
                        .setRequestConfigCallback(
                                config ->
                                        config.setConnectTimeout(connectMillis)
                                                .setConnectionRequestTimeout(connectMillis)
                                                .setSocketTimeout(socketMillis))
                        .setHttpClientConfigCallback(
                                client -> {
                                    if (sslContext != null) {
                                        client.setSSLContext(sslContext);
                                    }
                                    return client.setDefaultHeaders(Arrays.asList(defaultHeaders));
                                })
                        .build();
        return new RestClientTransport(restClient, new JacksonJsonpMapper());
    }

    private Header[] authorizationHeaders() {
        if (apiKey != null) {
            return new Header[] {new BasicHeader(HttpHeaders.AUTHORIZATION, "ApiKey " + apiKey)};
        }
        if (username != null) {
            String credentials = username + ':' + password;
            String encoded =
                    Base64.getEncoder()
                            .encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
            return new Header[] {new BasicHeader(HttpHeaders.AUTHORIZATION, "Basic " + encoded)};
        }
        return new Header[0];
    }

    @Nullable
    private SSLContext createSslContext() {
        if (caCertificateFingerprint != null) {
            return TransportUtils.sslContextFromCaFingerprint(caCertificateFingerprint);
        }
        if (caCertificatePem == null) {
            return null;
        }
        try {
            KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
            trustStore.load(null, null);
            int index = 0;
            for (Certificate certificate : parseCertificates(caCertificatePem)) {
                trustStore.setCertificateEntry("elasticsearch-ca-" + index++, certificate);
            }
            TrustManagerFactory trustManagers =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(
                    "Failed to build the TLS trust store from the CA certificate "
                            + caCertificatePath,
                    e);
        }
    }

    private static Collection<? extends Certificate> parseCertificates(byte[] pem)
            throws CertificateException {
        return CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem));
    }

    private static HttpHost toHttpHost(String url) {
        URI uri = URI.create(url);
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return new HttpHost(host, uri.getPort(), uri.getScheme().toLowerCase(Locale.ROOT));
    }

    private static String normalizeFingerprint(String fingerprint) {
        return fingerprint.replace(":", "").strip().toLowerCase(Locale.ROOT);
    }

    /** Describes the connection with the password and API key masked. */
    @Override
    public String toString() {
        String auth;
        if (apiKey != null) {
            auth = "apiKey(****)";
        } else if (username != null) {
            auth = "basic(username='" + username + "', password=****)";
        } else {
            auth = "none";
        }
        return "ElasticsearchConnection{hosts="
                + hosts
                + ", auth="
                + auth
                + ", caCertificatePath="
                + caCertificatePath
                + ", caCertificateFingerprint="
                + caCertificateFingerprint
                + ", connectTimeout="
                + connectTimeout
                + ", socketTimeout="
                + socketTimeout
                + '}';
    }

    /** Builder for {@link ElasticsearchConnection}; {@link #build()} validates every setting. */
    @PublicEvolving
    public static final class Builder {

        private final List<String> hosts = new ArrayList<>();
        @Nullable private String username;
        @Nullable private String password;
        @Nullable private String apiKey;
        @Nullable private Path caCertificatePath;
        @Nullable private String caCertificateFingerprint;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration socketTimeout = DEFAULT_SOCKET_TIMEOUT;

        private Builder() {}

        /**
         * Sets the cluster's HTTP endpoints as URLs such as {@code http://127.0.0.1:9200}. The
         * scheme is http or https; without a port, the scheme's default (80 or 443) applies.
         * Replaces any hosts set before.
         */
        public Builder setHosts(String... urls) {
            hosts.clear();
            if (urls != null) {
                hosts.addAll(Arrays.asList(urls));
            }
            return this;
        }

        /** Sets the user for HTTP basic authentication; requires {@link #setPassword}. */
        public Builder setUsername(String username) {
            this.username = username;
            return this;
        }

        public Builder setPassword(String password) {
            this.password = password;
            return this;
        }

        /**
         * Sets the encoded API key (the base64 {@code id:api_key} value that Elasticsearch returns
         * as {@code encoded}). Excludes basic authentication.
         */
        public Builder setApiKey(String apiKey) {
            this.apiKey = apiKey;
            return this;
        }

        /** Sets a PEM file with the CA certificates to trust for https hosts. */
        public Builder setCaCertificatePath(Path pemFile) {
            this.caCertificatePath = pemFile;
            return this;
        }

        /**
         * Sets the SHA-256 fingerprint of the CA certificate to trust for https hosts, as 64 hex
         * digits with or without colons. Excludes {@link #setCaCertificatePath}.
         */
        public Builder setCaCertificateFingerprint(String sha256) {
            this.caCertificateFingerprint = sha256;
            return this;
        }

        /** Sets the time allowed to open a TCP connection (default 5 s). */
        public Builder setConnectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** Sets the maximum wait for data on an open connection (default 30 s). */
        public Builder setSocketTimeout(Duration timeout) {
            this.socketTimeout = timeout;
            return this;
        }

        /** Validates the settings and returns the connection. */
        public ElasticsearchConnection build() {
            ConfigurationErrors errors = new ConfigurationErrors();
            ElasticsearchConnection connection = tryBuild(errors);
            errors.throwIfAny("Elasticsearch connection settings");
            return connection;
        }

        /**
         * Adds every invalid setting to {@code errors} and returns the connection, or {@code null}
         * when a setting is invalid.
         */
        @Nullable
        ElasticsearchConnection tryBuild(ConfigurationErrors errors) {
            ConfigurationErrors own = new ConfigurationErrors();
            validateHosts(own);
            validateCredentials(own);
            validateTimeout("setConnectTimeout", connectTimeout, own);
            validateTimeout("setSocketTimeout", socketTimeout, own);
            byte[] caCertificatePem = validateTls(own);
            errors.addAll(own);
            return own.isEmpty() ? new ElasticsearchConnection(this, caCertificatePem) : null;
        }

        Duration socketTimeout() {
            return socketTimeout;
        }

        private void validateHosts(ConfigurationErrors errors) {
            if (hosts.isEmpty()) {
                errors.add(
                        "setHosts is missing: set at least one URL, for example"
                                + " http://127.0.0.1:9200");
                return;
            }
            for (String url : hosts) {
                String problem = hostProblem(url);
                if (problem != null) {
                    errors.add("setHosts value '" + maskUserInfo(url) + "' is invalid: " + problem);
                }
            }
            long httpsHosts = hosts.stream().filter(Builder::isHttps).count();
            if (httpsHosts != 0 && httpsHosts != hosts.size()) {
                errors.add(
                        "setHosts mixes http and https URLs "
                                + hosts.stream().map(Builder::maskUserInfo).toList()
                                + ": use one scheme for all hosts of a cluster");
            }
        }

        @Nullable
        private static String hostProblem(@Nullable String url) {
            if (url == null || url.isBlank()) {
                return "the URL is empty";
            }
            URI uri;
            try {
                uri = new URI(url.strip());
            } catch (URISyntaxException e) {
                return "it is not a URL ("
                        + e.getReason()
                        + "); expected a form such as http://127.0.0.1:9200";
            }

            String scheme = uri.getScheme();
            if (scheme == null
                    || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))) {
                return "the scheme must be http or https, for example http://127.0.0.1:9200";
            }
            if (uri.getRawUserInfo() != null) {
                return "it contains credentials; use setUsername and setPassword, or setApiKey";
            }
            if (uri.getHost() == null) {
                return "it has no host name; expected a form such as http://127.0.0.1:9200";
            }

            if (uri.getPort() == 0 || uri.getPort() > 65535) {
                return "the port must be between 1 and 65535";
            }
            String path = uri.getRawPath();
            if (path != null && !path.isEmpty() && !path.equals("/")) {
                return "path prefixes such as '" + path + "' are not supported";
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return "it must not have a query or fragment";
            }
            return null;
        }

        private static boolean isHttps(@Nullable String url) {
            return url != null && url.strip().toLowerCase(Locale.ROOT).startsWith("https:");
        }

        /** Replaces the user-info part of a URL, which may hold a password, with {@code ***}. */
        static String maskUserInfo(@Nullable String url) {
            if (url == null) {
                return "null";
            }
            return url.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/@]*@", "$1***@");
        }

        private void validateCredentials(ConfigurationErrors errors) {
            boolean hasUsername = username != null;
            boolean hasPassword = password != null;
            if (hasUsername && username.isBlank()) {
                errors.add("setUsername is blank: set a user name or leave it unset");
            }
            if (hasUsername != hasPassword) {
                errors.add(
                        hasUsername
                                ? "setPassword is missing: basic authentication needs both"
                                        + " setUsername and setPassword"
                                : "setUsername is missing: basic authentication needs both"
                                        + " setUsername and setPassword");
            }
            if (apiKey != null && apiKey.isBlank()) {
                errors.add("setApiKey is blank: set the encoded API key or leave it unset");
            }
            if (apiKey != null && (hasUsername || hasPassword)) {
                errors.add(
                        "setApiKey and setUsername/setPassword are both set: use one way to"
                                + " authenticate");
            }
        }

        private static void validateTimeout(
                String setting, @Nullable Duration timeout, ConfigurationErrors errors) {
            if (timeout == null
                    || timeout.isNegative()
                    || timeout.isZero()
                    || timeout.toMillis() > Integer.MAX_VALUE) {
                errors.add(
                        setting
                                + " is "
                                + timeout
                                + "; it must be positive and at most "
                                + Duration.ofMillis(Integer.MAX_VALUE));
            }
        }

        @Nullable
        private byte[] validateTls(ConfigurationErrors errors) {
            boolean anyTlsSetting = caCertificatePath != null || caCertificateFingerprint != null;
            if (caCertificatePath != null && caCertificateFingerprint != null) {
                errors.add(
                        "setCaCertificatePath and setCaCertificateFingerprint are both set: use one"
                                + " of them");
            }
            if (anyTlsSetting && !hosts.isEmpty() && !hosts.stream().allMatch(Builder::isHttps)) {
                errors.add(
                        "setCaCertificatePath or setCaCertificateFingerprint needs https hosts, but"
                                + " setHosts has "
                                + hosts.stream().map(Builder::maskUserInfo).toList());
            }
            if (caCertificateFingerprint != null
                    && !SHA256_HEX
                            .matcher(normalizeFingerprint(caCertificateFingerprint))
                            .matches()) {
                errors.add(
                        "setCaCertificateFingerprint value '"
                                + caCertificateFingerprint
                                + "' is invalid: expected a SHA-256 fingerprint of 64 hex digits,"
                                + " with or without colons");
            }
            if (caCertificatePath == null) {
                return null;
            }
            byte[] pem;
            try {
                pem = Files.readAllBytes(caCertificatePath);
            } catch (IOException e) {
                errors.add(
                        "setCaCertificatePath file '"
                                + caCertificatePath
                                + "' cannot be read: "
                                + e);
                return null;
            }
            try {
                if (parseCertificates(pem).isEmpty()) {
                    errors.add(
                            "setCaCertificatePath file '"
                                    + caCertificatePath
                                    + "' contains no certificate; expected PEM or DER X.509");
                    return null;
                }
            } catch (CertificateException e) {
                errors.add(
                        "setCaCertificatePath file '"
                                + caCertificatePath
                                + "' is not an X.509 certificate in PEM or DER form: "
                                + e.getMessage());
                return null;
            }
            return pem;
        }
    }
}
