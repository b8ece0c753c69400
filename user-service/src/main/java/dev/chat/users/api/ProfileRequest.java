package dev.chat.users.api;

/** {@code PATCH /api/users/me}: the display name to show beside the username; null or blank removes it. */
public record ProfileRequest(String displayName) {
}
