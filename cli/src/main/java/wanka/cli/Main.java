package wanka.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code wanka} command. */
@Command(name = "wanka", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Pre-train, fine-tune and serve TeleChat2-architecture language models in pure Java.", ""},
        subcommands = {QuickstartCommand.class, PretrainCommand.class, LaunchCommand.class, ChaosCommand.class, GenerateCommand.class, ChatCommand.class,
                SftCommand.class, SelectCommand.class, SelectModelCommand.class, RmCommand.class, WestOfNCommand.class, DpoCommand.class,
                TokenizerCommand.class, CorpusCommand.class, DataCommand.class, BenchCommand.class, PlanCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Start with:  wanka quickstart        (fetches a corpus, trains a tokenizer and a small model, generates text)",
                "Every command explains itself:  wanka <command> --help"})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code. */
    public static int run(String... args) {
        return run(new java.io.PrintWriter(System.err, true), args);
    }

    /** Runs the CLI with error messages going to {@code err} (tests); returns the exit code. */
    static int run(java.io.PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // One line naming what is wrong; the stack trace only with WANKA_DEBUG=1.
            cmd.getErr().println("wanka " + cmd.getCommandName() + ": " + Errors.message(ex));
            if (System.getenv("WANKA_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"wanka " + (v == null ? "dev" : v) + " on Java " + Runtime.version()};
        }
    }
}
