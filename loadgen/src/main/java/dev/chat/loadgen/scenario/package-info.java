/**
 * The scenarios an operator or a system test runs: the failover drill and the chaos run (driven by their scripts'
 * commands on stdin, {@link ControllerLink}), the soak with its misbehaving clients, the plain chat crowd, and the
 * one-shot helpers the scripts call ({@code busiest}, {@code await-steady}, {@code soak-report}). The chaos run's
 * scenario is a {@link dev.chat.loadgen.scenario.FaultSchedule} run here on its own clock; the script only does
 * what it asks to the processes ({@link dev.chat.loadgen.scenario.Plumbing}). Each command measures through
 * {@code measure}, judges through {@code report}, draws through {@code chart}, and decides the exit code: the scripts
 * are the plumbing, the verdict is made here.
 */
package dev.chat.loadgen.scenario;
