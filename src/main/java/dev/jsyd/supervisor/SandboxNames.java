package dev.jsyd.supervisor;

import java.util.concurrent.ThreadLocalRandom;

/** Human-friendly sandbox names for the log's {@code sid} field (adjective_surname, as Syd does). */
final class SandboxNames {
    private SandboxNames() {}

    private static final String[] ADJECTIVES = {"brave", "calm", "clever", "eager", "gentle", "happy", "jolly",
        "keen", "lucid", "merry", "nifty", "quiet", "sharp", "stoic", "vivid", "wise", "zen", "bold", "crisp", "sober"};
    private static final String[] NAMES = {"ellis", "hopper", "lovelace", "turing", "ritchie", "thompson", "knuth",
        "dijkstra", "hamilton", "liskov", "torvalds", "kernighan", "allen", "backus", "cerf", "hoare", "lamport",
        "mccarthy", "perlman", "wirth"};

    static String random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return ADJECTIVES[r.nextInt(ADJECTIVES.length)] + "_" + NAMES[r.nextInt(NAMES.length)];
    }
}
