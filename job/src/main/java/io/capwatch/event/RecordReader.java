package io.capwatch.event;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one JSON object in a single streaming pass and keeps the values of the {@link Field}s.
 *
 * <p>Field paths are matched segment by segment against a tree built from the field paths, so
 * nested objects ({@code {"process":{"pid":1}}}), dotted keys ({@code {"process.pid":1}}) and mixes
 * ({@code {"process":{"code_signature.exists":true}}}) reach the same field. A subtree that leads
 * to no kept field is passed over with {@link JsonParser#skipChildren()}, which does not recurse,
 * so deep nesting costs no stack. When a field occurs twice, the later value wins.
 */
final class RecordReader {

    /** One step of a field path: the field ending here, if any, and the steps below it. */
    private static final class PathNode {
        final Map<String, PathNode> children = new HashMap<>();
        Field field;
    }

    private static final PathNode ROOT = buildTree();

    private RecordReader() {}

    /**
     * Reads the record that {@code parser} is positioned before.
     *
     * @throws RecordException with {@link DeadLetterReason#INVALID_JSON} when the input is empty,
     *     is not a JSON object, or has content after the object
     * @throws IOException when Jackson rejects the JSON or a stream read constraint
     */
    static RawRecord read(JsonParser parser) throws IOException {
        JsonToken first = parser.nextToken();
        if (first == null) {
            throw new RecordException(DeadLetterReason.INVALID_JSON, "the record is empty");
        }
        if (first != JsonToken.START_OBJECT) {
            throw new RecordException(
                    DeadLetterReason.INVALID_JSON,
                    "the record is not a JSON object but " + describe(first));
        }
        RawRecord record = new RawRecord();
        readObject(parser, ROOT, record);
        JsonToken trailing = parser.nextToken();
        if (trailing != null) {
            throw new RecordException(
                    DeadLetterReason.INVALID_JSON,
                    "unexpected content after the JSON object: "
                            + describe(trailing)
                            + " at column "
                            + parser.currentTokenLocation().getColumnNr());
        }
        return record;
    }

    /** Reads the members of an object whose START_OBJECT has been consumed. */
    private static void readObject(JsonParser parser, PathNode node, RawRecord record)
            throws IOException {
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            PathNode target = find(node, parser.currentName());
            JsonToken value = parser.nextToken();
            if (target == null) {
                parser.skipChildren();
                continue;
            }
            if (value == JsonToken.START_OBJECT) {
                if (!target.children.isEmpty()) {
                    readObject(parser, target, record);
                } else {
                    parser.skipChildren();
                    if (target.field != null) {
                        record.set(target.field, RawRecord.NESTED);
                    }
                }
            } else if (value == JsonToken.START_ARRAY) {
                if (target.field != null) {
                    record.set(target.field, readScalarArray(parser));
                } else {
                    parser.skipChildren();
                }
            } else if (target.field != null) {
                record.set(target.field, scalar(parser, value));
            }
        }
        if (token != JsonToken.END_OBJECT) {
            // Jackson reports truncated input itself. This guards against any other token here.
            throw new RecordException(
                    DeadLetterReason.INVALID_JSON, "expected a field name but found " + describe(token));
        }
    }

    /** Reads an array, keeping its non-null scalars and skipping nested objects and arrays. */
    private static List<Object> readScalarArray(JsonParser parser) throws IOException {
        List<Object> elements = new ArrayList<>(2);
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw new RecordException(DeadLetterReason.INVALID_JSON, "the JSON array is not closed");
            }
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                parser.skipChildren();
                continue;
            }
            Object value = scalar(parser, token);
            if (value != null) {
                elements.add(value);
            }
        }
        return elements;
    }

    private static Object scalar(JsonParser parser, JsonToken token) throws IOException {
        switch (token) {
            case VALUE_STRING:
                return parser.getText();
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return new RawRecord.JsonNumber(parser.getText());
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            default:
                return null;
        }
    }

    /** Walks a key, which may contain dots, down from {@code node}. Returns null when it leaves the tree. */
    private static PathNode find(PathNode node, String key) {
        if (key.indexOf('.') < 0) {
            return node.children.get(key);
        }
        PathNode current = node;
        int start = 0;
        while (current != null) {
            int dot = key.indexOf('.', start);
            if (dot < 0) {
                return current.children.get(key.substring(start));
            }
            current = current.children.get(key.substring(start, dot));
            start = dot + 1;
        }
        return null;
    }

    private static PathNode buildTree() {
        PathNode root = new PathNode();
        for (Field field : Field.values()) {
            PathNode node = root;
            for (String segment : field.path.split("\\.")) {
                node = node.children.computeIfAbsent(segment, unused -> new PathNode());
            }
            node.field = field;
        }
        return root;
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "the end of input";
        }
        switch (token) {
            case START_ARRAY:
                return "an array";
            case VALUE_STRING:
                return "a string";
            case VALUE_NUMBER_INT:
            case VALUE_NUMBER_FLOAT:
                return "a number";
            case VALUE_TRUE:
            case VALUE_FALSE:
                return "a boolean";
            case VALUE_NULL:
                return "null";
            case START_OBJECT:
                return "a second JSON object";
            default:
                return token.asString() == null ? token.name() : "'" + token.asString() + "'";
        }
    }
}
