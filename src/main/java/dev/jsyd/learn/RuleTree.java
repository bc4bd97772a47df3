package dev.jsyd.learn;

import dev.jsyd.policy.Category;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The checked paths of a run as a tree of glob segments, folded into rules per category: a
 * directory under which a category touched at least {@code collapse} different entries becomes
 * {@code dir/**} (or {@code dir/***} when the directory itself was checked in that category too),
 * and nothing deeper than {@code depth} components is kept ({@code depth} 0: no limit; the
 * {@code -l} limit of pandora). The root and the top-level directories never fold (a rule for
 * {@code /etc/**} would hand out every secret in it); neither do exec rules (one program each)
 * nor the home directory itself.
 */
final class RuleTree {
    /** Folding never happens above this depth: {@code /usr/lib} may fold, {@code /usr} may not. */
    static final int MIN_FOLD_DEPTH = 2;

    private static final class Node {
        final Map<String, Node> children = new TreeMap<>();
        final EnumSet<Category> here = EnumSet.noneOf(Category.class);
        final EnumSet<Category> below = EnumSet.noneOf(Category.class);
        final int depth;
        final boolean foldable;

        Node(int depth, boolean foldable) {
            this.depth = depth;
            this.foldable = foldable;
        }
    }

    private final Node root = new Node(0, false);
    private final Map<String, Integer> variableDepths;
    private final int collapse;
    private final int depth;

    RuleTree(Map<String, Integer> variableDepths, int collapse, int depth) {
        this.variableDepths = variableDepths;
        this.collapse = collapse;
        this.depth = depth;
    }

    void add(Category c, List<String> segments) {
        Node n = root;
        for (int i = 0; i < segments.size(); i++) {
            String s = segments.get(i);
            n.below.add(c);
            Integer varDepth = i == 0 ? variableDepths.get(s) : null;
            int d = varDepth != null ? varDepth : n.depth + 1;
            boolean foldable = !PathGeneralizer.HOME.equals(s) && d >= MIN_FOLD_DEPTH;
            n = n.children.computeIfAbsent(s, k -> new Node(d, foldable));
        }
        n.here.add(c);
    }

    /** The rules: pattern (glob text) to the categories it allows, in path order. */
    Map<String, EnumSet<Category>> rules() {
        Map<String, EnumSet<Category>> out = new TreeMap<>();
        Set<Category> all = EnumSet.copyOf(root.below.isEmpty() ? EnumSet.noneOf(Category.class) : root.below);
        all.addAll(root.here);
        for (Category c : all) emit(c, root, "", out);
        return out;
    }

    private void emit(Category c, Node n, String path, Map<String, EnumSet<Category>> out) {
        if (n.below.contains(c) && n.foldable && c != Category.EXEC && folds(c, n)) {
            put(out, path + (n.here.contains(c) ? "/***" : "/**"), c);
            return;
        }
        if (n.here.contains(c)) put(out, path.isEmpty() ? "/" : path, c);
        for (var e : n.children.entrySet()) {
            Node child = e.getValue();
            if (!child.here.contains(c) && !child.below.contains(c)) continue;
            String seg = e.getKey();
            emit(c, child, path.isEmpty() && variableDepths.containsKey(seg) ? seg : path + "/" + seg, out);
        }
    }

    private boolean folds(Category c, Node n) {
        if (depth > 0 && n.depth >= depth) return true;
        if (collapse <= 0) return false;
        int touched = 0;
        for (Node child : n.children.values()) {
            if (child.here.contains(c) || child.below.contains(c)) touched++;
        }
        return touched >= collapse;
    }

    private static void put(Map<String, EnumSet<Category>> out, String pattern, Category c) {
        out.computeIfAbsent(pattern, k -> EnumSet.noneOf(Category.class)).add(c);
    }
}
