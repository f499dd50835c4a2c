package dev.isthmus.bindings;

import dev.isthmus.bindings.generated.isthmus_sys_h;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Proves the committed jextract-shaped sources against the C headers of this machine: a C program generated from the
 * Java side (every struct class in {@code dev.isthmus.bindings.generated}, every constant of {@link isthmus_sys_h}) is
 * compiled with {@code cc} against {@code include/isthmus_sys.h} and prints what C believes, so nothing bound can be
 * left unchecked by forgetting to list it here. Without {@code cc} the test is skipped with the reason, never passed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
final class LayoutsMatchCHeadersTest {
    private static final Path HEADER = Path.of("include", "isthmus_sys.h");
    private static final Path WORK_DIR = Path.of("target", "layout-probe");
    private static final long PROCESS_TIMEOUT_SECONDS = 60;

    /** What the probe printed: {@code "sizeof epoll_event"}, {@code "offsetof epoll_event data"}, {@code "constant EPOLLET"}. */
    private static Map<String, Long> probed;
    private static List<Class<?>> structClasses;
    private static List<Method> constants;
    /** The C compiler found on PATH, or null: then every test is skipped with the reason. */
    private static Path compiler;

    @BeforeAll
    static void compileAndRunProbe() throws Exception {
        compiler = findOnPath(compilerName());
        if (compiler == null) {
            return;
        }
        assertTrue(Files.isRegularFile(HEADER), "missing " + HEADER.toAbsolutePath() + " (tests run from the module dir)");
        structClasses = GeneratedBindings.structClasses();
        constants = GeneratedBindings.constants();
        assertFalse(structClasses.isEmpty(), "no struct classes found in " + isthmus_sys_h.class.getPackageName());
        assertFalse(constants.isEmpty(), "no constants found in " + isthmus_sys_h.class.getName());

        Files.createDirectories(WORK_DIR);
        Path source = WORK_DIR.resolve("layout_probe.c");
        Path binary = WORK_DIR.resolve("layout_probe");
        Files.writeString(source, probeSource(), StandardCharsets.US_ASCII);
        run(List.of(compiler.toString(), "-std=gnu11", "-Wall", "-Werror",
                "-I", HEADER.getParent().toString(), "-o", binary.toString(), source.toString()));
        probed = parse(run(List.of(binary.toAbsolutePath().toString())));
    }

    /**
     * Per test, not in {@code @BeforeAll}: Surefire counts an assumption failed there as zero tests run, which would look
     * like a pass; failed here, every test is reported skipped with the reason.
     */
    @BeforeEach
    void requireCompiler() {
        Assumptions.assumeTrue(compiler != null,
                "cc not found: no '" + compilerName() + "' on PATH (" + System.getenv("PATH")
                        + "); the Java struct layouts and constants are NOT proved against the C headers on this machine");
    }

    @Test
    void everyStructHasTheSizeOfItsCStruct() {
        List<String> mismatches = new ArrayList<>();
        for (Class<?> struct : structClasses) {
            GroupLayout layout = GeneratedBindings.layoutOf(struct);
            compare(mismatches, "sizeof(struct " + layout.name().orElseThrow() + ")",
                    "sizeof " + GeneratedBindings.cName(layout), layout.byteSize());
        }
        assertNoMismatches(mismatches);
    }

    @Test
    void everyFieldHasTheOffsetAndSizeOfItsCMember() throws ReflectiveOperationException {
        List<String> mismatches = new ArrayList<>();
        for (Class<?> struct : structClasses) {
            GroupLayout layout = GeneratedBindings.layoutOf(struct);
            for (String field : GeneratedBindings.fieldNames(layout)) {
                String where = GeneratedBindings.cName(layout) + "." + field;
                long layoutOffset = layout.byteOffset(groupElement(field));
                long accessorOffset = (long) struct.getMethod(field + "$offset").invoke(null);
                assertEquals(layoutOffset, accessorOffset, where + ": " + field + "$offset() disagrees with layout()");
                compare(mismatches, "offsetof(" + where + ")", "offsetof " + GeneratedBindings.cName(layout) + " " + field, layoutOffset);
                compare(mismatches, "sizeof(" + where + ")", "fieldsize " + GeneratedBindings.cName(layout) + " " + field,
                        layout.select(groupElement(field)).byteSize());
            }
        }
        assertNoMismatches(mismatches);
    }

    @Test
    void everyConstantHasItsCValue() throws ReflectiveOperationException {
        List<String> mismatches = new ArrayList<>();
        for (Method constant : constants) {
            long javaValue = ((Number) constant.invoke(null)).longValue();
            Long printed = probed.get("constant " + constant.getName());
            if (printed == null) {
                mismatches.add(constant.getName() + ": the probe printed nothing for it");
                continue;
            }
            long cValue = printed;
            if (constant.getReturnType() == int.class) {
                // jextract narrows to the Java type: EPOLLET is 1u << 31 in C and Integer.MIN_VALUE in Java, the same bits.
                assertTrue(cValue >= Integer.MIN_VALUE && cValue <= 0xffff_ffffL,
                        constant.getName() + " = " + cValue + " in C does not fit the int Java binds it as");
                cValue = (int) cValue;
            }
            compare(mismatches, constant.getName(), javaValue, cValue);
        }
        assertNoMismatches(mismatches);
    }

    @Test
    void epollEventIsPackedOnX8664() {
        // The one layout that differs between architectures: glibc packs it on x86-64 only (sys/epoll.h, __EPOLL_PACKED).
        Assumptions.assumeTrue("amd64".equals(System.getProperty("os.arch")), "epoll_event is only packed on x86-64");
        assertEquals(12L, probed.get("sizeof epoll_event"));
        assertEquals(4L, probed.get("offsetof epoll_event data"));
    }

    private static void compare(List<String> mismatches, String what, String key, long javaValue) {
        Long cValue = probed.get(key);
        if (cValue == null) {
            mismatches.add(what + ": the probe printed nothing for '" + key + "'");
            return;
        }
        compare(mismatches, what, javaValue, cValue);
    }

    private static void compare(List<String> mismatches, String what, long javaValue, long cValue) {
        if (javaValue != cValue) {
            mismatches.add(what + ": Java " + javaValue + ", C " + cValue);
        }
    }

    private static void assertNoMismatches(List<String> mismatches) {
        if (!mismatches.isEmpty()) {
            fail("generated bindings disagree with the C headers of this machine:\n  " + String.join("\n  ", mismatches));
        }
    }

    private static String probeSource() {
        StringBuilder c = new StringBuilder();
        c.append("/* Generated by LayoutsMatchCHeadersTest from the Java bindings; prints what C knows about them. */\n")
                .append("#include \"isthmus_sys.h\"\n")
                .append("#include <stddef.h>\n")
                .append("#include <stdio.h>\n\n")
                .append("#define MEMBER_SIZE(type, member) sizeof(((type *) 0)->member)\n\n")
                .append("int main(void) {\n");
        for (Class<?> struct : structClasses) {
            GroupLayout layout = GeneratedBindings.layoutOf(struct);
            String name = GeneratedBindings.cName(layout);
            String type = "struct " + name;
            c.append("    printf(\"sizeof ").append(name).append(" %zu\\n\", sizeof(").append(type).append("));\n");
            for (String field : GeneratedBindings.fieldNames(layout)) {
                c.append("    printf(\"offsetof ").append(name).append(' ').append(field).append(" %zu\\n\", offsetof(")
                        .append(type).append(", ").append(field).append("));\n");
                c.append("    printf(\"fieldsize ").append(name).append(' ').append(field)
                        .append(" %zu\\n\", MEMBER_SIZE(").append(type).append(", ").append(field).append("));\n");
            }
        }
        for (Method constant : constants) {
            c.append("    printf(\"constant ").append(constant.getName()).append(" %lld\\n\", (long long) (")
                    .append(constant.getName()).append("));\n");
        }
        return c.append("    return 0;\n}\n").toString();
    }

    private static Map<String, Long> parse(String output) {
        Map<String, Long> values = new HashMap<>();
        for (String line : output.split("\n")) {
            int lastSpace = line.lastIndexOf(' ');
            if (lastSpace > 0) {
                values.put(line.substring(0, lastSpace), Long.parseLong(line.substring(lastSpace + 1).trim()));
            }
        }
        return values;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        // The probe's output is a few KiB, far below a pipe's capacity, so reading after exit cannot deadlock.
        if (!process.waitFor(PROCESS_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not finish within " + PROCESS_TIMEOUT_SECONDS + " s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + output);
        return output;
    }

    private static String compilerName() {
        String fromEnvironment = System.getenv("CC");
        return fromEnvironment == null || fromEnvironment.isBlank() ? "cc" : fromEnvironment.trim();
    }

    private static Path findOnPath(String program) {
        if (program.contains(File.separator)) {
            Path direct = Path.of(program);
            return Files.isExecutable(direct) ? direct : null;
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
