package dev.jsyd.policy;

/**
 * One rule of one category: the action and the normalised pattern text, with its compiled form
 * ({@link Glob} for path categories, {@link Address.Pattern} for network categories, the name for
 * name categories). Two rules are equal when action and text are equal.
 */
public record RuleEntry(Action action, String pattern, Object compiled) {
    public boolean sameAs(Action a, String p) { return action == a && pattern.equals(p); }

    /** The rule as a command line. */
    public String print(Category c) { return action.sydName() + "/" + c.sydName() + "+" + pattern; }
}
