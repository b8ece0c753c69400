/**
 * Sessions: a sign-in on one device, kept alive by a refresh token that rotates on every use. Owns the
 * {@code sessions} and {@code refresh_tokens} tables (only hashes of tokens are stored), rotation, reuse detection
 * (a used token presented again revokes its whole family) and logout. Uses {@code auth} to sign access tokens;
 * {@code api} uses it.
 */
package dev.chat.users.session;
