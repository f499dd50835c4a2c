package dev.isthmus.bindings;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Keeps {@code include/jextract-includes.txt}, the filter {@code make bindings} hands to jextract, naming exactly the
 * structs and constants committed in the generated package, so that regenerating can neither drop a binding the facade
 * uses nor add one nobody proved. Needs no C compiler, so it runs everywhere.
 */
@Timeout(10)
final class JextractIncludesTest {
    private static final Path INCLUDES = Path.of("include", "jextract-includes.txt");
    private static final String INCLUDE_STRUCT = "--include-struct";
    private static final String INCLUDE_CONSTANT = "--include-constant";

    @Test
    void includesNameExactlyTheCommittedStructsAndConstants() throws Exception {
        Map<String, TreeSet<String>> included = parse(INCLUDES);
        TreeSet<String> structs = new TreeSet<>();
        for (Class<?> struct : GeneratedBindings.structClasses()) {
            structs.add(GeneratedBindings.cName(GeneratedBindings.layoutOf(struct)));
        }
        TreeSet<String> constants = new TreeSet<>();
        for (Method constant : GeneratedBindings.constants()) {
            constants.add(constant.getName());
        }
        assertSame(INCLUDE_STRUCT, structs, included.getOrDefault(INCLUDE_STRUCT, new TreeSet<>()));
        assertSame(INCLUDE_CONSTANT, constants, included.getOrDefault(INCLUDE_CONSTANT, new TreeSet<>()));
    }

    private static void assertSame(String option, TreeSet<String> committed, TreeSet<String> listed) {
        TreeSet<String> missing = new TreeSet<>(committed);
        missing.removeAll(listed);
        TreeSet<String> extra = new TreeSet<>(listed);
        extra.removeAll(committed);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            fail(INCLUDES + ": " + option + " lines differ from the committed bindings; committed but not listed: "
                    + missing + ", listed but not committed: " + extra);
        }
    }

    /** Reads the argfile the way jextract tokenizes it: whitespace-separated, {@code #} comments to end of line. */
    private static Map<String, TreeSet<String>> parse(Path argfile) throws IOException {
        assertTrue(Files.isRegularFile(argfile), "missing " + argfile.toAbsolutePath());
        List<String> tokens = new ArrayList<>();
        for (String line : Files.readAllLines(argfile, StandardCharsets.US_ASCII)) {
            int comment = line.indexOf('#');
            String code = comment >= 0 ? line.substring(0, comment) : line;
            for (String token : code.trim().split("\\s+")) {
                if (!token.isEmpty()) {
                    tokens.add(token);
                }
            }
        }
        Map<String, TreeSet<String>> byOption = new TreeMap<>();
        for (int i = 0; i < tokens.size(); i += 2) {
            String option = tokens.get(i);
            if (!option.startsWith("--include-") || i + 1 >= tokens.size()) {
                fail(argfile + ": expected '--include-KIND NAME' pairs, found '" + option + "'");
            }
            if (!byOption.computeIfAbsent(option, unused -> new TreeSet<>()).add(tokens.get(i + 1))) {
                fail(argfile + ": " + option + " " + tokens.get(i + 1) + " is listed twice");
            }
        }
        return byOption;
    }
}
