package dev.isthmus.bindings;

/** Fails fast, with the fix in the message, when the JVM was started without native access for our code. */
public final class NativeAccess {
    private NativeAccess() {
    }

    public static void requireEnabled() {
        if (!NativeAccess.class.getModule().isNativeAccessEnabled()) {
            throw new IllegalStateException(
                    "native access is disabled: start the JVM with --enable-native-access=ALL-UNNAMED (bin/isthmus does)");
        }
    }
}
