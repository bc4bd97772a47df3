package dev.jsyd.cli;

/** Entry point of the jar: dispatches on the tool name the launcher script was called as. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        String tool = System.getProperty("jsyd.tool", "syd");
        int status = switch (tool) {
            case "syd-cat" -> SydCatTool.run(args, System.out, System.err);
            case "syd-path" -> SydPathTool.run(args, System.out, System.err);
            case "syd-lock" -> SydLockTool.run(args, System.out, System.err);
            case "syd-ls" -> SydLsTool.run(args, System.out, System.err);
            case "syd-learn", "pandora" -> SydLearnTool.run(tool, args, System.out, System.err, System.getenv());
            case "syd-report" -> SydReportTool.run(args, System.out, System.err);
            default -> SydCommand.run(args);
        };
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }
}
