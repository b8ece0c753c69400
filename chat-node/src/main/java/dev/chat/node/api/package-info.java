/**
 * The REST endpoints of chat-node, layer 10 (with {@code endpoint}): conversations and history
 * ({@link dev.chat.node.api.ConversationResource}), groups ({@link dev.chat.node.api.GroupResource}) and search
 * ({@link dev.chat.node.api.SearchResource}), for the web page. Validates input and calls the {@code history} and {@code groups} stores; nothing below imports it.
 *
 * <p>Promises: only the caller's own data; bad input gets a 400 with the JSON error body, a refused group
 * operation 403 or 404 (never revealing a group to a non-member); every call answers within
 * {@code chat.postgres.call-timeout}, with 503 {@code unavailable} when the store gave no answer in time.
 */
package dev.chat.node.api;
