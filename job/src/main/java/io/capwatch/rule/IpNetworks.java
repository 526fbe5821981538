package io.capwatch.rule;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A set of IPv4 and IPv6 networks, for deciding whether a destination address is internal.
 *
 * <p>IPv4 networks are held in the IPv4-mapped range of the IPv6 space (see {@link IpAddress}), so
 * {@code 10.0.0.0/8} also contains {@code ::ffff:10.1.2.3}.
 */
public final class IpNetworks implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * The networks treated as internal by default: RFC 1918 private space, loopback, link-local,
     * "this network", multicast and limited broadcast for IPv4; loopback, the unspecified address,
     * link-local, unique local and multicast for IPv6. Shared address space (100.64.0.0/10) and the
     * documentation ranges are not in the list.
     */
    public static final List<String> DEFAULT_INTERNAL_CIDRS =
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
                    "ff00::/8");

    private static final int IPV4_PREFIX_OFFSET = 96;

    private final List<String> cidrs;
    private final long[] networkHigh;
    private final long[] networkLow;
    private final long[] maskHigh;
    private final long[] maskLow;

    private IpNetworks(List<String> cidrs, long[] networkHigh, long[] networkLow, long[] maskHigh, long[] maskLow) {
        this.cidrs = cidrs;
        this.networkHigh = networkHigh;
        this.networkLow = networkLow;
        this.maskHigh = maskHigh;
        this.maskLow = maskLow;
    }

    /** Returns the {@link #DEFAULT_INTERNAL_CIDRS} networks. */
    public static IpNetworks defaultInternal() {
        return parse(DEFAULT_INTERNAL_CIDRS);
    }

    /**
     * Parses networks in CIDR notation ({@code 10.0.0.0/8}, {@code fe80::/10}) or bare addresses,
     * which stand for a single host ({@code /32} or {@code /128}). Surrounding whitespace of an
     * entry is ignored.
     *
     * @throws IllegalArgumentException naming the first invalid entry: an invalid address, a zone
     *     id, a prefix length out of range, or an address with bits set beyond the prefix
     */
    public static IpNetworks parse(List<String> entries) {
        Objects.requireNonNull(entries, "entries");
        int size = entries.size();
        long[] networkHigh = new long[size];
        long[] networkLow = new long[size];
        long[] maskHigh = new long[size];
        long[] maskLow = new long[size];
        List<String> canonical = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            String entry = entries.get(i);
            if (entry == null) {
                throw invalid(null, "the entry is null");
            }
            String trimmed = entry.trim();
            int slash = trimmed.indexOf('/');
            String addressText = slash < 0 ? trimmed : trimmed.substring(0, slash);
            if (addressText.indexOf('%') >= 0 || addressText.startsWith("[")) {
                throw invalid(entry, "a network address takes no zone id or brackets");
            }
            Optional<IpAddress> parsed = IpAddress.parse(addressText);
            if (parsed.isEmpty()) {
                throw invalid(entry, "\"" + addressText + "\" is not a valid IPv4 or IPv6 address");
            }
            IpAddress address = parsed.get();
            boolean writtenAsIpv4 = addressText.indexOf(':') < 0;
            int maxPrefix = writtenAsIpv4 ? 32 : 128;
            int prefix = slash < 0 ? maxPrefix : parsePrefix(trimmed.substring(slash + 1));
            if (prefix < 0 || prefix > maxPrefix) {
                throw invalid(
                        entry,
                        "the prefix length of an IPv"
                                + (writtenAsIpv4 ? "4" : "6")
                                + " network must be a number from 0 to "
                                + maxPrefix);
            }
            int prefix128 = writtenAsIpv4 ? prefix + IPV4_PREFIX_OFFSET : prefix;
            long high = highMask(prefix128);
            long low = lowMask(prefix128);
            if ((address.high() & ~high) != 0 || (address.low() & ~low) != 0) {
                IpAddress network = new IpAddress(address.high() & high, address.low() & low);
                throw invalid(
                        entry,
                        "the address has bits set after the prefix; use "
                                + format(network, writtenAsIpv4)
                                + "/"
                                + prefix);
            }
            networkHigh[i] = address.high();
            networkLow[i] = address.low();
            maskHigh[i] = high;
            maskLow[i] = low;
            canonical.add(format(address, writtenAsIpv4) + "/" + prefix);
        }
        return new IpNetworks(List.copyOf(canonical), networkHigh, networkLow, maskHigh, maskLow);
    }

    /** Returns whether any of the networks contains {@code address}. */
    public boolean contains(IpAddress address) {
        Objects.requireNonNull(address, "address");
        for (int i = 0; i < networkHigh.length; i++) {
            if ((address.high() & maskHigh[i]) == networkHigh[i]
                    && (address.low() & maskLow[i]) == networkLow[i]) {
                return true;
            }
        }
        return false;
    }

    /** Returns the networks in canonical CIDR form, in the order given. */
    public List<String> cidrs() {
        return cidrs;
    }

    @Override
    public String toString() {
        return cidrs.toString();
    }

    /**
     * Formats a network address in the family it was written in, because a prefix length only
     * makes sense with it: {@code ::ffff:0:0/96} must not print as {@code 0.0.0.0/96}.
     */
    private static String format(IpAddress address, boolean writtenAsIpv4) {
        if (address.isIpv4() && !writtenAsIpv4) {
            return "::ffff:" + address.canonical();
        }
        return address.canonical();
    }

    /** Returns the prefix length written as 1-3 decimal digits, or -1 when invalid. */
    private static int parsePrefix(String text) {
        if (text.isEmpty() || text.length() > 3) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static long highMask(int prefix128) {
        if (prefix128 >= 64) {
            return -1L;
        }
        return prefix128 == 0 ? 0L : -1L << (64 - prefix128);
    }

    private static long lowMask(int prefix128) {
        if (prefix128 <= 64) {
            return 0L;
        }
        return prefix128 == 128 ? -1L : -1L << (128 - prefix128);
    }

    private static IllegalArgumentException invalid(String entry, String problem) {
        return new IllegalArgumentException(
                "Invalid network "
                        + (entry == null ? "null" : "\"" + entry + "\"")
                        + ": "
                        + problem
                        + ". Expected CIDR notation such as 10.0.0.0/8 or fe80::/10, or a bare"
                        + " address for a single host.");
    }
}
