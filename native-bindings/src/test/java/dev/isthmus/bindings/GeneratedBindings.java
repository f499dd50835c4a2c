package dev.isthmus.bindings;

import dev.isthmus.bindings.generated.isthmus_sys_h;

import java.io.IOException;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the committed jextract-shaped sources bind, found by reflection so that the tests proving them cannot forget a
 * struct or a constant: the struct classes of {@code dev.isthmus.bindings.generated} and the constants of
 * {@link isthmus_sys_h}. Tests read it from one thread; it holds no state.
 */
final class GeneratedBindings {
    private static final String GENERATED_PACKAGE = isthmus_sys_h.class.getPackageName();

    private GeneratedBindings() {
    }

    /** Every class of the generated package with a {@code layout()} returning a struct layout. */
    static List<Class<?>> structClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        Path packageDir = Path.of(isthmus_sys_h.class.getResource(isthmus_sys_h.class.getSimpleName() + ".class").toURI())
                .getParent();
        List<Class<?>> structs = new ArrayList<>();
        try (Stream<Path> files = Files.list(packageDir)) {
            for (Path file : files.sorted().toList()) {
                String fileName = file.getFileName().toString();
                if (fileName.endsWith(".class") && !fileName.contains("$")) {
                    Class<?> candidate = Class.forName(GENERATED_PACKAGE + "." + fileName.replace(".class", ""));
                    if (hasStructLayout(candidate)) {
                        structs.add(candidate);
                    }
                }
            }
        }
        return structs;
    }

    private static boolean hasStructLayout(Class<?> candidate) {
        try {
            return GroupLayout.class.isAssignableFrom(candidate.getMethod("layout").getReturnType());
        } catch (NoSuchMethodException notAStruct) {
            return false;
        }
    }

    /** Every {@code public static int NAME()} (or {@code long}) of the header class: jextract's shape for a macro. */
    static List<Method> constants() {
        List<Method> found = new ArrayList<>();
        for (Method method : isthmus_sys_h.class.getDeclaredMethods()) {
            int modifiers = method.getModifiers();
            Class<?> type = method.getReturnType();
            if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && method.getParameterCount() == 0
                    && (type == int.class || type == long.class)) {
                found.add(method);
            }
        }
        found.sort((a, b) -> a.getName().compareTo(b.getName()));
        return found;
    }

    static GroupLayout layoutOf(Class<?> struct) {
        try {
            return (GroupLayout) struct.getMethod("layout").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(struct.getName() + ".layout() is not callable", e);
        }
    }

    static String cName(GroupLayout layout) {
        return layout.name().orElseThrow(() -> new AssertionError("unnamed struct layout " + layout));
    }

    static List<String> fieldNames(GroupLayout layout) {
        List<String> names = new ArrayList<>();
        for (MemoryLayout member : layout.memberLayouts()) {
            if (!(member instanceof PaddingLayout)) {
                names.add(member.name().orElseThrow(() -> new AssertionError("unnamed member in " + layout)));
            }
        }
        return names;
    }
}
