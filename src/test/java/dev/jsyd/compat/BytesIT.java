package dev.jsyd.compat;

import static dev.jsyd.compat.Exact.concat;
import static dev.jsyd.compat.Exact.raw;
import static dev.jsyd.compat.Exact.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.jsyd.api.SandboxedProcess;
import dev.jsyd.it.Syd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bytes end to end (issue 14, F3): names are bytes from syd's own argv and environment through
 * the rules, the program's argv and environment, the calls the supervisor makes for it (open,
 * stat, rename, getdents, a UNIX socket path) to the log, under {@code LC_ALL=C}, {@code C.UTF-8}
 * and no locale at all. The JVM decodes its argv and environment with the locale's charset and
 * replaces what it cannot decode (every non-ASCII byte under C); none of that may reach a name.
 */
class BytesIT {
    @TempDir Path tmp;

    static final Map<String, byte[]> NAMES = new java.util.LinkedHashMap<>();

    static {
        NAMES.put("ascii", utf8("plain-name.txt"));
        NAMES.put("utf8", utf8("é-ü-名前.txt"));
        NAMES.put("invalid", raw("\u00ff\u00fea\u0080z"));
        NAMES.put("newline", utf8("line\nbreak"));
        NAMES.put("255", utf8("é".repeat(127) + "z"));
    }

    static Stream<Arguments> matrix() {
        List<Arguments> out = new ArrayList<>();
        for (String locale : List.of("C", "C.UTF-8", "unset")) {
            for (String name : NAMES.keySet()) out.add(Arguments.of(locale, name));
        }
        return out.stream();
    }

    /** The environment of a run: a PATH, the locale (or none), and JSYD_NAME = the name's bytes. */
    static List<byte[]> env(String locale, byte[] name) {
        List<byte[]> env = new ArrayList<>();
        env.add(utf8("PATH=/usr/bin:/bin"));
        if (!locale.equals("unset")) env.add(utf8("LC_ALL=" + locale));
        env.add(concat(utf8("JSYD_NAME="), name));
        return env;
    }

    @ParameterizedTest(name = "{1} name under LC_ALL={0}")
    @MethodSource("matrix")
    void everyByteRoundTrips(String locale, String which) throws Exception {
        byte[] name = NAMES.get(which);
        Path dir = tmp.toRealPath();
        Files.createDirectories(dir.resolve("deny"));
        Path denied = Path.of(dir + "/deny/" + new String(name, StandardCharsets.ISO_8859_1));
        // Java's Path cannot hold invalid UTF-8: create the file to deny through a shell.
        byte[] deniedPath = concat(utf8(dir + "/deny/"), name);
        Exact.Run mk = Exact.run(List.of(utf8("/bin/sh"), utf8("-c"), utf8(": > \"$JSYD_NAME\"")),
                List.of(concat(utf8("JSYD_NAME="), deniedPath)), dir, Duration.ofSeconds(30));
        assertThat(mk.status()).as(mk.toString()).isZero();
        String probe = Syd.probe("bytes-probe").toString();
        List<byte[]> cmd = List.of(utf8(probe), utf8(dir.toString()), name);

        Exact.Run nat = Exact.run(cmd, env(locale, name), dir, Duration.ofSeconds(30));
        assertThat(nat.status()).as(nat.toString()).isZero();
        String hex = HexFormat.of().formatHex(name);
        assertThat(nat.outText()).contains("argv " + hex + "\n", "env " + hex + "\n", "open-deny ok\n");
        clean(dir);

        List<byte[]> args = new ArrayList<>();
        for (String m : List.of("allow/all+/***", Syd.NOTIFY_ALL)) {
            args.add(utf8("-m"));
            args.add(utf8(m));
        }
        args.add(utf8("-m"));
        args.add(concat(utf8("deny/read+"), deniedPath));
        args.add(utf8("--"));
        args.addAll(cmd);
        Exact.Run syd = Exact.run(Exact.syd(args), env(locale, name), dir, Duration.ofSeconds(60));
        assertThat(syd.status()).as(syd.toString()).isZero();
        assertThat(syd.outText()).as(syd.toString()).isEqualTo(nat.outText().replace("open-deny ok\n", "open-deny EACCES\n"));

        // One record, for the denied open, with the path as Syd writes it: the text if it is
        // printable UTF-8, else the hex of its bytes.
        List<Map<String, String>> records = records(syd.errText());
        assertThat(records).as(syd.errText()).hasSize(1);
        assertThat(records.get(0).get("path")).isEqualTo(logForm(deniedPath));
        assertThat(records.get(0).get("cmd")).isEqualTo(logForm(concat(utf8(probe + " " + dir + " "), name)));
        assertThat(denied.getFileName()).isNotNull();
    }

    /** Syd's log form of {@code b}, computed independently of jsyd's code. */
    static String logForm(byte[] b) {
        String text = new String(b, StandardCharsets.UTF_8);
        boolean valid = java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), b);
        boolean control = text.codePoints().anyMatch(c -> c < 0x20 || (c >= 0x7f && c < 0xa0));
        return valid && !control ? text : HexFormat.of().formatHex(b);
    }

    /** Every JSON record on stderr, as field → text value. */
    static List<Map<String, String>> records(String stderr) throws Exception {
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            if (!line.startsWith("{")) continue;
            Map<String, String> m = new HashMap<>();
            try (JsonParser p = new JsonFactory().createParser(line)) {
                p.nextToken();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken t = p.nextToken();
                    if (t.isStructStart()) p.skipChildren();
                    else m.put(f, p.getText());
                }
            }
            out.add(m);
        }
        return out;
    }

    /** Removes what the probe made (the sub and s directories), keeping deny/. */
    static void clean(Path dir) throws Exception {
        for (String d : List.of("sub", "s")) {
            Path p = dir.resolve(d);
            if (!Files.exists(p)) continue;
            Exact.run(List.of(utf8("/bin/rm"), utf8("-rf"), utf8(p.toString())), List.of(), dir, Duration.ofSeconds(30));
        }
    }

    /** F3 as reported: under LC_ALL=C, `syd -- cat é.txt` opened another name. */
    @Test
    void argvUnderTheCLocaleNamesTheSameFile() throws Exception {
        Path dir = tmp.toRealPath();
        Files.writeString(dir.resolve("é.txt"), "the right file\n");
        List<byte[]> env = List.of(utf8("PATH=/usr/bin:/bin"), utf8("LC_ALL=C"));
        Exact.Run r = Exact.run(Exact.syd(List.of(utf8("-poff"), utf8("--"), utf8("cat"), utf8("é.txt"))), env, dir,
                Duration.ofSeconds(60));
        assertThat(r.status()).as(r.toString()).isZero();
        assertThat(r.outText()).isEqualTo("the right file\n");
    }

    /** F3 as reported: under LC_ALL=C a -m rule naming é.txt silently did not apply. */
    @Test
    void aRuleFromArgvAppliesUnderTheCLocale() throws Exception {
        Path dir = tmp.toRealPath();
        Files.writeString(dir.resolve("é.txt"), "secret\n");
        List<byte[]> env = List.of(utf8("PATH=/usr/bin:/bin"), utf8("LC_ALL=C"));
        Exact.Run r = Exact.run(Exact.syd(List.of(utf8("-poff"), utf8("-m"), utf8("sandbox/read:on"), utf8("-m"),
                utf8("allow/read+/***"), utf8("-m"), utf8("deny/read+" + dir + "/é.txt"), utf8("--"), utf8("cat"),
                utf8(dir + "/é.txt"))), env, dir, Duration.ofSeconds(60));
        assertThat(r.status()).as(r.toString()).isEqualTo(1);
        assertThat(r.outText()).isEmpty();
        assertThat(records(r.errText())).extracting(m -> m.get("path")).containsExactly(dir + "/é.txt");
    }

    /** /dev/syd commands are bytes too: a rule added at run time names exactly the file, and the state shows its log form. */
    @Test
    void runtimeCommandsCarryEveryByte() throws Exception {
        Path dir = tmp.toRealPath();
        for (String which : List.of("invalid", "newline", "utf8")) {
            byte[] name = NAMES.get(which);
            byte[] file = concat(utf8(dir + "/"), name);
            List<byte[]> env = List.of(utf8("PATH=/usr/bin:/bin"), utf8("LC_ALL=C"), concat(utf8("F="), file));
            Exact.Run r = Exact.run(Exact.syd(List.of(utf8("-poff"), utf8("-m"), utf8("lock:off"), utf8("-m"),
                    utf8("sandbox/read:on"), utf8("-m"), utf8("allow/read+/***"), utf8("--"), utf8("/bin/sh"), utf8("-c"),
                    utf8("echo secret > \"$F\"; test -c \"/dev/syd/deny/read+$F\" && echo added; "
                            + "cat \"$F\" 2>/dev/null || echo refused; cat /dev/syd | grep -c '\"pat\" *: *\"" + logForm(file) + "\"'"))),
                    env, dir, Duration.ofSeconds(60));
            assertThat(r.outText()).as(which + "\n" + r).isEqualTo("added\nrefused\n1\n");
            assertThat(records(r.errText())).extracting(m -> m.get("path")).containsExactly(logForm(file));
        }
    }

    /** The library API carries bytes too: command, rule, environment and host environment as byte[]. */
    @Test
    void theJavaApiRoundTripsEveryByte() throws Exception {
        Path dir = tmp.toRealPath();
        byte[] name = NAMES.get("invalid");
        byte[] deniedPath = concat(utf8(dir + "/"), name);
        Exact.Run mk = Exact.run(List.of(utf8("/bin/sh"), utf8("-c"), utf8("echo secret > \"$F\"")),
                List.of(concat(utf8("F="), deniedPath)), dir, Duration.ofSeconds(30));
        assertThat(mk.status()).isZero();
        SandboxedProcess p = dev.jsyd.api.Syd.builder()
                .hostEnvironment(List.of(concat(utf8("JSYD_DIR="), utf8(dir.toString())), concat(utf8("JSYD_NAME="), name)))
                .profile("off")
                .command(utf8("sandbox/read:on"))
                .command(utf8("allow/read+/***"))
                .command(utf8("deny/read+${JSYD_DIR}/${JSYD_NAME}"))
                .environment(List.of(utf8("PATH=/usr/bin:/bin"), concat(utf8("F="), deniedPath), concat(utf8("X="), name)))
                .argv0(concat(utf8("sh-"), name))
                .startBytes(List.of(utf8("/bin/sh"), utf8("-c"),
                        utf8("printf '%s|%s|' \"$0\" \"$X\"; cat \"$F\" 2>/dev/null || echo denied")));
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        assertThat(out).isEqualTo(concat(utf8("sh-"), name, utf8("|"), name, utf8("|denied\n")));
        assertThat(err).isEmpty(); // the log goes to this JVM's fd 2 (no SYD_LOG_FD given)
    }
}
