package dev.jsyd.cli;

/** Entry point of the jar: dispatches on the tool name the launcher script was called as. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        dev.jsyd.supervisor.StartupTimes.mark("jvm boot (to main)");
        String tool = System.getProperty("jsyd.tool", "syd");
        if (tool.equals("syd")) dev.jsyd.supervisor.EarlyStart.begin();
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
        dev.jsyd.supervisor.StartupTimes.mark("exit");
        dev.jsyd.supervisor.StartupTimes.print(System.err);
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }
}
