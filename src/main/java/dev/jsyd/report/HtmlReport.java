package dev.jsyd.report;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The run report as one self-contained HTML page: inline CSS and one inline script, no network
 * needed to view it. Everything from the log is program-chosen bytes and is HTML-escaped; no log
 * text ever goes into the script or a URL. A Content-Security-Policy allows only that one script
 * (by its hash), so even a mistake in escaping could not run injected code.
 */
public final class HtmlReport {
    private HtmlReport() {}

    static final String SCRIPT = """
            (function () {
              var filter = document.getElementById('filter');
              if (filter) filter.addEventListener('input', function () {
                var q = filter.value.toLowerCase();
                document.querySelectorAll('#denials tbody tr').forEach(function (tr) {
                  tr.hidden = q !== '' && tr.textContent.toLowerCase().indexOf(q) < 0;
                });
              });
              document.querySelectorAll('button[data-expand]').forEach(function (b) {
                b.addEventListener('click', function () {
                  var open = b.getAttribute('data-expand') === 'open';
                  document.querySelectorAll(b.getAttribute('data-target') + ' details').forEach(function (d) { d.open = open; });
                });
              });
              document.querySelectorAll('button.copy').forEach(function (b) {
                b.addEventListener('click', function () {
                  var text = b.parentNode.querySelector('code').textContent;
                  if (navigator.clipboard) navigator.clipboard.writeText(text).catch(function () {});
                  b.textContent = 'copied';
                });
              });
              document.body.setAttribute('data-ready', 'yes');
            })();
            """;

    static final String STYLE = """
            body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:78em;padding:0 1em;color:#222}
            h1{font-size:1.5em;margin:0 0 .3em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:1.6em}
            code,.mono{font-family:ui-monospace,monospace;font-size:13px}
            table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #eee;padding:.25em .5em;text-align:left;vertical-align:top}
            th{background:#f6f6f6}td.num,th.num{text-align:right}
            .bad{color:#b00020;font-weight:600}.ok{color:#0a6b2d}.muted{color:#777}
            .cap{display:inline-block;border-radius:3px;padding:0 .35em;margin-left:.3em;font-size:12px;background:#e8eef7}
            .cap.denied{background:#fbe3e6;color:#8a0019}
            details{margin-left:1.1em}summary{cursor:pointer}ul.files{list-style:none;margin:.1em 0 .1em 1.1em;padding:0}
            .tip code{background:#f3f3f3;padding:0 .3em}button{font-size:12px;margin-left:.4em}
            #filter{width:24em;margin:.3em 0 .6em}.cards span{display:inline-block;margin-right:1.5em}
            .cards b{font-size:1.4em}
            """;

    public static String render(RunReport r) {
        StringBuilder h = new StringBuilder(64 * 1024);
        String cmd = String.join(" ", r.argv);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
        h.append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src '")
                .append(scriptHash()).append("'\">\n");
        h.append("<meta name=\"viewport\" content=\"width=device-width\">\n");
        h.append("<title>syd report: ").append(esc(cmd.isEmpty() ? "run" : cmd)).append("</title>\n");
        h.append("<style>").append(STYLE).append("</style></head>\n<body>\n");
        header(h, r, cmd);
        summary(h, r);
        denials(h, r);
        files(h, r);
        network(h, r);
        processes(h, r);
        timeline(h, r);
        h.append("<script>").append(SCRIPT).append("</script>\n</body></html>\n");
        return h.toString();
    }

    private static void header(StringBuilder h, RunReport r, String cmd) {
        h.append("<header><h1>syd run report</h1>\n<p id=\"command\"><code>").append(esc(cmd)).append("</code></p>\n<p>");
        h.append("exit status <b id=\"status\" class=\"").append(r.status == 0 ? "ok" : "bad").append("\">")
                .append(r.status < 0 ? "unknown" : String.valueOf(r.status)).append("</b>");
        if (r.cwd != null) h.append(" · in <code>").append(esc(r.cwd)).append("</code>");
        if (r.sid != null) h.append(" · sandbox <code>").append(esc(r.sid)).append("</code>");
        if (r.startTime != null) h.append(" · ").append(esc(r.startTime)).append(" – ").append(esc(r.endTime));
        h.append("</p>\n");
        if (r.traceMode) {
            h.append("<p class=\"muted\">Trace mode: nothing was refused; every denial below is what the policy "
                    + "<em>would</em> have refused.</p>\n");
        }
        if (r.skippedLines > 0) {
            h.append("<p class=\"muted\">").append(r.skippedLines).append(" lines of the log were not records and were skipped.</p>\n");
        }
        h.append("</header>\n");
    }

    private static void summary(StringBuilder h, RunReport r) {
        h.append("<section id=\"summary\"><h2>Summary</h2>\n<p class=\"cards\">");
        h.append("<span>checks logged <b id=\"checks\">").append(r.checks).append("</b></span>");
        h.append("<span>").append(r.traceMode ? "would be denied" : "denied").append(" <b id=\"denied\" class=\"bad\">")
                .append(r.denied).append("</b></span>");
        h.append("<span>allowed with a log <b id=\"allowed\">").append(r.allowed).append("</b></span>");
        h.append("<span>processes <b id=\"process-count\">").append(r.processes.size()).append("</b></span></p>\n");
        h.append("<p class=\"muted\">A call a rule allows silently is not logged; run with <code>-x</code> or "
                + "<code>syd-learn</code> to see every check.</p>\n");
        h.append("<table><thead><tr><th>category</th><th class=\"num\">checks</th><th class=\"num\">denied</th>"
                + "<th class=\"num\">allowed</th></tr></thead><tbody>\n");
        r.byCategory.forEach((cap, c) -> h.append("<tr data-cap=\"").append(esc(cap)).append("\"><td>").append(esc(cap))
                .append("</td><td class=\"num\">").append(c.checks()).append("</td><td class=\"num\">").append(c.denied())
                .append("</td><td class=\"num\">").append(c.allowed()).append("</td></tr>\n"));
        h.append("</tbody></table></section>\n");
    }

    private static void denials(StringBuilder h, RunReport r) {
        h.append("<section id=\"denials\"><h2>").append(r.traceMode ? "Would be denied" : "Denials").append(" (")
                .append(r.denials.size()).append(")</h2>\n");
        if (r.denials.isEmpty()) {
            h.append("<p class=\"ok\">Nothing was denied.</p></section>\n");
            return;
        }
        h.append("<input id=\"filter\" type=\"search\" placeholder=\"filter the denials\" aria-label=\"filter\">\n");
        h.append("<table><thead><tr><th>category</th><th>action</th><th>syscall</th><th>path or address</th>"
                + "<th class=\"num\">times</th><th>by</th><th>fix</th></tr></thead><tbody>\n");
        for (RunReport.Denial d : r.denials) {
            h.append("<tr class=\"denial\"><td>").append(esc(d.cap())).append("</td><td class=\"bad\">").append(esc(d.act()))
                    .append("</td><td class=\"mono\">").append(esc(d.sys())).append("</td><td class=\"target mono\">")
                    .append(esc(d.target())).append("</td><td class=\"num\">").append(d.count()).append("</td><td class=\"mono\">")
                    .append(esc(d.cmd())).append(" <span class=\"muted\">pid ").append(esc(joinPids(d.pids())))
                    .append("</span></td><td class=\"tip\">");
            String fix = fix(d.tip());
            if (fix != null) h.append("<code>").append(esc(fix)).append("</code><button class=\"copy\" type=\"button\">copy</button>");
            h.append("</td></tr>\n");
        }
        h.append("</tbody></table></section>\n");
    }

    /** The rule a tip suggests ({@code configure `X'} gives X). */
    static String fix(String tip) {
        if (tip == null) return null;
        if (tip.startsWith("configure `") && tip.endsWith("'")) return tip.substring(11, tip.length() - 1);
        return tip;
    }

    private static String joinPids(Set<Integer> pids) {
        List<String> s = new ArrayList<>();
        for (int p : pids) {
            if (s.size() == 5) {
                s.add("…");
                break;
            }
            s.add(String.valueOf(p));
        }
        return String.join(", ", s);
    }

    /** A directory of the files tree. */
    private static final class Dir {
        final Map<String, Dir> dirs = new TreeMap<>();
        final Map<String, Set<String>> files = new TreeMap<>();
        int count;
    }

    private static void files(StringBuilder h, RunReport r) {
        h.append("<section id=\"files\"><h2>Files (").append(r.files.size()).append(")</h2>\n");
        if (r.files.isEmpty()) {
            h.append("<p class=\"muted\">No path was logged.</p></section>\n");
            return;
        }
        h.append("<p><button type=\"button\" data-expand=\"open\" data-target=\"#files\">expand all</button>"
                + "<button type=\"button\" data-expand=\"close\" data-target=\"#files\">collapse all</button></p>\n");
        Dir root = new Dir();
        Map<String, Set<String>> others = new TreeMap<>(); // "/" itself, and objects without a path (pipe:[N])
        for (Map.Entry<String, Set<String>> e : r.files.entrySet()) {
            String p = e.getKey();
            if (!p.startsWith("/") || p.equals("/")) {
                others.put(p, e.getValue());
                continue;
            }
            String[] parts = p.substring(1).split("/");
            Dir d = root;
            d.count++;
            for (int i = 0; i < parts.length - 1; i++) {
                d = d.dirs.computeIfAbsent(parts[i], k -> new Dir());
                d.count++;
            }
            // A path that is also a directory of others keeps its own categories on the directory line.
            d.files.merge(parts[parts.length - 1], e.getValue(), (a, b) -> {
                Set<String> m = new java.util.TreeSet<>(a);
                m.addAll(b);
                return m;
            });
        }
        h.append("<div class=\"tree\">\n");
        if (!others.isEmpty()) {
            h.append("<ul class=\"files\">\n");
            others.forEach((p, caps) -> {
                h.append("<li class=\"file\" data-path=\"").append(esc(p)).append("\">").append(esc(p));
                caps(h, caps);
                h.append("</li>\n");
            });
            h.append("</ul>\n");
        }
        tree(h, root, "");
        h.append("</div></section>\n");
    }

    private static void tree(StringBuilder h, Dir d, String path) {
        for (Map.Entry<String, Dir> e : d.dirs.entrySet()) {
            String name = e.getKey();
            Dir sub = e.getValue();
            // Chains of single directories read as one line: usr/lib/x86_64-linux-gnu
            while (sub.files.isEmpty() && sub.dirs.size() == 1) {
                Map.Entry<String, Dir> only = sub.dirs.entrySet().iterator().next();
                name = name + "/" + only.getKey();
                sub = only.getValue();
            }
            String full = path + "/" + name;
            Set<String> own = d.files.get(e.getKey());
            h.append("<details class=\"dir\" data-path=\"").append(esc(full)).append("\"><summary>").append(esc(name))
                    .append("/ <span class=\"muted\">(").append(sub.count).append(")</span>");
            if (own != null && name.equals(e.getKey())) caps(h, own);
            h.append("</summary>\n");
            tree(h, sub, full);
            h.append("</details>\n");
        }
        boolean any = false;
        for (Map.Entry<String, Set<String>> f : d.files.entrySet()) {
            if (d.dirs.containsKey(f.getKey())) continue;
            if (!any) h.append("<ul class=\"files\">\n");
            any = true;
            String full = path + "/" + f.getKey();
            h.append("<li class=\"file\" data-path=\"").append(esc(full)).append("\">").append(esc(f.getKey()));
            caps(h, f.getValue());
            h.append("</li>\n");
        }
        if (any) h.append("</ul>\n");
    }

    private static void caps(StringBuilder h, Set<String> caps) {
        for (String c : caps) {
            boolean denied = c.endsWith("!");
            String name = denied ? c.substring(0, c.length() - 1) : c;
            h.append("<span class=\"cap").append(denied ? " denied" : "").append("\"").append(denied ? " title=\"denied\"" : "")
                    .append(">").append(esc(name)).append("</span>");
        }
    }

    private static void network(StringBuilder h, RunReport r) {
        h.append("<section id=\"network\"><h2>Network</h2>\n");
        if (r.network.isEmpty()) {
            h.append("<p class=\"muted\">No address was logged.</p></section>\n");
            return;
        }
        h.append("<table><thead><tr><th>category</th><th>addresses</th></tr></thead><tbody>\n");
        r.network.forEach((cap, addrs) -> {
            String what = switch (cap) {
                case "net/connect" -> "peers (connect, send)";
                case "net/bind" -> "bound addresses";
                case "net/sendfd" -> "fds sent to";
                default -> cap;
            };
            h.append("<tr><td>").append(esc(what)).append("</td><td class=\"mono\">");
            for (String a : addrs) h.append("<div class=\"addr\">").append(esc(a)).append("</div>");
            h.append("</td></tr>\n");
        });
        h.append("</tbody></table></section>\n");
    }

    private static void processes(StringBuilder h, RunReport r) {
        h.append("<section id=\"processes\"><h2>Processes (").append(r.processes.size()).append(")</h2>\n");
        if (r.processes.isEmpty()) {
            h.append("<p class=\"muted\">No process records: they are written at level info (SYD_LOG=info).</p></section>\n");
            return;
        }
        List<RunReport.Process> roots = new ArrayList<>();
        for (RunReport.Process p : r.processes.values()) {
            if (!r.processes.containsKey(p.ppid) || p.ppid == p.pid) roots.add(p);
        }
        for (RunReport.Process p : roots) process(h, r, p, 0);
        h.append("</section>\n");
    }

    private static void process(StringBuilder h, RunReport r, RunReport.Process p, int depth) {
        if (depth > 200) return; // a cycle in a forged log
        h.append("<details class=\"proc\" open data-pid=\"").append(p.pid).append("\"><summary><span class=\"mono\">")
                .append(p.pid).append("</span> <code>").append(esc(p.cmd == null ? "?" : p.cmd)).append("</code> ");
        if (p.code >= 0) h.append("<span class=\"").append(p.code == 0 ? "ok" : "bad").append("\">exit ").append(p.code).append("</span>");
        else if (p.signal >= 0) h.append("<span class=\"bad\">killed by signal ").append(p.signal).append("</span>");
        else h.append("<span class=\"muted\">end not logged</span>");
        h.append("</summary>\n");
        if (p.execs.size() > 1) {
            h.append("<div class=\"muted\">executed: ");
            for (String x : p.execs) h.append("<code>").append(esc(x)).append("</code> ");
            h.append("</div>\n");
        }
        for (int c : p.children) {
            RunReport.Process child = r.processes.get(c);
            if (child != null) process(h, r, child, depth + 1);
        }
        h.append("</details>\n");
    }

    private static void timeline(StringBuilder h, RunReport r) {
        h.append("<section id=\"timeline\"><h2>Timeline</h2>\n<table><thead><tr><th>time (UTC)</th><th>pid</th>"
                + "<th>event</th><th>detail</th></tr></thead><tbody>\n");
        for (RunReport.Event e : r.timeline) {
            h.append("<tr class=\"ev-").append(esc(e.kind())).append("\"><td class=\"mono\">").append(esc(e.time()))
                    .append("</td><td class=\"num\">").append(e.pid() < 0 ? "" : String.valueOf(e.pid())).append("</td><td>")
                    .append(esc(e.kind())).append("</td><td class=\"mono\">").append(esc(e.detail())).append("</td></tr>\n");
        }
        h.append("</tbody></table>\n");
        if (r.timelineDropped > 0) {
            h.append("<p class=\"muted\">").append(r.timelineDropped).append(" more events are not shown.</p>\n");
        }
        h.append("</section>\n");
    }

    /** HTML-escapes text for element content and double-quoted attributes. */
    static String esc(String s) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                case '\0' -> b.append('\ufffd');
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String scriptHash() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(SCRIPT.getBytes(StandardCharsets.UTF_8));
            return "sha256-" + Base64.getEncoder().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
