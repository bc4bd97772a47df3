package dev.jsyd.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a syd log: one JSON object per line. Lines that are not a JSON object (a program's own
 * output mixed into stderr, a truncated last line) are counted and skipped, never fatal.
 */
public final class LogReader {
    private static final JsonFactory JSON = new JsonFactory();

    /** The records read and how many lines were skipped. */
    public record Result(List<LogRecord> records, int skipped) {}

    private LogReader() {}

    public static Result read(InputStream in) throws IOException {
        List<LogRecord> out = new ArrayList<>();
        int skipped = 0;
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            String t = line.strip();
            if (t.isEmpty()) continue;
            LogRecord rec = t.startsWith("{") ? parse(t) : null;
            if (rec == null) skipped++;
            else out.add(rec);
        }
        return new Result(out, skipped);
    }

    public static Result read(byte[] data) {
        try {
            return read(new ByteArrayInputStream(data));
        } catch (IOException e) {
            throw new IllegalStateException(e); // not from memory
        }
    }

    /** One line as a record, or null when it is not one flat JSON object. */
    public static LogRecord parse(String line) {
        Map<String, Object> m = new LinkedHashMap<>();
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (t) {
                    case START_ARRAY -> {
                        List<String> a = new ArrayList<>();
                        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                            if (e == null || e.isStructStart()) return null;
                            a.add(p.getText());
                        }
                        m.put(name, a);
                    }
                    case VALUE_NUMBER_INT -> m.put(name, p.getLongValue());
                    case START_OBJECT -> p.skipChildren();
                    case VALUE_NULL -> { }
                    default -> m.put(name, p.getText());
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return new LogRecord(m);
    }
}
