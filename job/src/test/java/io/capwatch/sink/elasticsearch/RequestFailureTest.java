package io.capwatch.sink.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletionException;

import javax.net.ssl.SSLHandshakeException;

class RequestFailureTest {

    @Test
    void retriableStatuses() {
        assertTrue(RequestFailure.isRetriableStatus(429));
        assertTrue(RequestFailure.isRetriableStatus(500));
        assertTrue(RequestFailure.isRetriableStatus(503));
        assertTrue(RequestFailure.isRetriableStatus(599));
        assertFalse(RequestFailure.isRetriableStatus(400));
        assertFalse(RequestFailure.isRetriableStatus(401));
        assertFalse(RequestFailure.isRetriableStatus(404));
        assertFalse(RequestFailure.isRetriableStatus(409));
        assertFalse(RequestFailure.isRetriableStatus(413));
    }

    @Test
    void connectionFailureIsRetriable() {
        RequestFailure failure =
                RequestFailure.classify(
                        new CompletionException(new ConnectException("Connection refused")));
        assertTrue(failure.retriable());
        assertNull(failure.httpStatus());
        assertEquals("java.net.ConnectException", failure.errorType());
        assertEquals("Connection refused", failure.message());
    }

    @Test
    void timeoutIsRetriable() {
        assertTrue(
                RequestFailure.classify(new SocketTimeoutException("Read timed out")).retriable());
    }

    @Test
    void certificateErrorIsNotRetriable() {
        RequestFailure failure =
                RequestFailure.classify(new SSLHandshakeException("PKIX path building failed"));
        assertFalse(failure.retriable());
        assertEquals("javax.net.ssl.SSLHandshakeException", failure.errorType());
    }

    @Test
    void clientBugIsNotRetriable() {
        assertFalse(
                RequestFailure.classify(new IllegalStateException("reactor stopped")).retriable());
    }
}
