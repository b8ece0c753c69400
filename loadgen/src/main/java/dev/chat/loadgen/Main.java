package dev.chat.loadgen;

import dev.chat.loadgen.scenario.ChaosCommand;
import dev.chat.loadgen.bench.BenchChartCommand;
import dev.chat.loadgen.bench.BenchCommand;
import dev.chat.loadgen.bench.BenchCompareCommand;
import dev.chat.loadgen.bench.BenchWorkerCommand;
import dev.chat.loadgen.bench.JfrTop;
import dev.chat.loadgen.scenario.AwaitSteadyCommand;
import dev.chat.loadgen.scenario.BusiestCommand;
import dev.chat.loadgen.scenario.ChatCommand;
import dev.chat.loadgen.scenario.DrillCommand;
import dev.chat.loadgen.scenario.SoakCommand;
import dev.chat.loadgen.scenario.SoakReportCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar loadgen.jar COMMAND ...}: clients of the chat contract. */
@Command(name = "loadgen", mixinStandardHelpOptions = true, version = "loadgen 0.1",
        description = "Clients of the chat contract: resilient sockets, a ledger of every message, scenarios.",
        subcommands = {DrillCommand.class, ChatCommand.class, ChaosCommand.class, BusiestCommand.class, AwaitSteadyCommand.class, SoakCommand.class,
                SoakReportCommand.class,
                BenchCommand.class, BenchWorkerCommand.class, BenchCompareCommand.class, BenchChartCommand.class, JfrTop.Cli.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("loadgen: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 3;
        });
        int code = cli.execute(args);
        System.out.flush();
        Runtime.getRuntime().halt(code);
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
