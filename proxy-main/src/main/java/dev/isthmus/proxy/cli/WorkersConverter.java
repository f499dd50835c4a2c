package dev.isthmus.proxy.cli;

import dev.isthmus.proxy.config.Workers;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --workers auto|N}. */
final class WorkersConverter implements ITypeConverter<Workers> {

    @Override
    public Workers convert(String value) {
        if (value.equals("auto")) {
            return Workers.AUTO;
        }
        try {
            return Workers.of(Integer.parseInt(value));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("expected auto or a number from 1 to " + Workers.MAX_COUNT
                    + ", got '" + value + "'");
        }
    }
}
