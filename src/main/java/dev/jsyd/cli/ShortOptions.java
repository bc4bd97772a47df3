package dev.jsyd.cli;

/**
 * The short options of a tool's command line, read the POSIX way: letters may be grouped
 * ({@code -vS}), an option's value follows it in the same word or is the next word ({@code -pNAME},
 * {@code -p NAME}), and the options end at {@code --}, at a lone {@code -} or at the first word not
 * starting with {@code -}. Usage: {@code for (int o; (o = opts.next()) >= 0; ) ...}, then
 * {@link #operands()} is the index of the first operand.
 */
final class ShortOptions {
    /** A usage error: the message names the option. */
    static final class UsageException extends Exception {
        UsageException(String message) { super(message, null, false, false); }
    }

    private final String[] args;
    private int word;
    private int letter; // index in args[word] of the next option letter; 0 before a word is entered

    ShortOptions(String[] args) { this.args = args; }

    /** The next option letter, or -1 when the options are over. */
    int next() {
        if (letter == 0 || letter >= args[word].length()) {
            if (letter != 0) word++;
            letter = 0;
            if (word >= args.length) return -1;
            String a = args[word];
            if (a.equals("--")) {
                word++;
                return -1;
            }
            if (!a.startsWith("-") || a.length() == 1) return -1;
            letter = 1;
        }
        return args[word].charAt(letter++);
    }

    /** The value of option {@code o} just returned by {@link #next}; {@code what} says what it is, for the error. */
    String value(int o, String what) throws UsageException {
        String a = args[word];
        String v;
        if (letter < a.length()) {
            v = a.substring(letter);
        } else if (word + 1 < args.length) {
            v = args[++word];
        } else {
            throw new UsageException("option -" + (char) o + " needs an argument" + (what.isEmpty() ? "" : " (" + what + ")"));
        }
        letter = args[word].length();
        return v;
    }

    /** The index of the first operand, once {@link #next} has returned -1. */
    int operands() { return word; }
}
