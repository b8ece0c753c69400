/**
 * Accounts: registration (the username rule is service-common's {@code Usernames}), the sign-up throttle, and what
 * a person does to their own account ({@link dev.chat.users.account.AccountSecurity}: a new password, deletion,
 * which retires the name for good; {@link dev.chat.users.account.Profiles}: display name and avatar, checked by
 * {@link dev.chat.users.account.AvatarImage}). Owns the {@code accounts} and {@code retired_usernames} tables.
 * Uses {@code auth} to hash passwords; {@code api} uses it.
 */
package dev.chat.users.account;
