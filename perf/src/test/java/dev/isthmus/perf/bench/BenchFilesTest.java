package dev.isthmus.perf.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchFilesTest {

    @Test
    void eachFileHasTheSizeItsWorkloadNames(@TempDir Path dir) throws Exception {
        Path www = BenchFiles.create(dir);
        assertEquals(16 * 1024, Files.size(www.resolve("16k.bin")));
        assertEquals(1 << 20, Files.size(www.resolve("1m.bin")));
        assertEquals(64 << 20, Files.size(www.resolve("64m.bin")));
    }
}
