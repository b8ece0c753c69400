/**
 * Charts of a run for people: a {@link dev.chat.loadgen.measure.Timeline} drawn as one self-contained HTML page
 * with inline SVG (no scripts, no network), written beside the run's text report. It reads the measurements only;
 * measuring belongs to {@code dev.chat.loadgen.measure}.
 */
package dev.chat.loadgen.chart;
