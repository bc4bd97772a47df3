package dev.jsyd.cli;

/** The `syd` command line. */
final class SydCommand {
    private SydCommand() {}

    static int run(String[] args) {
        System.err.println("syd: not implemented yet");
        return 1;
    }
}
