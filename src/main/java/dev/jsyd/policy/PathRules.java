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

    PathRules(List<RuleEntry> list) {
        rules = list.toArray(new RuleEntry[0]);
        List<Integer> g = new ArrayList<>();
        for (int i = 0; i < rules.length; i++) {
            Glob glob = (Glob) rules[i].compiled();
            switch (glob.kind()) {
                case LITERAL -> literal.put(glob.base(), i);
                case PREFIX -> prefix.put(glob.base(), i);
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

    RuleEntry rule(int i) { return rules[i]; }

    List<RuleEntry> list() { return List.of(rules); }
}
