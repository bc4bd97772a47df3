package dev.jsyd.it.learn;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real browser for the report tests: Debian's chromium, headless, as root ({@code --no-sandbox}),
 * with its own profile directory. {@link #dumpDom} returns the page's DOM after its scripts ran;
 * {@link #inspect} loads a page in an iframe of a small harness page that runs checks on it (file
 * pages may read each other with {@code --allow-file-access-from-files}) and returns their result.
 */
final class Chromium {
    private Chromium() {}

    record Page(String dom, String log) {}

    static Path binary() {
        return Tools.require("chromium");
    }

    static Page dumpDom(Path page, Path profileDir) throws IOException, InterruptedException {
        List<String> cmd = List.of(binary().toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--no-first-run", "--user-data-dir=" + profileDir,
                "--allow-file-access-from-files", "--enable-logging=stderr", "--v=0", "--dump-dom", page.toUri().toString());
        var r = Tools.exec(page.getParent(), Map.of(), cmd, Duration.ofSeconds(90));
        if (r.status() != 0) throw new AssertionError("chromium failed: " + r);
        return new Page(r.out(), r.err());
    }

    /**
     * Loads {@code page} in an iframe and runs {@code checks} (a JavaScript function body with
     * {@code doc}, the page's document, that returns an object) once it has loaded; returns that
     * object's fields (strings, numbers as Long, booleans, arrays of strings).
     */
    static Map<String, Object> inspect(Path page, String checks, Path profileDir) throws IOException, InterruptedException {
        Path harness = page.resolveSibling("harness-" + page.getFileName());
        Files.writeString(harness, """
                <!DOCTYPE html><html><body><pre id="out">pending</pre>
                <iframe id="f" width="1200" height="900" src="%s"></iframe>
                <script>
                document.getElementById('f').addEventListener('load', function () {
                  var r;
                  try {
                    var doc = document.getElementById('f').contentDocument;
                    r = (function (doc) { %s })(doc);
                  } catch (e) { r = {harnessError: String(e)}; }
                  document.getElementById('out').textContent = btoa(unescape(encodeURIComponent(JSON.stringify(r))));
                });
                </script></body></html>
                """.formatted(page.getFileName().toString(), checks));
        Page p = dumpDom(harness, profileDir);
        Matcher m = Pattern.compile("<pre id=\"out\">([A-Za-z0-9+/=]+)</pre>").matcher(p.dom());
        if (!m.find()) throw new AssertionError("the harness reported nothing:\n" + p.dom() + "\n" + p.log());
        String json = new String(Base64.getDecoder().decode(m.group(1)), StandardCharsets.UTF_8);
        Map<String, Object> out = parse(json);
        out.put("chromiumLog", p.log());
        return out;
    }

    private static Map<String, Object> parse(String json) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new AssertionError("not an object: " + json);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t == JsonToken.START_ARRAY) {
                    List<String> a = new ArrayList<>();
                    while (p.nextToken() != JsonToken.END_ARRAY) a.add(p.getText());
                    m.put(name, a);
                } else if (t == JsonToken.VALUE_NUMBER_INT) {
                    m.put(name, p.getLongValue());
                } else if (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE) {
                    m.put(name, t == JsonToken.VALUE_TRUE);
                } else if (t == JsonToken.VALUE_NULL) {
                    m.put(name, null);
                } else {
                    m.put(name, p.getText());
                }
            }
        }
        return m;
    }
}
