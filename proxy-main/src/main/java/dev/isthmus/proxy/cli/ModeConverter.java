package dev.isthmus.proxy.cli;

import dev.isthmus.proxy.config.Protocol;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --mode http|tcp}, spelled as in YAML. */
final class ModeConverter implements ITypeConverter<Protocol> {

    @Override
    public Protocol convert(String value) {
        for (Protocol protocol : Protocol.values()) {
            if (protocol.configName().equals(value)) {
                return protocol;
            }
        }
        throw new TypeConversionException("expected http or tcp, got '" + value + "'");
    }
}
