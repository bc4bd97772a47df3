package dev.jsyd.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunReportTest {
    static final String LOG = String.join("\n",
            "{\"ctx\":\"run\",\"pid\":10,\"argv\":[\"sh\",\"-c\",\"x\"],\"cwd\":\"/w\",\"trace\":true,\"time\":\"20260101T000000Z\"}",
            "not a record: a program's own stderr",
            "{\"ctx\":\"access\",\"cap\":\"read\",\"act\":\"deny\",\"sys\":\"openat\",\"path\":\"/etc/shadow\",\"pid\":11,\"cmd\":\"cat /etc/shadow\",\"tip\":\"configure `allow/read+/etc/shadow'\"}",
            "{\"ctx\":\"access\",\"cap\":\"read\",\"act\":\"deny\",\"sys\":\"openat\",\"path\":\"/etc/shadow\",\"pid\":11,\"tip\":\"configure `allow/read+/etc/shadow'\"}",
            "{\"ctx\":\"access\",\"cap\":\"net/connect\",\"act\":\"warn\",\"sys\":\"connect\",\"addr\":\"127.0.0.1!80\",\"pid\":10}",
            "{\"ctx\":\"fork\",\"pid\":11,\"ppid\":10}",
            "{\"ctx\":\"exec\",\"pid\":11,\"path\":\"/usr/bin/cat\",\"cmd\":\"cat /etc/shadow\"}",
            "{\"ctx\":\"exit\",\"pid\":11,\"code\":1}",
            "{\"ctx\":\"exit\",\"pid\":10,\"signal\":9}",
            "{\"ctx\":\"end\",\"status\":137,\"time\":\"20260101T000001Z\"}", "{\"truncated\":");

    @Test
    void summaryDenialsProcessesAndTimelineComeFromTheLog() {
        LogReader.Result read = LogReader.read(LOG.getBytes(StandardCharsets.UTF_8));
        assertThat(read.skipped()).isEqualTo(2);
        RunReport r = RunReport.of(read.records(), read.skipped());
        assertThat(r.argv).containsExactly("sh", "-c", "x");
        assertThat(r.status).isEqualTo(137);
        assertThat(r.traceMode).isTrue();
        assertThat(r.checks).isEqualTo(3);
        assertThat(r.denied).isEqualTo(2);
        assertThat(r.allowed).isEqualTo(1);
        assertThat(r.denials).singleElement().satisfies(d -> {
            assertThat(d.count()).isEqualTo(2);
            assertThat(d.target()).isEqualTo("/etc/shadow");
            assertThat(HtmlReport.fix(d.tip())).isEqualTo("allow/read+/etc/shadow");
        });
        assertThat(r.network.get("net/connect")).containsExactly("127.0.0.1!80");
        assertThat(r.processes.get(10).children).containsExactly(11);
        assertThat(r.processes.get(11).execs).containsExactly("/usr/bin/cat");
        assertThat(r.processes.get(11).code).isEqualTo(1);
        assertThat(r.processes.get(10).signal).isEqualTo(9);
        assertThat(r.timeline).extracting(RunReport.Event::kind).containsSubsequence("run", "deny", "fork", "exec", "exit", "end");
        String html = HtmlReport.render(r);
        assertThat(html).contains("Would be denied (1)").contains("<code>allow/read+/etc/shadow</code>")
                .contains("killed by signal 9").contains("script-src 'sha256-");
        assertThat(new String(JsonReport.render(r), StandardCharsets.UTF_8)).contains("\"fix\" : \"allow/read+/etc/shadow\"");
    }

    @Test
    void kernelSideSwitchesALearningRunNeededAreListedWithTheirFix() {
        String log = "{\"ctx\":\"learn\",\"cap\":\"kernel\",\"act\":\"deny\",\"sys\":\"mprotect\","
                + "\"setting\":\"trace/allow_unsafe_memory:1\",\"msg\":\"W^X\",\"pid\":10,\"tip\":\"configure `trace/allow_unsafe_memory:1'\"}";
        LogReader.Result read = LogReader.read((log + "\n" + log).getBytes(StandardCharsets.UTF_8));
        RunReport r = RunReport.of(read.records(), read.skipped());
        assertThat(r.denials).singleElement().satisfies(d -> {
            assertThat(d.cap()).isEqualTo("kernel");
            assertThat(d.count()).isEqualTo(2);
            assertThat(d.target()).isEqualTo("trace/allow_unsafe_memory:1");
            assertThat(HtmlReport.fix(d.tip())).isEqualTo("trace/allow_unsafe_memory:1");
        });
    }

    @Test
    void everyLogValueIsEscaped() {
        String evil = "<script>alert('x')</script>&\"";
        assertThat(HtmlReport.esc(evil)).isEqualTo("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
        RunReport r = RunReport.of(List.of(new LogRecord(java.util.Map.of("ctx", "access", "cap", "read", "act", "deny",
                "path", "/t/" + evil, "cmd", evil, "tip", "configure `allow/read+/t/" + evil + "'"))), 0);
        String html = HtmlReport.render(r);
        assertThat(html).doesNotContain("<script>alert").contains("&lt;script&gt;alert");
        assertThat(html.split("<script>", -1)).hasSize(2); // the page's own script only
    }
}
