/**
 * The HTTP API of user-service ({@code /api/users*}, {@code /api/auth*}): resources, request and response bodies,
 * and the mappers of this service's own failures to the JSON error body (the generic ones are service-common's
 * {@code JsonErrorMappers}). Promises that every answer, refusals included, is JSON, and that no message quotes a
 * request body. Uses {@code account}, {@code auth} and {@code session}; nothing uses it.
 */
package dev.chat.users.api;
