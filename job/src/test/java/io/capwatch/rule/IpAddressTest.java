package io.capwatch.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpAddressTest {

    private static IpAddress parsed(String text) {
        Optional<IpAddress> address = IpAddress.parse(text);
        assertTrue(address.isPresent(), () -> "expected a valid address: " + text);
        return address.get();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0.0.0.0|0.0.0.0",
                "1.2.3.4|1.2.3.4",
                "255.255.255.255|255.255.255.255",
                "93.184.216.34|93.184.216.34",
                "::|::",
                "::1|::1",
                "0:0:0:0:0:0:0:1|::1",
                "0000:0000:0000:0000:0000:0000:0000:0001|::1",
                "1::|1::",
                "fe80::1|fe80::1",
                "FE80::ABCD|fe80::abcd",
                "fe80::1%12|fe80::1",
                "fe80::1%eth0|fe80::1",
                "[::1]|::1",
                "[fe80::1%12]|fe80::1",
                "2606:2800:220:1:248:1893:25c8:1946|2606:2800:220:1:248:1893:25c8:1946",
                "2606:2800:220:1:248:1893:25c8:1946%3|2606:2800:220:1:248:1893:25c8:1946",
                "2001:db8:0:0:1:0:0:1|2001:db8::1:0:0:1",
                "2001:0:0:1:0:0:0:1|2001:0:0:1::1",
                "1:0:2:0:3:0:4:0|1:0:2:0:3:0:4:0",
                "1:2:3:4:5:6:7::|1:2:3:4:5:6:7:0",
                "::2:3:4:5:6:7:8|0:2:3:4:5:6:7:8",
                "ff02:0:0:0:0:0:1:3|ff02::1:3",
                "::ffff:10.0.0.1|10.0.0.1",
                "::ffff:93.184.216.34|93.184.216.34",
                "::ffff:7f00:1|127.0.0.1",
                "::FFFF:0A00:0001|10.0.0.1",
                "64:ff9b::1.2.3.4|64:ff9b::102:304",
                "::1.2.3.4|::102:304",
                "1:2:3:4:5:6:1.2.3.4|1:2:3:4:5:6:102:304",
            })
    void parseValidCanonical(String text, String canonical) {
        IpAddress address = parsed(text);
        assertEquals(canonical, address.canonical());
        assertEquals(canonical, address.toString());
        assertEquals(address, parsed(canonical), "the canonical form must parse to the same address");
    }

    @ParameterizedTest(name = "\"{0}\" is invalid")
    @ValueSource(
            strings = {
                "",
                " ",
                "999.12.0.1",
                "256.0.0.1",
                "1.2.3",
                "1.2.3.4.5",
                "1.2.3.",
                ".1.2.3",
                "1..2.3",
                "+1.2.3.4",
                "-1.2.3.4",
                " 1.2.3.4",
                "1.2.3.4 ",
                "1.2.3.4\n",
                "01.2.3.4",
                "1.2.3.004",
                "1234.1.1.1",
                "0x7f.0.0.1",
                "1.2.3.4/32",
                "1.2.3.4%3",
                "[1.2.3.4]",
                "localhost",
                "example.com",
                ":",
                ":::",
                ":1",
                "1:",
                "1:2:3:4:5:6:7:8:9",
                "1:2:3:4:5:6:7",
                "1::2::3",
                "1:2:3:4:5:6:7:8::",
                "::1:2:3:4:5:6:7:8",
                "12345::1",
                "g::1",
                "fe80::1%",
                "fe80::1%1%2",
                "fe80::1% 2",
                "[::1",
                "::1]",
                "[]",
                "::ffff:1.2.3",
                "::ffff:999.1.1.1",
                "1.2.3.4::",
                "::1.2.3.4:1",
                "1:2:3:4:5:6:7:1.2.3.4",
                "fe80::\u0661",
                "fe80:: 1",
            })
    void parseInvalidIsEmpty(String text) {
        assertFalse(IpAddress.parse(text).isPresent(), () -> "expected invalid: " + text);
    }

    @Test
    void parseNullIsEmpty() {
        assertFalse(IpAddress.parse(null).isPresent());
    }

    @Test
    void mappedEqualsIpv4() {
        assertEquals(parsed("10.0.0.1"), parsed("::ffff:10.0.0.1"));
        assertEquals(parsed("127.0.0.1"), parsed("::ffff:7f00:1"));
        assertTrue(parsed("::ffff:7f00:1").isIpv4());
        assertTrue(parsed("10.0.0.1").isIpv4());
    }

    @Test
    void compatibleFormIsNotIpv4() {
        assertFalse(parsed("::1.2.3.4").isIpv4());
        assertFalse(parsed("64:ff9b::1.2.3.4").isIpv4());
        assertFalse(parsed("::1").isIpv4());
        assertNotEquals(parsed("1.2.3.4"), parsed("::1.2.3.4"));
    }

    @Test
    void zoneDoesNotChangeAddress() {
        assertEquals(parsed("fe80::1"), parsed("fe80::1%12"));
        assertEquals(parsed("fe80::1"), parsed("[fe80::1%eth0]"));
    }

    @Test
    void bitsMatchJdkForValidLiterals() throws Exception {
        // InetAddress.getByName does no lookup for a literal that is already known to be valid.
        String[] literals = {"1.2.3.4", "2606:2800:220:1:248:1893:25c8:1946", "fe80::abcd", "::1"};
        for (String literal : literals) {
            byte[] jdk = InetAddress.getByName(literal).getAddress();
            IpAddress address = parsed(literal);
            long high = 0;
            long low = 0;
            if (jdk.length == 4) {
                long bits = 0;
                for (byte b : jdk) {
                    bits = (bits << 8) | (b & 0xff);
                }
                low = IpAddress.IPV4_MAPPED_MARKER | bits;
            } else {
                for (int i = 0; i < 8; i++) {
                    high = (high << 8) | (jdk[i] & 0xff);
                    low = (low << 8) | (jdk[i + 8] & 0xff);
                }
            }
            assertEquals(high, address.high(), literal);
            assertEquals(low, address.low(), literal);
        }
    }

    @Test
    void compareOrdersByValue() {
        assertTrue(parsed("1.2.3.4").compareTo(parsed("1.2.3.5")) < 0);
        assertTrue(parsed("::1").compareTo(parsed("1.2.3.4")) < 0);
        assertTrue(parsed("ffff::").compareTo(parsed("::1")) > 0);
        assertEquals(0, parsed("10.0.0.1").compareTo(parsed("::ffff:a00:1")));
    }

    @Test
    void serializationRoundTrips() throws Exception {
        IpAddress address = parsed("2606:2800:220:1:248:1893:25c8:1946");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(address);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(address, in.readObject());
        }
    }
}
