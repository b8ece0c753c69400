/**
 * Where the scenarios' clients connect and as whom: the entry point's addresses and TLS trust ({@link Endpoint})
 * and the accounts they sign up and sign in through the public API ({@link Accounts}).
 * The sockets go through the {@code chat-client} module's {@code Connector}, one per process.
 */
package dev.chat.loadgen.client;
