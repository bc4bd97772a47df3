package dev.jsyd.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.jsyd.cli.ApiJson;
import dev.jsyd.cli.SydCatTool;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliToolsTest {
    @TempDir Path dir;

    record Result(int status, String out, String err) {}

    static Result cat(String... args) {
        var o = new ByteArrayOutputStream();
        var e = new ByteArrayOutputStream();
        int st = SydCatTool.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(st, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listsProfilesWithSeparateOrJoinedArgument() {
        Result a = cat("-p", "list");
        Result b = cat("-plist");
        assertThat(a.status()).isZero();
        assertThat(a.out()).isEqualTo(b.out());
        assertThat(a.out().lines().toList()).isEqualTo(Policy.profileNames());
    }

    @Test
    void printsAProfileWithoutComments() {
        Result r = cat("-pnomem");
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("trace/allow_unsafe_memory:true\ntrace/allow_unsafe_exec_memory:true\n");
    }

    @Test
    void unknownProfileSuggests() {
        Result r = cat("-p", "linx");
        assertThat(r.status()).isEqualTo(22);
        assertThat(r.err()).contains("unknown profile `linx`").contains("did you mean `linux`?");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void checksAndNormalisesFiles() throws Exception {
        Path f = dir.resolve("a.syd-3");
        Files.writeString(f, "# c\nsandbox/read:1\n  allow/net/connect+127.0.0.1/32@80\n\ntimeout:90\n");
        Result r = cat(f.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("sandbox/read:on\nallow/net/connect+127.0.0.1!80\ntimeout:1m30s\n");
    }

    @Test
    void badFileGivesTheDiagnostic() throws Exception {
        Path f = dir.resolve("b.syd-3");
        Files.writeString(f, "sandbox/read:on\ndefault/read:dney\n");
        Result r = cat("--", f.toString());
        assertThat(r.status()).isEqualTo(22);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("syd-cat: " + f + ":2:14: unknown action `dney`\n    default/read:dney\n"
                + "                 ^\n  expected one of allow, warn, filter, deny, panic, stop, abort, kill, exit\n"
                + "  did you mean `deny`?\n");
        Path g = dir.resolve("c.txt");
        Files.writeString(g, "sandbox/read:on\n");
        assertThat(cat(g.toString()).err()).contains("does not end in `.syd-3`");
    }

    @Test
    void usageErrors() {
        assertThat(cat().status()).isEqualTo(1);
        assertThat(cat("-x").err()).contains("unknown option -x");
        assertThat(cat("-p").err()).contains("needs an argument");
        Result h = cat("-h");
        assertThat(h.status()).isZero();
        assertThat(h.out()).contains("Usage: syd-cat");
    }

    @Test
    void apiJsonListsEveryCommand() throws Exception {
        var bytes = new ByteArrayOutputStream();
        ApiJson.write(bytes);
        Map<String, Map<String, Object>> cmds = new HashMap<>();
        int api = -1;
        try (JsonParser p = new JsonFactory().createParser(bytes.toByteArray())) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("api")) api = p.getIntValue();
                else if (field.equals("commands")) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        Map<String, Object> m = new HashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            JsonToken t = p.nextToken();
                            m.put(k, t == JsonToken.VALUE_NULL ? null : t.isBoolean() ? p.getBooleanValue() : p.getText());
                        }
                        cmds.put((String) m.get("name"), m);
                    }
                } else p.skipChildren();
            }
        }
        assertThat(api).isEqualTo(3);
        assertThat(cmds.get("sandbox/read")).containsEntry("type", "boolean").containsEntry("default", "on")
                .containsEntry("enforced", true);
        assertThat(cmds.get("default/net/connect")).containsEntry("default", "deny").containsEntry("enforced", true);
        assertThat(cmds.get("allow/read")).containsEntry("enforced", true);
        assertThat(cmds.get("kill/net/bind")).containsEntry("type", "address list").containsEntry("enforced", true);
        assertThat(cmds.get("lock")).containsEntry("enforced", true).containsEntry("default", null);
        assertThat(cmds.get("timeout")).containsEntry("enforced", true).containsEntry("type", "duration");
        assertThat(cmds.get("unshare/user")).containsEntry("enforced", true).containsEntry("default", "false");
        assertThat(cmds.get("segvguard/expiry")).containsEntry("default", "2m");
        assertThat(cmds.get("bind")).containsEntry("enforced", true);
        assertThat(cmds.get("default/lock")).containsEntry("enforced", true).containsEntry("default", "kill");
        assertThat(cmds.get("allow/lock/connect")).containsEntry("enforced", true);
        assertThat(cmds.get("rlimit/nofile")).containsEntry("enforced", true);
        assertThat(cmds.get("allow/ioctl")).containsEntry("enforced", true);
        assertThat(cmds.get("sandbox/mem")).containsEntry("default", "off").containsEntry("enforced", true);
        // every command name listed is one the parser knows
        for (String name : cmds.keySet()) {
            assertThat(Parser.topLevelNames().contains(name) || name.startsWith("unshare/") || name.equals("trace/force_umask"))
                    .as(name).isTrue();
        }
    }

    @Test
    void apiJsonListsEverySyscallOfTheTable() throws Exception {
        var bytes = new ByteArrayOutputStream();
        ApiJson.write(bytes);
        Map<String, Map<String, String>> rows = new HashMap<>();
        String dflt = null;
        try (JsonParser p = new JsonFactory().createParser(bytes.toByteArray())) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("syscall_default")) dflt = p.getText();
                else if (field.equals("syscalls")) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        Map<String, String> m = new HashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String k = p.currentName();
                            if (p.nextToken() == JsonToken.START_ARRAY) {
                                StringBuilder b = new StringBuilder();
                                while (p.nextToken() != JsonToken.END_ARRAY) b.append(b.isEmpty() ? "" : ",").append(p.getText());
                                m.put(k, b.toString());
                            } else m.put(k, p.getText());
                        }
                        rows.put(m.get("name"), m);
                    }
                } else p.skipChildren();
            }
        }
        assertThat(dflt).isEqualTo("ENOSYS");
        assertThat(rows).hasSize(dev.jsyd.abi.Syscalls.all().length);
        assertThat(rows.get("openat")).containsEntry("nr", "257").containsEntry("treatment", "handled")
                .containsEntry("handler", "OpenHandlers::openat");
        assertThat(rows.get("ptrace")).containsEntry("treatment", "refused").containsEntry("errno", "EPERM")
                .containsEntry("relaxed_by", "trace/allow_unsafe_ptrace,trace/allow_unsafe_debug");
        assertThat(rows.get("read")).containsEntry("treatment", "kernel").containsKey("why");
        assertThat(rows.get("clone")).containsKey("rules");
    }
}
