package io.capwatch.rule;

import java.io.Serializable;
import java.util.Optional;

/**
 * An IPv4 or IPv6 address parsed from its text form, without any name resolution.
 *
 * <p>Every address is held as 128 bits in two longs. An IPv4 address {@code a.b.c.d} is stored as
 * its IPv4-mapped IPv6 form {@code ::ffff:a.b.c.d}, so {@code 10.0.0.1}, {@code ::ffff:10.0.0.1}
 * and {@code ::ffff:a00:1} are equal and compare as IPv4 against networks.
 *
 * @param high the first 64 bits of the 128-bit address
 * @param low the last 64 bits of the 128-bit address
 */
public record IpAddress(long high, long low) implements Serializable, Comparable<IpAddress> {

    /** The {@code ffff} group of an IPv4-mapped address, placed in the low 64 bits. */
    static final long IPV4_MAPPED_MARKER = 0x0000_ffff_0000_0000L;

    private static final int IPV6_GROUPS = 8;

    /**
     * Parses an IPv4 dotted quad or an IPv6 address.
     *
     * <p>IPv4 must be exactly four decimal parts of 0-255 without leading zeros, so {@code
     * 999.1.1.1}, {@code 1.2.3}, {@code 010.0.0.1} and {@code +1.2.3.4} are invalid. IPv6 follows
     * RFC 4291: up to eight groups of 1-4 hex digits, one {@code ::}, and an optional dotted-quad
     * tail ({@code 64:ff9b::1.2.3.4}). An IPv6 address may carry a {@code %zone} suffix, which is
     * dropped, and may be enclosed in {@code []}. No whitespace is allowed anywhere.
     *
     * @return the address, or empty when {@code text} is null or not a valid IP literal
     */
    public static Optional<IpAddress> parse(String text) {
        if (text == null || text.isEmpty()) {
            return Optional.empty();
        }

        int start = 0;
        int end = text.length();
        boolean bracketed = false;
        if (text.charAt(0) == '[') {
            if (end < 2 || text.charAt(end - 1) != ']') {
                return Optional.empty();
            }
            start = 1;
            end--;
            bracketed = true;
        }

        int zoneStart = text.indexOf('%', start);
        boolean zoned = zoneStart >= 0 && zoneStart < end;
        if (zoned) {
            if (!isValidZone(text, zoneStart + 1, end)) {
                return Optional.empty();
            }
            end = zoneStart;
        }

        int firstColon = text.indexOf(':', start);
        if (firstColon >= 0 && firstColon < end) {
            return parseIpv6(text, start, end);
        }
        if (bracketed || zoned) {
            // Brackets and zone ids belong to IPv6 literals only.
            return Optional.empty();
        }
        long ipv4 = parseIpv4(text, start, end);
        return ipv4 < 0 ? Optional.empty() : Optional.of(ofIpv4((int) ipv4));
    }

    /** Returns the IPv4 address whose 32 bits are {@code bits} (network byte order). */
    public static IpAddress ofIpv4(int bits) {
        return new IpAddress(0L, IPV4_MAPPED_MARKER | (bits & 0xffff_ffffL));
    }

    /** Returns whether this is an IPv4 address, including one written in IPv4-mapped IPv6 form. */
    public boolean isIpv4() {
        return high == 0L && (low & 0xffff_ffff_0000_0000L) == IPV4_MAPPED_MARKER;
    }

    /**
     * Returns the canonical text form: a dotted quad for IPv4 (also for IPv4-mapped input), else
     * the RFC 5952 form (lower-case hex, leading zeros dropped, the longest run of two or more zero
     * groups written as {@code ::}). The result never carries a zone.
     */
    public String canonical() {
        if (isIpv4()) {
            return formatIpv4((int) low);
        }
        int[] groups = new int[IPV6_GROUPS];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            groups[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < IPV6_GROUPS; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int runEnd = i;
            while (runEnd < IPV6_GROUPS && groups[runEnd] == 0) {
                runEnd++;
            }
            if (runEnd - i > bestLength) {
                bestStart = i;
                bestLength = runEnd - i;
            }
            i = runEnd;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < IPV6_GROUPS; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return canonical();
    }

    @Override
    public int compareTo(IpAddress other) {
        int byHigh = Long.compareUnsigned(high, other.high);
        return byHigh != 0 ? byHigh : Long.compareUnsigned(low, other.low);
    }

    /**
     * Parses a strict dotted quad in {@code text[start, end)}.
     *
     * @return the 32 address bits as a non-negative long, or -1 when invalid
     */
    static long parseIpv4(String text, int start, int end) {
        long bits = 0;
        int parts = 0;
        int i = start;
        while (parts < 4) {
            int partStart = i;
            int value = 0;
            while (i < end && i - partStart < 3 && isDigit(text.charAt(i))) {
                value = value * 10 + (text.charAt(i) - '0');
                i++;
            }
            int digits = i - partStart;
            if (digits == 0 || value > 255 || (digits > 1 && text.charAt(partStart) == '0')) {
                return -1;
            }
            bits = (bits << 8) | value;
            parts++;
            if (parts < 4) {
                if (i >= end || text.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == end ? bits : -1;
    }

    /** Parses the IPv6 text in {@code text[start, end)}, without brackets or zone. */
    private static Optional<IpAddress> parseIpv6(String text, int start, int end) {
        int[] groups = new int[IPV6_GROUPS];
        int count = 0;
        int compressAt = -1;
        int i = start;
        if (end - start >= 2 && text.charAt(i) == ':' && text.charAt(i + 1) == ':') {
            compressAt = 0;
            i += 2;
        } else if (i < end && text.charAt(i) == ':') {
            return Optional.empty();
        }

        while (i < end) {
            int tokenEnd = i;
            boolean dotted = false;
            while (tokenEnd < end && text.charAt(tokenEnd) != ':') {
                dotted |= text.charAt(tokenEnd) == '.';
                tokenEnd++;
            }
            if (dotted) {
                // A dotted quad may only stand in for the last two groups.
                long ipv4 = tokenEnd == end ? parseIpv4(text, i, end) : -1;
                if (ipv4 < 0 || count > IPV6_GROUPS - 2) {
                    return Optional.empty();
                }
                groups[count++] = (int) (ipv4 >>> 16);
                groups[count++] = (int) (ipv4 & 0xffff);
                i = end;
                break;
            }
            int group = parseHexGroup(text, i, tokenEnd);
            if (group < 0 || count == IPV6_GROUPS) {
                return Optional.empty();
            }
            groups[count++] = group;
            if (tokenEnd == end) {
                i = end;
                break;
            }
            if (tokenEnd + 1 < end && text.charAt(tokenEnd + 1) == ':') {
                if (compressAt >= 0) {
                    return Optional.empty();
                }
                compressAt = count;
                i = tokenEnd + 2;
            } else if (tokenEnd + 1 == end) {
                return Optional.empty();
            } else {
                i = tokenEnd + 1;
            }
        }

        if (compressAt < 0 ? count != IPV6_GROUPS : count > IPV6_GROUPS - 1) {
            return Optional.empty();
        }
        int[] expanded = groups;
        if (compressAt >= 0) {
            // Move the groups after "::" to the end; the zeros between them are the compressed run.
            expanded = new int[IPV6_GROUPS];
            int tail = count - compressAt;
            System.arraycopy(groups, 0, expanded, 0, compressAt);
            System.arraycopy(groups, compressAt, expanded, IPV6_GROUPS - tail, tail);
        }

        long high = 0;
        long low = 0;
        for (int g = 0; g < 4; g++) {
            high = (high << 16) | expanded[g];
            low = (low << 16) | expanded[g + 4];
        }
        return Optional.of(new IpAddress(high, low));
    }

    /** Returns the value of 1-4 hex digits in {@code text[start, end)}, or -1 when invalid. */
    private static int parseHexGroup(String text, int start, int end) {
        int length = end - start;
        if (length < 1 || length > 4) {
            return -1;
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            int digit = Character.digit(text.charAt(i), 16);
            if (digit < 0 || text.charAt(i) > 'f') {
                // Character.digit also accepts non-ASCII digits, which no address contains.
                return -1;
            }
            value = (value << 4) | digit;
        }
        return value;
    }

    /** Checks that a zone id is non-empty and has no whitespace, brackets or second '%'. */
    private static boolean isValidZone(String text, int start, int end) {
        if (start >= end) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c == '%' || c == '[' || c == ']' || c > '~') {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static String formatIpv4(int bits) {
        return ((bits >>> 24) & 0xff)
                + "."
                + ((bits >>> 16) & 0xff)
                + "."
                + ((bits >>> 8) & 0xff)
                + "."
                + (bits & 0xff);
    }
}
