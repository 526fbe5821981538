package io.capwatch.rule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpNetworksTest {

    private static final IpNetworks DEFAULTS = IpNetworks.defaultInternal();

    private static IpAddress address(String text) {
        return IpAddress.parse(text).orElseThrow(() -> new AssertionError("invalid test address " + text));
    }

    /**
     * Destinations that string-prefix and JDK-based private-address tests get wrong (mapped,
     * compressed, zoned and edge-of-range forms), with the verdict under the default networks.
     */
    @ParameterizedTest(name = "{0} internal={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "::1|true",
                "::ffff:10.0.0.5|true",
                "::ffff:93.184.216.34|false",
                "fe9a::1|true",
                "fd12:3456:789a::10|true",
                "fe80::1%12|true",
                "2606:2800:220:1:248:1893:25c8:1946|false",
                "169.254.169.254|true",
                "100.64.12.7|false",
                "224.0.0.251|true",
                "172.32.0.1|false",
                "172.31.255.255|true",
                "0:0:0:0:0:0:0:1|true",
                "ff02::fb|true",
                "192.0.2.10|false",
                "::ffff:7f00:1|true",
                "93.184.216.35|false",
                "::|true",
                "255.255.255.255|true",
                "2606:2800:220:1:248:1893:25c8:1946%3|false",
                "192.168.1.20|true",
                // IPv4-mapped spellings are the IPv4 address they map. Other IPv6 forms that
                // embed an IPv4 address are not IPv4 and lie outside the default networks.
                "::ffff:10.0.0.1|true",
                "0:0:0:0:0:ffff:10.0.0.1|true",
                "0000:0000:0000:0000:0000:FFFF:0A00:0001|true",
                "::FFFF:10.0.0.1|true",
                "[::ffff:10.0.0.1]|true",
                "::ffff:a00:1|true",
                "::ffff:10.0.0.1%eth0|true",
                "::ffff:192.168.1.1|true",
                "::ffff:169.254.169.254|true",
                "::ffff:8.8.8.8|false",
                "::10.0.0.1|false",
                "::ffff:0:10.0.0.1|false",
                "64:ff9b::10.0.0.1|false",
                "fe80::1%eth0|true",
                "[fe80::1%eth0]|true",
            })
    void defaultsClassifyCaseAddresses(String text, boolean internal) {
        assertEquals(internal, DEFAULTS.contains(address(text)), text);
    }

    @Test
    void invalidDestinationDoesNotParse() {
        assertFalse(IpAddress.parse("999.12.0.1").isPresent());
    }

    @ParameterizedTest(name = "{0} internal={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "9.255.255.255|false",
                "10.0.0.0|true",
                "10.255.255.255|true",
                "11.0.0.0|false",
                "172.15.255.255|false",
                "172.16.0.0|true",
                "192.167.255.255|false",
                "192.168.0.0|true",
                "192.169.0.0|false",
                "126.255.255.255|false",
                "127.0.0.1|true",
                "127.255.255.255|true",
                "128.0.0.0|false",
                "169.253.255.255|false",
                "169.254.0.0|true",
                "169.255.0.0|false",
                "0.0.0.0|true",
                "0.255.255.255|true",
                "1.0.0.0|false",
                "223.255.255.255|false",
                "224.0.0.0|true",
                "239.255.255.255|true",
                "240.0.0.1|false",
                "255.255.255.254|false",
                "100.127.255.255|false",
                "::2|false",
                "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff|false",
                "fe80::|true",
                "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff|true",
                "fec0::1|false",
                "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff|false",
                "fc00::|true",
                "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff|true",
                "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff|false",
                "ff00::|true",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff|true",
                "2001:db8::1|false",
                "64:ff9b::a00:1|false",
                "::ffff:172.31.0.1|true",
                "::ffff:172.32.0.1|false",
            })
    void defaultsRangeBoundaries(String text, boolean internal) {
        assertEquals(internal, DEFAULTS.contains(address(text)), text);
    }

    @Test
    void defaultCidrsAreTheDocumentedList() {
        assertEquals(
                List.of(
                        "10.0.0.0/8",
                        "172.16.0.0/12",
                        "192.168.0.0/16",
                        "127.0.0.0/8",
                        "169.254.0.0/16",
                        "0.0.0.0/8",
                        "224.0.0.0/4",
                        "255.255.255.255/32",
                        "::1/128",
                        "::/128",
                        "fe80::/10",
                        "fc00::/7",
                        "ff00::/8"),
                DEFAULTS.cidrs());
    }

    @Test
    void bareAddressIsSingleHost() {
        IpNetworks networks = IpNetworks.parse(List.of("93.184.216.34", "2001:db8::1"));
        assertTrue(networks.contains(address("93.184.216.34")));
        assertTrue(networks.contains(address("::ffff:93.184.216.34")));
        assertFalse(networks.contains(address("93.184.216.35")));
        assertTrue(networks.contains(address("2001:db8::1")));
        assertFalse(networks.contains(address("2001:db8::2")));
        assertEquals(List.of("93.184.216.34/32", "2001:db8::1/128"), networks.cidrs());
    }

    @Test
    void zeroPrefixContainsFamily() {
        IpNetworks ipv4 = IpNetworks.parse(List.of("0.0.0.0/0"));
        assertTrue(ipv4.contains(address("93.184.216.34")));
        assertFalse(ipv4.contains(address("2001:db8::1")));
        IpNetworks all = IpNetworks.parse(List.of("::/0"));
        assertTrue(all.contains(address("2001:db8::1")));
        assertTrue(all.contains(address("93.184.216.34")));
    }

    @Test
    void ipv6PrefixInLowHalf() {
        IpNetworks networks = IpNetworks.parse(List.of("2001:db8:0:0:1::/80"));
        assertTrue(networks.contains(address("2001:db8::1:0:ffff:ffff")));
        assertFalse(networks.contains(address("2001:db8::2:0:0:0")));
        assertTrue(IpNetworks.parse(List.of("::ffff:0:0/96")).contains(address("8.8.8.8")));
    }

    @Test
    void mappedNetworkKeepsIpv6Form() {
        assertEquals(List.of("::ffff:0.0.0.0/96"), IpNetworks.parse(List.of("::ffff:0:0/96")).cidrs());
    }

    @Test
    void entriesAreTrimmed() {
        assertTrue(IpNetworks.parse(List.of(" 10.0.0.0/8 ")).contains(address("10.1.2.3")));
    }

    @Test
    void emptyListContainsNothing() {
        assertFalse(IpNetworks.parse(List.of()).contains(address("10.0.0.1")));
    }

    @ParameterizedTest(name = "\"{0}\" is rejected")
    @ValueSource(
            strings = {
                "10.0.0.0/33",
                "fe80::/129",
                "10.0.0.0/-1",
                "10.0.0.0/",
                "10.0.0.0/8/8",
                "10.0.0.0/x",
                "10.0.0.0/0008",
                "/8",
                "",
                "999.0.0.0/8",
                "10.0.0/8",
                "fe80::1%3/128",
                "[fe80::]/10",
                "10.1.0.0/8",
                "fe80::1/10",
                "example.com/24",
            })
    void parseRejectsInvalidEntry(String entry) {
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> IpNetworks.parse(List.of(entry)));
        assertTrue(error.getMessage().contains("\"" + entry + "\""), error.getMessage());
        assertTrue(error.getMessage().contains("CIDR notation"), error.getMessage());
    }

    @Test
    void hostBitsErrorSuggestsNetwork() {
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> IpNetworks.parse(List.of("192.168.1.1/24")));
        assertTrue(error.getMessage().contains("use 192.168.1.0/24"), error.getMessage());
    }

    @Test
    void prefixErrorNamesRange() {
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> IpNetworks.parse(List.of("10.0.0.0/33")));
        assertTrue(error.getMessage().contains("from 0 to 32"), error.getMessage());
    }

    @Test
    void nullEntryIsRejected() {
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> IpNetworks.parse(Arrays.asList("10.0.0.0/8", null)));
        assertTrue(error.getMessage().contains("null"), error.getMessage());
    }
}
