package dev.jsyd.it.learn;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.jsyd.it.Syd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run report in a real browser (headless chromium): it loads without script errors, its
 * denial rows and files tree match the log, a collapsed directory expands, and names a hostile
 * program chose (HTML and script in file names and in its argv) stay text.
 */
class ReportBrowserIT {
    @TempDir Path tmp;

    /** File name and argv payloads: each would change the page's title if it ran. */
    static final String NAME_PAYLOAD = "<img src=x onerror=\"document.title='pwned-by-name'\">";
    static final String ARGV_PAYLOAD = "</code></script><script>document.title='pwned-by-argv'</script><b id=\"injected\">";

    static final String CHECKS = """
            var r = {};
            r.ready = doc.body.getAttribute('data-ready');
            r.title = doc.title;
            r.injected = doc.querySelectorAll('img, #injected, iframe, object, embed').length;
            r.scripts = doc.querySelectorAll('script').length;
            r.denials = Array.prototype.map.call(doc.querySelectorAll('#denials tbody tr'), function (tr) {
              return tr.cells[0].textContent + ' ' + tr.querySelector('td.target').textContent; });
            r.fixes = Array.prototype.map.call(doc.querySelectorAll('#denials td.tip code'), function (c) { return c.textContent; });
            r.files = Array.prototype.map.call(doc.querySelectorAll('#files li.file'), function (li) { return li.getAttribute('data-path'); });
            r.processes = doc.querySelectorAll('#processes details.proc').length;
            r.rootProcess = doc.querySelector('#processes details.proc > summary').textContent;
            r.status = doc.getElementById('status').textContent;
            var li = doc.querySelector('#files li.file[data-path$="/secret-1.txt"]');
            var dir = li.parentNode.closest('details');
            r.closedBefore = !dir.open && !li.checkVisibility();
            dir.querySelector('summary').click();
            var up = dir.parentNode.closest('details');
            while (up) { up.open = true; up = up.parentNode.closest('details'); }
            r.openAfter = dir.open && li.checkVisibility();
            return r;
            """;

    @Test
    void theReportOfAHostileRunShowsTheLogAsTextAndItsTreeExpands() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(work.resolve("ok.txt"), "fine\n");
        Files.writeString(work.resolve("secret-1.txt"), "s1\n");
        Files.writeString(work.resolve("secret-" + NAME_PAYLOAD), "s2\n");

        // Without escaping, the name alone takes over a page: shown in the same browser.
        Path naive = tmp.resolve("naive.html");
        Files.writeString(naive, "<!DOCTYPE html><html><head><title>report</title></head><body>" + NAME_PAYLOAD + "</body></html>");
        assertThat(Chromium.dumpDom(naive, tmp.resolve("chrome0")).dom()).contains("pwned-by-name");

        Path log = tmp.resolve("run.log"), early = tmp.resolve("early.html");
        List<String> args = List.of("--report", early.toString(), "-poff", "-m", "sandbox/read:on", "-m", "allow/read+/***",
                "-m", "deny/read+" + work + "/secret*", "--", "sh", "-c",
                "cat ok.txt; cat secret-1.txt; cat \"$1\"; (cat secret-1.txt; true) | cat; sh -c 'exit 0'; exit 3",
                ARGV_PAYLOAD, "secret-" + NAME_PAYLOAD);
        Syd.Result run = Tools.run(work, Map.of("SYD_LOG", "info"), "syd", args.toArray(String[]::new));
        assertThat(run.status()).as("%s", run).isEqualTo(3);
        Files.writeString(log, run.err());
        assertThat(Files.readString(early)).contains("syd run report").contains("&lt;img src=x");

        Path page = tmp.resolve("report.html");
        Syd.Result rep = Tools.run(tmp, Map.of(), "syd-report", log.toString(), "-o", page.toString());
        assertThat(rep.status()).as("%s", rep).isZero();

        // What the log says, read independently of the report code.
        Set<String> expectedDenials = new TreeSet<>();
        Set<String> loggedPaths = new TreeSet<>();
        for (Map<String, Object> rec : records(run.err())) {
            if (!"access".equals(rec.get("ctx"))) continue;
            loggedPaths.add((String) rec.get("path"));
            expectedDenials.add(rec.get("cap") + " " + rec.get("path"));
        }
        assertThat(expectedDenials).contains("read " + work + "/secret-1.txt", "read " + work + "/secret-" + NAME_PAYLOAD);

        Map<String, Object> r = Chromium.inspect(page, CHECKS, tmp.resolve("chrome1"));
        assertThat(r).doesNotContainKey("harnessError");
        String chromeLog = (String) r.get("chromiumLog");
        assertThat(r.get("ready")).as("the page's script ran to its end\n%s", chromeLog).isEqualTo("yes");
        assertThat(chromeLog).doesNotContain("Uncaught").doesNotContain("Content Security Policy");
        assertThat((String) r.get("title")).startsWith("syd report: sh -c").isNotIn("pwned-by-name", "pwned-by-argv");
        assertThat(r.get("injected")).isEqualTo(0L);
        assertThat(r.get("scripts")).isEqualTo(1L);
        assertThat(new TreeSet<>(strings(r.get("denials")))).isEqualTo(expectedDenials);
        assertThat(strings(r.get("fixes"))).hasSize(expectedDenials.size()).allMatch(f -> f.startsWith("allow/read+" + work))
                .contains("allow/read+" + work + "/secret-1.txt");
        assertThat(new TreeSet<>(strings(r.get("files")))).isEqualTo(loggedPaths);
        assertThat((Long) r.get("processes")).isGreaterThanOrEqualTo(4L); // sh, cat, the subshell's cat, sh -c
        assertThat((String) r.get("rootProcess")).contains("exit 3").contains(ARGV_PAYLOAD);
        assertThat(r.get("status")).isEqualTo("3");
        assertThat(r.get("closedBefore")).as("the directory starts collapsed").isEqualTo(true);
        assertThat(r.get("openAfter")).as("a click expands it").isEqualTo(true);

        // The JSON form for tools says the same.
        Syd.Result json = Tools.run(tmp, Map.of(), "syd-report", "--format", "json", log.toString());
        assertThat(json.status()).isZero();
        assertThat(json.out()).contains("\"status\" : 3").contains("\"denied\" : " + countDenied(run.err()));
    }

    private static long countDenied(String log) throws Exception {
        return records(log).stream().filter(m -> "access".equals(m.get("ctx")) && "deny".equals(m.get("act"))).count();
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object o) { return (List<String>) o; }

    static List<Map<String, Object>> records(String text) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("{")) continue;
            Map<String, Object> m = new LinkedHashMap<>();
            try (JsonParser p = new JsonFactory().createParser(line.getBytes(StandardCharsets.UTF_8))) {
                p.nextToken();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken t = p.nextToken();
                    if (t.isStructStart()) p.skipChildren();
                    else m.put(name, p.getText());
                }
            }
            out.add(m);
        }
        return out;
    }
}
