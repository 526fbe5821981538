package io.capwatch.testsupport;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Locates the public test data that lives next to the repository, in {@code ../shared} from the
 * repository root, and skips the calling test when it is absent.
 *
 * <p>The folder is found by walking up from the working directory until a {@code shared/data}
 * folder appears, so the tests work from the repository root and from the {@code job} module. The
 * system property {@code capwatch.shared.dir} overrides the search.
 */
public final class SharedData {

    /** System property naming the shared folder explicitly. */
    public static final String DIR_PROPERTY = "capwatch.shared.dir";

    private SharedData() {}

    /** Returns the shared folder, or empty when neither the property nor the search finds it. */
    public static Optional<Path> find() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured);
            return Files.isDirectory(dir) ? Optional.of(dir) : Optional.empty();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("data"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Returns {@code shared/<relative>}, skipping the test (JUnit assumption) with a message that
     * says where the data was looked for when it is missing.
     */
    public static Path require(String relative) {
        Optional<Path> shared = find();
        assumeTrue(
                shared.isPresent(),
                "Skipped: no shared test data found. Put it in ../shared next to the repository or"
                        + " set -D" + DIR_PROPERTY + "=DIR.");
        Path path = shared.get().resolve(relative);
        assumeTrue(Files.exists(path), "Skipped: shared test data " + path + " does not exist.");
        return path;
    }
}
