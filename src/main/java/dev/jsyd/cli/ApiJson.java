package dev.jsyd.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.jsyd.abi.Errno;
import dev.jsyd.abi.Syscalls;
import dev.jsyd.kernel.SyscallTable;
import dev.jsyd.kernel.SyscallTableDoc;
import dev.jsyd.policy.Action;
import dev.jsyd.policy.Address;
import dev.jsyd.policy.Api;
import dev.jsyd.policy.Category;
import dev.jsyd.policy.LockState;
import dev.jsyd.policy.Policy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** {@code syd --api}: the machine-readable list of every command, as JSON. */
public final class ApiJson {
    private ApiJson() {}

    /**
     * The syscall table ({@code kernel/SyscallTable}): for each x86_64 syscall its number, name,
     * treatment (handled / kernel / refused), how or why, and the argument rules checked first.
     */
    private static void syscalls(JsonGenerator g) throws IOException {
        g.writeStringField("syscall_table_kernel", Syscalls.KERNEL);
        g.writeStringField("syscall_default", "ENOSYS");
        g.writeArrayFieldStart("syscalls");
        for (SyscallTable.Row r : SyscallTable.rows()) {
            g.writeStartObject();
            g.writeNumberField("nr", r.nr());
            g.writeStringField("name", r.name());
            g.writeStringField("treatment", SyscallTableDoc.kind(r.treatment()));
            switch (r.treatment()) {
                case SyscallTable.Handled h -> {
                    g.writeStringField("handler", SyscallTable.handlerName(h.handler()));
                    g.writeArrayFieldStart("categories");
                    for (String c : SyscallTableDoc.categories(h)) g.writeString(c);
                    g.writeEndArray();
                }
                case SyscallTable.Kernel k -> g.writeStringField("why", k.why());
                case SyscallTable.Refused f -> {
                    g.writeStringField("errno", f.errno() == 0 ? "0" : Errno.name(f.errno()));
                    g.writeStringField("why", f.why());
                    g.writeArrayFieldStart("relaxed_by");
                    for (String sw : f.relaxedBy()) g.writeString(sw);
                    g.writeEndArray();
                }
            }
            if (r.rules() != null) g.writeStringField("rules", r.rules().what());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** Writes the API description (one JSON document, pretty-printed, ending in a newline). */
    public static void write(OutputStream out) {
        try (JsonGenerator g = new JsonFactory().createGenerator(out, JsonEncoding.UTF8)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeStringField("name", "syd");
            g.writeNumberField("api", Api.VERSION);
            g.writeArrayFieldStart("actions");
            for (Action a : Action.values()) g.writeString(a.sydName());
            g.writeEndArray();
            g.writeArrayFieldStart("lock_states");
            for (LockState s : LockState.values()) g.writeString(s.sydName());
            g.writeEndArray();
            g.writeArrayFieldStart("categories");
            for (Category c : Category.values()) {
                g.writeStartObject();
                g.writeStringField("name", c.sydName());
                g.writeStringField("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("category_aliases");
            for (var e : Category.aliases().entrySet()) {
                g.writeArrayFieldStart(e.getKey());
                for (Category c : Category.values()) if (e.getValue().contains(c)) g.writeString(c.sydName());
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeObjectFieldStart("address_aliases");
            for (var e : Address.aliases().entrySet()) {
                g.writeArrayFieldStart(e.getKey());
                for (String n : e.getValue()) g.writeString(n);
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeArrayFieldStart("profiles");
            for (String p : Policy.profileNames()) g.writeString(p);
            g.writeEndArray();
            g.writeArrayFieldStart("commands");
            for (Api.Entry e : Api.commands()) {
                g.writeStartObject();
                g.writeStringField("name", e.name());
                g.writeStringField("type", e.type());
                g.writeStringField("op", e.operators());
                if (e.defaultValue() == null) g.writeNullField("default");
                else g.writeStringField("default", e.defaultValue());
                g.writeBooleanField("enforced", e.enforced());
                g.writeEndObject();
            }
            g.writeEndArray();
            syscalls(g);
            g.writeEndObject();
            g.writeRaw('\n');
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
