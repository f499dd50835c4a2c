package dev.isthmus.proxy.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Typed reads of YAML nodes, confined to the thread loading the config, that record a located
 * {@link ConfigError} instead of throwing, so that one load reports every problem. Each read returns
 * {@code null} after recording an error; callers skip what depends on it.
 */
final class NodeReader {

    /** The field named in errors about the document itself, which has no dotted path. */
    static final String TOP_LEVEL = "(top level)";

    private final String source;
    private final List<ConfigError> errors = new ArrayList<>();

    NodeReader(String source) {
        this.source = source;
    }

    String source() {
        return source;
    }

    void error(Node node, String field, String reason) {
        errors.add(new ConfigError(source, line(node), field.isEmpty() ? TOP_LEVEL : field, reason));
    }

    /** The errors recorded so far, in file order (stable for errors on the same line). */
    List<ConfigError> errors() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(ConfigError::line));
        return sorted;
    }

    static int line(Node node) {
        return node.getStartMark().map(mark -> mark.getLine() + 1).orElse(0);
    }

    /**
     * The keys of a mapping node, checked against {@code allowed}: unknown, duplicate and non-scalar keys are
     * recorded as errors and left out. Returns {@code null} when the node is not a mapping.
     */
    Fields fields(Node node, String field, List<String> allowed) {
        if (!(node instanceof MappingNode mapping)) {
            error(node, field, "expected a mapping, got " + describe(node));
            return null;
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode key)) {
                error(keyNode, field, "keys must be plain names, got " + describe(keyNode));
                continue;
            }
            String name = key.getValue();
            String keyField = join(field, name);
            if (!allowed.contains(name)) {
                error(keyNode, keyField, "unknown key (expected one of: " + String.join(", ", allowed) + ")");
            } else if (entries.containsKey(name)) {
                error(keyNode, keyField, "duplicate key (first at line " + line(entries.get(name).getKeyNode()) + ")");
            } else {
                entries.put(name, tuple);
            }
        }
        return new Fields(mapping, field, entries);
    }

    /** The items of a sequence node, or {@code null} (error recorded) when it is not one. */
    List<Node> items(Node node, String field) {
        if (node instanceof SequenceNode sequence) {
            return sequence.getValue();
        }
        error(node, field, "expected a list, got " + describe(node));
        return null;
    }

    /** A string scalar; numbers and booleans are refused, with a hint to quote them. */
    String string(Node node, String field) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.STR)) {
            return scalar.getValue();
        }
        String hint = node instanceof ScalarNode scalar && !scalar.getTag().equals(Tag.NULL)
                ? " (quote it to make it a string)" : "";
        error(node, field, "expected a string, got " + describe(node) + hint);
        return null;
    }

    /** A non-empty string scalar. */
    String nonEmptyString(Node node, String field) {
        String value = string(node, field);
        if (value != null && value.isEmpty()) {
            error(node, field, "must not be empty");
            return null;
        }
        return value;
    }

    /** An integer scalar within {@code [min, max]}. */
    Integer integer(Node node, String field, int min, int max) {
        if (!(node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT))) {
            error(node, field, "expected a whole number, got " + describe(node));
            return null;
        }
        long value;
        try {
            value = Long.parseLong(scalar.getValue());
        } catch (NumberFormatException e) {
            value = Long.MAX_VALUE;
        }
        if (value < min || value > max) {
            error(node, field, "must be from " + min + " to " + max + ", got " + scalar.getValue());
            return null;
        }
        return (int) value;
    }

    /** A boolean scalar ({@code true} or {@code false}). */
    Boolean bool(Node node, String field) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.BOOL)) {
            return Boolean.parseBoolean(scalar.getValue());
        }
        error(node, field, "expected true or false, got " + describe(node));
        return null;
    }

    /** A duration string, as {@code 5s}. */
    Duration duration(Node node, String field) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)) {
            error(node, field, "a duration needs a unit: " + Durations.FORMAT);
            return null;
        }
        return parsed(node, field, Durations::parse);
    }

    /** A duration where zero means "off": {@code 0s} is accepted. */
    Duration durationOrZero(Node node, String field) {
        if (node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)) {
            error(node, field, "a duration needs a unit: " + Durations.FORMAT);
            return null;
        }
        return parsed(node, field, Durations::parseAllowingZero);
    }

    /** A byte size within {@code [min, max]}: a plain number or a string with a unit, as {@code 64KiB}. */
    Integer size(Node node, String field, int min, int max) {
        Long bytes = longSize(node, field, min, max);
        return bytes == null ? null : Integer.valueOf(bytes.intValue());
    }

    /** {@link #size} for fields whose sizes may pass 2 GiB, as a request body limit. */
    Long longSize(Node node, String field, long min, long max) {
        Long bytes = node instanceof ScalarNode scalar && scalar.getTag().equals(Tag.INT)
                ? wholeNumberOfBytes(scalar, field)
                : parsed(node, field, Sizes::parse);
        if (bytes != null && (bytes < min || bytes > max)) {
            error(node, field, "must be from " + min + " to " + max + " bytes, got " + bytes);
            return null;
        }
        return bytes;
    }

    /** The schema's integers are decimal digits with an optional minus, so only overflow fails to parse. */
    private Long wholeNumberOfBytes(ScalarNode scalar, String field) {
        try {
            return Long.parseLong(scalar.getValue());
        } catch (NumberFormatException e) {
            error(scalar, field, "bad size " + scalar.getValue() + ": more bytes than a 64-bit count holds");
            return null;
        }
    }

    /** A string turned into a value by {@code parser}, whose IllegalArgumentException message is the reason. */
    <T> T parsed(Node node, String field, Function<String, T> parser) {
        String text = string(node, field);
        if (text == null) {
            return null;
        }
        try {
            return parser.apply(text);
        } catch (IllegalArgumentException e) {
            error(node, field, e.getMessage());
            return null;
        }
    }

    static String join(String field, String key) {
        return field.isEmpty() ? key : field + "." + key;
    }

    static String index(String field, int i) {
        return field + "[" + i + "]";
    }

    private static String describe(Node node) {
        if (node instanceof MappingNode) {
            return "a mapping";
        }
        if (node instanceof SequenceNode) {
            return "a list";
        }
        Tag tag = node.getTag();
        String value = ((ScalarNode) node).getValue();
        if (tag.equals(Tag.NULL)) {
            return "nothing";
        }
        if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
            return "the number " + value;
        }
        if (tag.equals(Tag.BOOL)) {
            return "the boolean " + value;
        }
        return "the string '" + value + "'";
    }

    /** The checked entries of one mapping node, with its location for "missing field" errors. */
    final class Fields {

        private final MappingNode node;
        private final String field;
        private final Map<String, NodeTuple> entries;

        private Fields(MappingNode node, String field, Map<String, NodeTuple> entries) {
            this.node = node;
            this.field = field;
            this.entries = entries;
        }

        MappingNode node() {
            return node;
        }

        /** The dotted path of this mapping. */
        String field() {
            return field;
        }

        /** The dotted path of {@code key} in this mapping. */
        String field(String key) {
            return join(field, key);
        }

        boolean has(String key) {
            return entries.containsKey(key);
        }

        /** The value of {@code key}, or {@code null} when absent. */
        Node get(String key) {
            NodeTuple tuple = entries.get(key);
            return tuple == null ? null : tuple.getValueNode();
        }

        /** The key node of {@code key} (present), to point errors about the key itself at its line. */
        Node keyNode(String key) {
            return entries.get(key).getKeyNode();
        }

        /** The value of a required {@code key}, or {@code null} after recording it as missing. */
        Node require(String key) {
            Node value = get(key);
            if (value == null) {
                error(node, field(key), "missing required field");
            }
            return value;
        }

        /** Records an error about the key itself (for example, a key that does not fit with another one). */
        void keyError(String key, String reason) {
            error(keyNode(key), field(key), reason);
        }
    }
}
