package io.capwatch.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the folder of public test data and detection cases that sits beside the repository
 * ({@code ../shared} from its root). Tests that need it call {@link #require} and are skipped,
 * with a message, where it is absent.
 */
public final class SharedFolder {
    private SharedFolder() {}

    /** Returns {@code shared/<child>}, skipping the calling test when it does not exist. */
    public static Path require(String child) {
        Path found = find(child);
        assumeTrue(
                found != null,
                "skipped: no shared/" + child + " folder beside the repository (../shared/" + child
                        + " from the repository root)");
        return found;
    }

    static Path find(String child) {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 5 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("shared").resolve(child);
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            Path sibling = dir.resolveSibling("shared").resolve(child);
            if (Files.isDirectory(sibling)) {
                return sibling;
            }
        }
        return null;
    }
}
