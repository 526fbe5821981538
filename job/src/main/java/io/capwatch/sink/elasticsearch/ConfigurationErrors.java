package io.capwatch.sink.elasticsearch;

import java.util.ArrayList;
import java.util.List;

/** Collects every invalid builder setting, so that one exception reports them all. */
final class ConfigurationErrors {

    private final List<String> errors = new ArrayList<>();

    void add(String error) {
        errors.add(error);
    }

    void addAll(ConfigurationErrors other) {
        errors.addAll(other.errors);
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Throws an {@link IllegalArgumentException} listing every error, if there is any. */
    void throwIfAny(String component) {
        if (errors.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder("Invalid ").append(component).append(':');
        for (String error : errors) {
            message.append("\n  - ").append(error);
        }
        throw new IllegalArgumentException(message.toString());
    }
}
