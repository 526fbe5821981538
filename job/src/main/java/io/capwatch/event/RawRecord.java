package io.capwatch.event;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The values of the {@link Field}s that one record carries, as {@link RecordReader} found them,
 * with typed accessors that apply the parser's conversion rules.
 *
 * <p>A slot contains null (absent or JSON null), a {@link String}, a {@link JsonNumber}, a {@link
 * Boolean}, a {@code List} of those scalars for a JSON array, or {@link #NESTED} for an object at a
 * path where a value belongs. The typed accessors throw {@link RecordException} with {@link
 * DeadLetterReason#INVALID_FIELD} when a value cannot be converted; the {@code peek} accessors
 * return null instead, for deciding what a record is before any field is required.
 */
final class RawRecord {

    /** The text of a JSON number, kept apart from strings because timestamps differ by type. */
    record JsonNumber(String text) {}

    /** Marks an object found where a scalar or an array of scalars belongs. */
    static final Object NESTED = new Object();

    private final Object[] values = new Object[Field.COUNT];

    void set(Field field, Object value) {
        values[field.ordinal()] = value;
    }

    /** Returns the raw slot content (see the class comment). */
    Object raw(Field field) {
        return values[field.ordinal()];
    }

    boolean has(Field field) {
        return scalar(field) != null;
    }

    /**
     * Returns the value as text: a string as is, a number or boolean as its JSON text, the first
     * element of an array.
     *
     * @throws RecordException when the value is an object
     */
    String text(Field field) {
        Object value = scalar(field);
        if (value == NESTED) {
            throw RecordException.invalid(field.path, "is an object, expected a string", "{...}");
        }
        return textOf(value);
    }

    /** Returns the value as text like {@link #text}, or null when it is an object. */
    String peekText(Field field) {
        Object value = scalar(field);
        return value == NESTED ? null : textOf(value);
    }

    /**
     * Returns every scalar of the value as text: the elements of an array, or a single scalar as
     * a one-element list. Objects are left out.
     */
    List<String> peekTexts(Field field) {
        Object value = values[field.ordinal()];
        if (value == null || value == NESTED) {
            return List.of();
        }
        if (value instanceof List<?> list) {
            List<String> texts = new ArrayList<>(list.size());
            for (Object element : list) {
                texts.add(textOf(element));
            }
            return texts;
        }
        return Collections.singletonList(textOf(value));
    }

    /**
     * Returns the value as a boolean: JSON {@code true}/{@code false} or the strings {@code
     * "true"}/{@code "false"} in any case.
     *
     * @return the boolean, or null when absent
     * @throws RecordException when the value is anything else
     */
    Boolean bool(Field field) {
        Object value = scalar(field);
        if (value == null || value instanceof Boolean) {
            return (Boolean) value;
        }
        if (value instanceof String text) {
            if (text.equalsIgnoreCase("true")) {
                return Boolean.TRUE;
            }
            if (text.equalsIgnoreCase("false")) {
                return Boolean.FALSE;
            }
        }
        throw RecordException.invalid(field.path, "is not a boolean", describe(value));
    }

    /**
     * Returns the value as a decimal integer, given as a JSON integer or a numeric string such as
     * {@code "1864"}.
     *
     * @return the integer, or null when absent
     * @throws RecordException when the value is not a decimal integer that fits in a long
     */
    Long integer(Field field) {
        Object value = scalar(field);
        if (value == null) {
            return null;
        }
        if (value instanceof String || value instanceof JsonNumber) {
            String text = textOf(value);
            Long parsed = parseDecimal(text);
            if (parsed != null) {
                return parsed;
            }
        }
        throw RecordException.invalid(field.path, "is not a valid integer", describe(value));
    }

    /** Returns the value, or the first non-null element of an array, or null for an empty array. */
    private Object scalar(Field field) {
        Object value = values[field.ordinal()];
        if (value instanceof List<?> list) {
            return list.isEmpty() ? null : list.get(0);
        }
        return value;
    }

    /** Returns a value for a detail message. */
    static String describe(Object value) {
        return value == NESTED ? "{...}" : textOf(value);
    }

    private static String textOf(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof JsonNumber number) {
            return number.text();
        }
        return value.toString();
    }

    /** Parses an optional minus sign and 1-19 decimal digits, returning null on any other text. */
    static Long parseDecimal(String text) {
        int length = text.length();
        int start = length > 0 && text.charAt(0) == '-' ? 1 : 0;
        if (length == start || length - start > 19) {
            return null;
        }
        for (int i = start; i < length; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException overflow) {
            return null;
        }
    }
}
