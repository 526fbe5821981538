package io.capwatch.event;

/**
 * Strict UTF-8 validation of raw records, following the well-formed byte sequences of RFC 3629
 * (section 4). Jackson 2.22 decodes some ill-formed input instead of rejecting it: it reads the
 * overlong {@code C0 AF} as {@code /}, does not check the strings of fields it skips, and detects
 * and reads UTF-16 and UTF-32 records. The parser runs this check first, so a record in any
 * encoding other than UTF-8 is dead-lettered whichever fields its bad bytes fall in.
 */
final class Utf8 {
    private Utf8() {}

    /**
     * Returns the index of the first byte that is not part of a well-formed UTF-8 sequence, or -1
     * when all of {@code bytes} is well-formed. A NUL byte counts as invalid, because JSON text
     * cannot contain one outside an escape and it marks UTF-16 or UTF-32 input.
     */
    static int firstInvalidByte(byte[] bytes) {
        int i = 0;
        int length = bytes.length;
        while (i < length) {
            int b = bytes[i];
            if (b > 0) {
                i++;
                continue;
            }
            if (b == 0) {
                return i;
            }
            int lead = b & 0xff;
            int sequenceLength;
            int secondMin = 0x80;
            int secondMax = 0xbf;
            if (lead >= 0xc2 && lead <= 0xdf) {
                sequenceLength = 2;
            } else if (lead >= 0xe0 && lead <= 0xef) {
                sequenceLength = 3;
                if (lead == 0xe0) {
                    secondMin = 0xa0; // below is an overlong form
                } else if (lead == 0xed) {
                    secondMax = 0x9f; // above are the surrogates U+D800-U+DFFF
                }
            } else if (lead >= 0xf0 && lead <= 0xf4) {
                sequenceLength = 4;
                if (lead == 0xf0) {
                    secondMin = 0x90; // below is an overlong form
                } else if (lead == 0xf4) {
                    secondMax = 0x8f; // above is past U+10FFFF
                }
            } else {
                // A continuation byte without a lead, C0 and C1 (overlong), or F5-FF.
                return i;
            }
            if (i + sequenceLength > length) {
                return i;
            }
            int second = bytes[i + 1] & 0xff;
            if (second < secondMin || second > secondMax) {
                return i;
            }
            for (int k = 2; k < sequenceLength; k++) {
                int next = bytes[i + k] & 0xff;
                if (next < 0x80 || next > 0xbf) {
                    return i;
                }
            }
            i += sequenceLength;
        }
        return -1;
    }
}
