/**
 * The load tool's command line ({@link Main}): the subcommands of {@code dev.chat.loadgen.scenario} and
 * {@code dev.chat.loadgen.bench}, nothing else. Every client here speaks the wire contract only (its frames
 * from the {@code chat-client} module, most sessions through its {@code Connector}), never a service's internals.
 */
package dev.chat.loadgen;
