package dev.jsyd.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled, immutable rule list of one path category. Last matching rule wins. Literal and
 * {@code /***} prefix rules are found with hash lookups; only glob rules later than the best
 * hash hit are matched one by one.
 */
final class PathRules {
    private final RuleEntry[] rules;
    private final Map<String, Integer> literal = new HashMap<>();
    private final Map<String, Integer> prefix = new HashMap<>();
    private final int[] globs;
    /** The lengths of the prefix rules' bases: only a '/' at such an index can end a matching base. */
    private final java.util.BitSet prefixLengths = new java.util.BitSet();

    PathRules(List<RuleEntry> list) {
        rules = list.toArray(new RuleEntry[0]);
        List<Integer> g = new ArrayList<>();
        for (int i = 0; i < rules.length; i++) {
            Glob glob = (Glob) rules[i].compiled();
            switch (glob.kind()) {
                case LITERAL -> literal.put(glob.base(), i);
                case PREFIX -> {
                    prefix.put(glob.base(), i);
                    prefixLengths.set(glob.base().length());
                }
                case GLOB -> g.add(i);
            }
        }
        globs = g.stream().mapToInt(Integer::intValue).toArray();
    }

    int size() { return rules.length; }

    /** Index of the last matching rule, or -1. */
    int lastMatch(String path) {
        int best = -1;
        if (!literal.isEmpty()) {
            Integer i = literal.get(path);
            if (i != null) best = i;
        }
        if (!prefix.isEmpty()) {
            Integer i = prefix.get(path);
            if (i != null && i > best) best = i;
            for (int k = path.indexOf('/'); k >= 0; k = path.indexOf('/', k + 1)) {
                if (!prefixLengths.get(k)) continue; // no base that long: no substring to look up
                i = prefix.get(path.substring(0, k));
                if (i != null && i > best) best = i;
            }
        }
        for (int k = globs.length - 1; k >= 0 && globs[k] > best; k--) {
            if (((Glob) rules[globs[k]].compiled()).matches(path)) {
                best = globs[k];
                break;
            }
        }
        return best;
    }

    /**
     * False when no path strictly below directory {@code dir} (canonical) can be decided with a
     * denying action, given the category default {@code dflt}: every rule that may match such a
     * path does not deny, back to the last rule that matches them all (or the default). Globs are
     * judged by their literal prefix only, so true may be a false alarm, never the other way.
     */
    boolean mayDenyBelow(String dir, Action dflt) {
        String below = dir.endsWith("/") ? dir : dir + "/";
        for (int i = rules.length - 1; i >= 0; i--) {
            Glob g = (Glob) rules[i].compiled();
            // X/*** matches everything below dir when dir is X or lies under it ("" for /***).
            boolean all = g.kind() == Glob.Kind.PREFIX && below.startsWith(g.base() + "/");
            boolean some = all || switch (g.kind()) {
                case LITERAL, PREFIX -> g.base().startsWith(below) && g.base().length() > below.length();
                case GLOB -> g.literalPrefix().startsWith(below) || below.startsWith(g.literalPrefix());
            };
            if (some && rules[i].action().denies()) return true;
            if (all) return false;
        }
        return dflt.denies();
    }

    RuleEntry rule(int i) { return rules[i]; }

    List<RuleEntry> list() { return List.of(rules); }
}
