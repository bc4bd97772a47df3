package dev.jsyd.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Set;

/** The run report as one JSON object, for tools ({@code syd-report --format json}). */
public final class JsonReport {
    private JsonReport() {}

    public static byte[] render(RunReport r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try (JsonGenerator g = new JsonFactory().createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeArrayFieldStart("command");
            for (String a : r.argv) g.writeString(a);
            g.writeEndArray();
            field(g, "cwd", r.cwd);
            g.writeNumberField("status", r.status);
            field(g, "sid", r.sid);
            field(g, "start", r.startTime);
            field(g, "end", r.endTime);
            g.writeBooleanField("trace", r.traceMode);
            g.writeObjectFieldStart("summary");
            g.writeNumberField("checks", r.checks);
            g.writeNumberField("denied", r.denied);
            g.writeNumberField("allowed", r.allowed);
            g.writeObjectFieldStart("categories");
            for (Map.Entry<String, RunReport.Counts> e : r.byCategory.entrySet()) {
                g.writeObjectFieldStart(e.getKey());
                g.writeNumberField("checks", e.getValue().checks());
                g.writeNumberField("denied", e.getValue().denied());
                g.writeNumberField("allowed", e.getValue().allowed());
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeArrayFieldStart("denials");
            for (RunReport.Denial d : r.denials) {
                g.writeStartObject();
                field(g, "cap", d.cap());
                field(g, "act", d.act());
                field(g, "sys", d.sys());
                field(g, "target", d.target());
                g.writeNumberField("count", d.count());
                field(g, "cmd", d.cmd());
                g.writeArrayFieldStart("pids");
                for (int p : d.pids()) g.writeNumber(p);
                g.writeEndArray();
                field(g, "fix", HtmlReport.fix(d.tip()));
                field(g, "time", d.firstTime());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("files");
            for (Map.Entry<String, Set<String>> e : r.files.entrySet()) strings(g, e.getKey(), e.getValue());
            g.writeEndObject();
            g.writeObjectFieldStart("network");
            for (Map.Entry<String, Set<String>> e : r.network.entrySet()) strings(g, e.getKey(), e.getValue());
            g.writeEndObject();
            g.writeArrayFieldStart("processes");
            for (RunReport.Process p : r.processes.values()) {
                g.writeStartObject();
                g.writeNumberField("pid", p.pid);
                g.writeNumberField("ppid", p.ppid);
                field(g, "cmd", p.cmd);
                g.writeArrayFieldStart("exec");
                for (String x : p.execs) g.writeString(x);
                g.writeEndArray();
                if (p.code >= 0) g.writeNumberField("code", p.code);
                if (p.signal >= 0) g.writeNumberField("signal", p.signal);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("timeline");
            for (RunReport.Event e : r.timeline) {
                g.writeStartObject();
                field(g, "time", e.time());
                g.writeNumberField("pid", e.pid());
                field(g, "event", e.kind());
                field(g, "detail", e.detail());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException(e); // in memory
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static void field(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) g.writeNullField(name);
        else g.writeStringField(name, value);
    }

    private static void strings(JsonGenerator g, String name, Set<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) g.writeString(v);
        g.writeEndArray();
    }
}
