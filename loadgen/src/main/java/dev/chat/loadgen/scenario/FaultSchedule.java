package dev.chat.loadgen.scenario;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The chaos run's scenario: which faults, in which order, how long each lasts, when it is restored and when the
 * next may start. It runs them one at a time: steady first; then for each fault its window opens, it is injected,
 * held for its time on this schedule's clock, restored, its window ends and is reported, and the stack must be
 * steady again before the next. A fault that ends {@linkplain Ends#AT_INJECT at its injection} (a kill -9: the
 * restart is the restore) is held and reported before it is restored, so that the measurements see the component
 * gone; one that ends {@linkplain Ends#AT_RESTORE at its restore} (a stop, a SIGSTOP) is held, restored, then ended.
 * A {@linkplain Ends#SUPERVISED supervised} kill is not restored here: its window stays open until the plumbing's
 * read-only state queries say the supervisor has it running and ready again. A {@linkplain Ends#TAKEOVER takeover}
 * of the replicated data tier (a PostgreSQL primary or Redis master lost, frozen or cut off) runs its own sequence
 * ({@link DataTierFaults}: its target chosen by a state query, waits for the takeover and the rejoin, its verdicts)
 * on this schedule's steps. {@link #run()} runs the whole list (scripts/chaos).
 *
 * <p>Guarantees: the faults run in the order given, never two at once; every injection that was attempted is
 * restored once, also when a later step fails or the bound on the whole run passes (a stopped node must not stay
 * stopped); after a failure no further fault starts, and the {@link Outcome} says which step of which fault failed
 * and what the plumbing said. The clock and the sleeps are injected ({@link System#nanoTime} and
 * {@code Thread.sleep} in use), as are the stack ({@link Plumbing}), the measurements ({@link Windows}) and the
 * steadiness wait ({@link Steady}): the schedule itself does no I/O.
 */
public final class FaultSchedule {
    /** The bound on the wait for each of a supervised fault's state queries, and how often they are asked. */
    static final Duration STATE_LIMIT = Duration.ofSeconds(90);
    private static final long STATE_POLL_MILLIS = 200;
    /** How long the stack must hold steady before a fault, and how long it may take to get there. */
    static final Duration STEADY_HOLD = Duration.ofSeconds(5);
    static final Duration STEADY_WITHIN = Duration.ofSeconds(95);
    /** The bound on one plumbing call (a restart through scripts/up --only waits up to 180 s itself). */
    static final Duration CALL_LIMIT = Duration.ofSeconds(240);
    /** Holds and the bound are checked at least this often. */
    private static final long TICK_MILLIS = 200;

    /** When a fault's window ends. */
    public enum Ends {
        /** At its injection (kill -9): held and reported while the component is gone, restored afterwards. */
        AT_INJECT,
        /** At its restore (a stop, a SIGSTOP): held, restored, then ended and reported. */
        AT_RESTORE,
        /**
         * At its injection (a kill -9 of a process under supervisord): nothing is restored by the schedule, the
         * supervisor restarts it; the window stays open until every {@link Fault#backWhen()} state query answers
         * yes (the process runs again and is ready), then it is reported.
         */
        SUPERVISED,
        /**
         * A takeover of the data tier: the sequence is {@link DataTierFaults}'s (inject, wait for the takeover, end,
         * report, restore, wait for the rejoin), on the {@link Steps} of this schedule.
         */
        TAKEOVER
    }

    /** Whom a fault hits. */
    public enum Target {
        /** What its plumbing names itself (e.g. Redis, PostgreSQL). */
        FIXED,
        /** The chat node holding the most sockets now ({@link Targets#busiestNode()}). */
        BUSIEST_NODE,
        /** The PostgreSQL member that is primary now (the plumbing's {@code --state pg-primary}). */
        PG_PRIMARY,
        /** The Redis the Sentinels name master now (the plumbing's {@code --state redis-master}). */
        REDIS_MASTER
    }

    /**
     * One fault of the schedule: its name (the plumbing's and the report's), what it does in a few words, whom it
     * hits, when its window ends and how long it is held (after the injection, on the schedule's clock); a
     * supervised kill's component and the state queries that say it is back; {@code answerTarget}: the bound on a
     * send's wait for its first answer while the fault lasts (null: none).
     */
    public record Fault(String name, String what, Target target, Ends ends, Duration hold, String component,
            List<List<String>> backWhen, Duration answerTarget) {
        /** A fault that is restored by the plumbing (no state to wait for). */
        public Fault(String name, String what, Target target, Ends ends, Duration hold) {
            this(name, what, target, ends, hold, null, List.of(), null);
        }

        /** A fault without an answer target. */
        public Fault(String name, String what, Target target, Ends ends, Duration hold, String component,
                List<List<String>> backWhen) {
            this(name, what, target, ends, hold, component, backWhen, null);
        }

        public Fault {
            backWhen = List.copyOf(backWhen);
            if (name == null || !name.matches("[a-z0-9-]+")) {
                throw new IllegalArgumentException("a fault's name is lower-case words joined by '-', not '" + name + "'");
            }
            if (hold.isNegative()) {
                throw new IllegalArgumentException(name + ": a negative hold");
            }
        }
    }

    /** The measurements of each fault (the chaos run's clients): its window opens, ends, and is reported. */
    public interface Windows {
        void open(String fault);

        void end(String fault);

        /**
         * The moment the plumbing did the fault (its clock, epoch ms: a line {@code @EPOCH_MS ...} of the injection),
         * later than {@link #open} by the plumbing's own start: the fault is measured from then.
         */
        void injectedAt(String fault, long epochMillis);

        /** A line of what the schedule saw (printed with the fault's figures, in its notes). */
        void note(String fault, String text);

        /**
         * Every send written while the fault lasts must get its first answer (ack or error frame) within
         * {@code seconds}; judged at its report.
         */
        void answerTarget(String fault, double seconds);

        /** The schedule's figures of the fault (into its facts in the JSON report). */
        void facts(String fault, Map<String, Object> facts);

        /** Returns once the fault's figures are printed (bounded by the measurements' own settle time). */
        void report(String fault);
    }

    /** The wait for a steady stack: null once it held for {@code hold}, else what was not steady {@code within}. */
    public interface Steady {
        String whyNot(Duration hold, Duration within);
    }

    /**
     * The database members' roles sampled a few times a second while a partition lasts (in use a thread asking the
     * plumbing's {@code --state pg-roles}; in the unit tests given lines). Lines as {@link
     * dev.chat.loadgen.report.RoleSamples} reads them: {@code EPOCH_MS pg-1=ROLE pg-2=ROLE}.
     */
    public interface RoleSampler {
        void start();

        /** Stops sampling (at once, also when it never started) and answers every sample taken since the start. */
        List<String> stop();
    }

    /** Choices of targets that read the stack now. */
    public interface Targets {
        /** The chat node with the most sockets, and how many it holds. */
        Map.Entry<String, Long> busiestNode();
    }

    /**
     * How the schedule ended. {@code ok}: every fault ran and the stack was steady after the last. Otherwise
     * {@code failure} names the fault, the step and why (a plumbing call's own last line), and {@code restore}
     * says how the restore after the failure went (null when nothing was left to restore).
     */
    public record Outcome(boolean ok, List<String> done, String failure, String restore) {
        public Outcome {
            done = List.copyOf(done);
        }

        /**
         * As the run's JSON report holds it ("schedule"): {@code ok}, the faults {@code done}, and on a failure its
         * {@code failure} and {@code restore_after_failure} (when something was restored).
         */
        public com.fasterxml.jackson.databind.node.ObjectNode json() {
            var o = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
            o.put("ok", ok);
            done.forEach(o.putArray("done")::add);
            if (failure != null) {
                o.put("failure", failure);
            }
            if (restore != null) {
                o.put("restore_after_failure", restore);
            }
            return o;
        }
    }

    private final List<Fault> faults;
    private final Plumbing plumbing;
    private final Windows windows;
    private final Steady steady;
    private final Targets targets;
    private final LongSupplier nanos;
    private final LongConsumer sleepMillis;
    private final Duration bound;
    private final Consumer<String> say;
    private final RoleSampler sampler;

    private long deadline;
    /** Whether the sampler runs (stopped after a failure). */
    private boolean sampling;
    /** The fault injected (or being injected) and not yet restored: its restore arguments. */
    private List<String> pendingRestore;

    /**
     * {@code bound}: the whole schedule, from {@link #run()} on (the run's --timeout less what the start took);
     * {@code say}: a line for the run's output.
     */
    public FaultSchedule(List<Fault> faults, Plumbing plumbing, Windows windows, Steady steady, Targets targets,
            LongSupplier nanos, LongConsumer sleepMillis, Duration bound, Consumer<String> say) {
        this(faults, plumbing, windows, steady, targets, nanos, sleepMillis, bound, say, null);
    }

    /** As above, with the role sampler of the partition fault ({@code sampler}; null when no fault needs one). */
    public FaultSchedule(List<Fault> faults, Plumbing plumbing, Windows windows, Steady steady, Targets targets,
            LongSupplier nanos, LongConsumer sleepMillis, Duration bound, Consumer<String> say, RoleSampler sampler) {
        if (faults.isEmpty()) {
            throw new IllegalArgumentException("no fault to run");
        }
        this.faults = List.copyOf(faults);
        this.plumbing = plumbing;
        this.windows = windows;
        this.steady = steady;
        this.targets = targets;
        this.nanos = nanos;
        this.sleepMillis = sleepMillis;
        this.bound = bound;
        this.say = say;
        this.sampler = sampler;
    }

    /** A step that cannot go on: the schedule stops (after restoring what is injected). */
    static final class Stop extends Exception {
        private static final long serialVersionUID = 1L;

        Stop(String why) {
            super(why, null, false, false);
        }
    }

    /** Runs the whole schedule (see the class comment); never throws for what the stack does. */
    public Outcome run() {
        deadline = nanos.getAsLong() + bound.toNanos();
        List<String> done = new ArrayList<>();
        try {
            awaitSteady("before the first fault");
            for (int i = 0; i < faults.size(); i++) {
                runFault(i, faults.get(i));
                done.add(faults.get(i).name());
            }
            return new Outcome(true, done, null, null);
        } catch (Stop e) {
            return stopped(e, done);
        }
    }

    /** After a failure: says it, restores what is injected, and answers the outcome. */
    private Outcome stopped(Stop e, List<String> done) {
        say.accept("fault schedule: stopped: " + e.getMessage());
        if (sampling) {
            sampling = false;
            sampler.stop();
        }
        String restore = null;
        if (pendingRestore != null) {
            List<String> args = pendingRestore;
            pendingRestore = null;
            say.accept("fault schedule: restoring after the failure: " + String.join(" ", args));
            Plumbing.Call c = plumbing.run(args, CALL_LIMIT);
            c.lines().forEach(say);
            restore = String.join(" ", args) + (c.ok() ? ": done" : ": FAILED (exit " + c.exit() + ": " + c.last() + ")");
        }
        return new Outcome(false, done, e.getMessage(), restore);
    }

    /**
     * Asks {@code --state QUERY...} every 200 ms on the schedule's clock until it answers 0, within {@link #STATE_LIMIT}
     * and the run's bound; its last line then (e.g. a pid).
     */
    private String awaitState(Fault f, List<String> query) throws Stop {
        List<String> args = stateArgs(query);
        Plumbing.Call last = poll(args, STATE_LIMIT, Plumbing.Call::ok);
        if (!last.ok()) {
            throw new Stop(String.format(Locale.ROOT, "%s: %s did not answer yes in time (%s s, or the run's bound): %s",
                    f.name(), String.join(" ", args), seconds(STATE_LIMIT), said(last)));
        }
        return last.last();
    }

    private static List<String> stateArgs(List<String> query) {
        List<String> args = new ArrayList<>(List.of("--state"));
        args.addAll(query);
        return args;
    }

    private static String said(Plumbing.Call c) {
        return c.last().isEmpty() ? "(no output)" : c.last();
    }

    /**
     * Asks {@code args} every 200 ms on the schedule's clock until {@code yes} holds for its answer, within
     * {@code limit} and the run's bound; the last answer (one for which {@code yes} does not hold: not in time).
     */
    private Plumbing.Call poll(List<String> args, Duration limit, java.util.function.Predicate<Plumbing.Call> yes) {
        long until = Math.min(deadline, nanos.getAsLong() + limit.toNanos());
        while (true) {
            Plumbing.Call last = plumbing.run(args, Duration.ofNanos(Math.max(1_000_000_000L, Math.min(CALL_LIMIT.toNanos(),
                    until - nanos.getAsLong()))));
            if (yes.test(last)) {
                return last;
            }
            if (nanos.getAsLong() >= until) {
                return last.ok() ? new Plumbing.Call(1, last.lines()) : last;
            }
            sleepMillis.accept(STATE_POLL_MILLIS);
        }
    }

    private void runFault(int i, Fault f) throws Stop {
        runFault(i, faults.size(), f);
    }

    private void runFault(int i, int of, Fault f) throws Stop {
        checkBound(f.name() + ", before its injection");
        List<String> target = new ArrayList<>();
        String whom = "";
        if (f.target() == Target.BUSIEST_NODE) {
            Map.Entry<String, Long> b = targets.busiestNode();
            target.add(b.getKey());
            whom = String.format(Locale.ROOT, " (%s, the node with the most sockets: %d)", b.getKey(), b.getValue());
        } else if (f.target() == Target.PG_PRIMARY || f.target() == Target.REDIS_MASTER) {
            List<String> q = List.of("--state", f.target() == Target.PG_PRIMARY ? "pg-primary" : "redis-master");
            Plumbing.Call c = plumbing.run(q, limit());
            if (!c.ok() || !c.last().matches("[a-z0-9-]+")) {
                throw new Stop(String.format(Locale.ROOT, "%s: no target: %s answered exit %d: %s", f.name(),
                        String.join(" ", q), c.exit(), c.last().isEmpty() ? "(no output)" : c.last()));
            }
            target.add(c.last());
            whom = " (" + c.last() + ")";
        }
        say.accept("");
        say.accept(String.format(Locale.ROOT, "fault %d/%d %s: %s%s", i + 1, of, f.name(), f.what(), whom));
        if (f.ends() == Ends.TAKEOVER) {
            DataTierFaults.run(new Steps(f, target.get(0)));
            awaitSteady("after " + f.name());
            return;
        }
        windows.open(f.name());
        List<String> restore = args("--restore", f.name(), target);
        pendingRestore = restore;
        if (f.ends() == Ends.SUPERVISED) {
            // The supervisor restarts it: nothing for the schedule to restore, only to wait for.
            pendingRestore = null;
            long injected = nanos.getAsLong();
            call(f, "injection", args("--inject", f.name(), target));
            windows.end(f.name());
            List<String> answers = new ArrayList<>();
            for (List<String> q : f.backWhen()) {
                answers.add(awaitState(f, q));
            }
            double back = Math.round((nanos.getAsLong() - injected) / 1e6) / 1000.0;
            windows.note(f.name(), String.format(Locale.ROOT, "%s running again (pid %s) %.2f s after the kill, restarted by supervisord",
                    f.component(), answers.isEmpty() ? "?" : answers.get(0), back));
            windows.facts(f.name(), Map.of("killed", f.component(), "restarted_and_ready_after_s", back));
            windows.report(f.name());
            awaitSteady("after " + f.name());
            return;
        }
        call(f, "injection", args("--inject", f.name(), target));
        if (f.ends() == Ends.AT_INJECT) {
            windows.end(f.name());
            hold(f);
            windows.report(f.name());
            restore(f, restore);
        } else {
            hold(f);
            restore(f, restore);
            windows.end(f.name());
            windows.report(f.name());
        }
        awaitSteady("after " + f.name());
    }

    private void restore(Fault f, List<String> args) throws Stop {
        checkBound(f.name() + ", before its restore");
        pendingRestore = null;
        // Once called, a restore is not repeated after a failure: the plumbing's answer says how far it got.
        call(f, "restore", args);
    }

    private static List<String> args(String what, String name, List<String> target) {
        List<String> a = new ArrayList<>(List.of(what, name));
        a.addAll(target);
        return List.copyOf(a);
    }

    /** A line of the plumbing that says when it acted: "[scripts/chaos: ]@EPOCH_MS what it did". */
    private static final java.util.regex.Pattern AT = java.util.regex.Pattern.compile("^(.*?: )?@(\\d{10,}) (.*)$");

    /** Runs a plumbing call of the fault; when it said it acted ({@code @EPOCH_MS}), epoch ms, else -1. */
    private long call(Fault f, String step, List<String> args) throws Stop {
        Plumbing.Call c = plumbing.run(args, limit());
        long at = -1;
        for (String line : c.lines()) {
            java.util.regex.Matcher m = AT.matcher(line);
            if (m.matches()) {
                if (args.get(0).equals("--inject") && at < 0) {
                    at = Long.parseLong(m.group(2));
                    windows.injectedAt(f.name(), at);
                }
                say.accept((m.group(1) == null ? "" : m.group(1)) + m.group(3));
            } else {
                say.accept(line);
            }
        }
        if (!c.ok()) {
            throw new Stop(String.format(Locale.ROOT, "%s: %s (%s) failed, exit %d: %s", f.name(), step,
                    String.join(" ", args), c.exit(), c.last().isEmpty() ? "(no output)" : c.last()));
        }
        return at;
    }

    /** The bound on a plumbing call: its own limit, or what is left of the run when that is less (at least 1 s). */
    private Duration limit() {
        long left = deadline - nanos.getAsLong();
        return Duration.ofNanos(Math.max(1_000_000_000L, Math.min(CALL_LIMIT.toNanos(), left)));
    }

    /** Waits out the fault's hold on the schedule's clock, checking the run's bound at least every tick. */
    private void hold(Fault f) throws Stop {
        hold(f, f.hold(), null, Duration.ZERO);
    }

    /**
     * Waits out {@code d} on the schedule's clock, checking the run's bound at least every tick; with {@code ask},
     * asks it each tick until it first answers yes while more than {@code quiet} of the hold is left, and answers
     * when that was (the clock's ns; -1: never).
     */
    private long hold(Fault f, Duration d, List<String> ask, Duration quiet) throws Stop {
        long until = nanos.getAsLong() + d.toNanos();
        long yesAt = -1;
        while (true) {
            long now = nanos.getAsLong();
            if (now >= until) {
                return yesAt;
            }
            if (now >= deadline) {
                throw new Stop(String.format(Locale.ROOT, "%s: the run's bound (%d s) passed during its hold of %s s", f.name(),
                        bound.toSeconds(), seconds(d)));
            }
            if (ask != null && yesAt < 0 && until - now > quiet.toNanos()) {
                Duration limit = Duration.ofNanos(Math.max(1_000_000_000L, Math.min(5_000_000_000L, until - now)));
                if (plumbing.run(ask, limit).ok()) {
                    yesAt = nanos.getAsLong();
                }
                now = nanos.getAsLong();
                if (now >= until || now >= deadline) {
                    continue;
                }
            }
            long next = Math.min(until, deadline);
            sleepMillis.accept(Math.max(1, Math.min(TICK_MILLIS, (next - now + 999_999) / 1_000_000)));
        }
    }

    private void awaitSteady(String when) throws Stop {
        checkBound("the steadiness wait " + when);
        long left = deadline - nanos.getAsLong();
        Duration within = Duration.ofNanos(Math.min(STEADY_WITHIN.toNanos(), left));
        String why = steady.whyNot(STEADY_HOLD, within);
        if (why != null) {
            throw new Stop("not steady " + when + ": " + why);
        }
    }

    private void checkBound(String before) throws Stop {
        if (nanos.getAsLong() >= deadline) {
            throw new Stop(String.format(Locale.ROOT, "the run's bound (%d s) passed before %s", bound.toSeconds(), before));
        }
    }

    private static String seconds(Duration d) {
        double s = d.toMillis() / 1000.0;
        return s == Math.rint(s) ? Long.toString((long) s) : String.format(Locale.ROOT, "%.1f", s);
    }

    /**
     * The steps a {@linkplain Ends#TAKEOVER takeover}'s sequence ({@link DataTierFaults}) is made of, for one fault
     * and its target: each on this schedule's clock, plumbing, measurements and bound, with its guarantees (what is
     * injected is restored once, also after a failure; a wait that does not come true in time stops the schedule,
     * naming the fault and what was awaited). Read-only state queries never stop it by themselves.
     */
    final class Steps {
        final Fault fault;
        /** The member or component the fault hits (pg-1, redis-2, ...). */
        final String target;
        private final List<String> restoreArgs;

        Steps(Fault fault, String target) {
            this.fault = fault;
            this.target = target;
            this.restoreArgs = args("--restore", fault.name(), List.of(target));
        }

        /** The schedule's clock, ns. */
        long now() {
            return nanos.getAsLong();
        }

        /** Seconds from {@code fromNanos} to now, to the millisecond. */
        double since(long fromNanos) {
            return Math.round((nanos.getAsLong() - fromNanos) / 1e6) / 1000.0;
        }

        void open() {
            windows.open(fault.name());
            if (fault.answerTarget() != null) {
                windows.answerTarget(fault.name(), fault.answerTarget().toMillis() / 1000.0);
            }
        }

        void end() {
            windows.end(fault.name());
        }

        void report() {
            windows.report(fault.name());
        }

        void note(String text) {
            windows.note(fault.name(), text);
        }

        void facts(Map<String, Object> facts) {
            windows.facts(fault.name(), facts);
        }

        void say(String line) {
            FaultSchedule.this.say.accept(line);
        }

        /**
         * {@code --inject NAME TARGET}; from its start on it is restored after a failure. Answers when the plumbing
         * said it acted (epoch ms of its {@code @EPOCH_MS} line), or -1 when it did not say.
         */
        long inject() throws Stop {
            checkBound(fault.name() + ", before its injection");
            pendingRestore = restoreArgs;
            return call(fault, "injection", args("--inject", fault.name(), List.of(target)));
        }

        /** {@code --restore NAME TARGET}, once (not repeated after a failure). */
        void restore() throws Stop {
            FaultSchedule.this.restore(fault, restoreArgs);
        }

        /** Holds for {@code d} on the schedule's clock (bounded by the run's bound). */
        void hold(Duration d) throws Stop {
            FaultSchedule.this.hold(fault, d, null, Duration.ZERO);
        }

        /**
         * Holds for {@code d}, asking {@code query} each tick until it first answers yes while more than {@code quiet}
         * of the hold is left; when that was (the clock's ns), or -1.
         */
        long holdAsking(Duration d, Duration quiet, String... query) throws Stop {
            return FaultSchedule.this.hold(fault, d, stateArgs(List.of(query)), quiet);
        }

        /** Whether {@code --state QUERY...} answers yes now. */
        boolean yes(String... query) {
            return plumbing.run(stateArgs(List.of(query)), limit()).ok();
        }

        /** {@code --state QUERY...}'s answer now (its last line), or {@code otherwise} when it answers no. */
        String ask(String otherwise, String... query) {
            Plumbing.Call c = plumbing.run(stateArgs(List.of(query)), limit());
            return c.ok() && !c.last().isEmpty() ? c.last() : otherwise;
        }

        /** Waits until {@code --state QUERY...} answers yes, within {@code limit}; its answer then. */
        String await(String what, Duration limit, String... query) throws Stop {
            return await(what, limit, a -> true, query);
        }

        /**
         * Waits until {@code --state QUERY...} answers yes with an answer (its last line) for which {@code yes} holds,
         * within {@code limit} and the run's bound; that answer. Otherwise the schedule stops: "FAULT: WHAT: not
         * within N s (--state QUERY: its last line)".
         */
        String await(String what, Duration limit, java.util.function.Predicate<String> yes, String... query) throws Stop {
            List<String> args = stateArgs(List.of(query));
            Plumbing.Call c = poll(args, limit, x -> x.ok() && yes.test(x.last()));
            if (!c.ok() || !yes.test(c.last())) {
                throw new Stop(String.format(Locale.ROOT, "%s: %s: not within %s s, or the run's bound (%s: %s)", fault.name(),
                        what, seconds(limit), String.join(" ", args), said(c)));
            }
            return c.last();
        }

        /** Stops the schedule with {@code why} (a verdict: FAIL), after restoring what is injected. */
        Stop fail(String why) {
            return new Stop(fault.name() + ": " + why);
        }

        void startSampling() {
            if (sampler == null) {
                throw new IllegalStateException("no role sampler");
            }
            sampler.start();
            sampling = true;
        }

        List<String> stopSampling() {
            sampling = false;
            return sampler.stop();
        }
    }
}
