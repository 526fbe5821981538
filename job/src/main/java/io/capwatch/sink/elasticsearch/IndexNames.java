package io.capwatch.sink.elasticsearch;

import javax.annotation.Nullable;

import java.nio.charset.StandardCharsets;

/** Checks index names against the rules Elasticsearch 8.x enforces when it creates an index. */
final class IndexNames {

    private static final String FORBIDDEN_CHARACTERS = "\\/*?\"<>| ,#:";
    private static final int MAX_BYTES = 255;

    private IndexNames() {}

    /** Returns what is wrong with {@code name}, or {@code null} when it is a valid index name. */
    @Nullable
    static String problem(@Nullable String name) {
        if (name == null || name.isEmpty()) {
            return "the index name is empty";
        }
        if (!name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
            return "index names must be lowercase";
        }
        if (name.equals(".") || name.equals("..")) {
            return "index names cannot be '.' or '..'";
        }
        char first = name.charAt(0);
        if (first == '-' || first == '_' || first == '+') {
            return "index names cannot start with '-', '_' or '+'";
        }
        for (int i = 0; i < name.length(); i++) {
            if (FORBIDDEN_CHARACTERS.indexOf(name.charAt(i)) >= 0) {
                return "index names cannot contain any of \\ / * ? \" < > | , # : or a space";
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "index names can have at most " + MAX_BYTES + " bytes";
        }
        return null;
    }
}
