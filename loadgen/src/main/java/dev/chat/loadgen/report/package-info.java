/**
 * What a scenario run concludes, from raw observations to figures and verdicts: the facts a controller script
 * hands over as {@code key=value} words and epoch-millisecond spans ({@link Facts}), the probes' answers
 * ({@link ProbeTally}), the database members' role samples ({@link RoleSamples}), Prometheus text
 * ({@link PromText}) and the services' logs ({@link LogHygiene}). Every class here is a pure function of its
 * input (files or text), so each verdict has a fast test; the scripts only collect the input (processes,
 * namespaces, signals), and the scenario commands write the JSON report the system tests assert on.
 */
package dev.chat.loadgen.report;
