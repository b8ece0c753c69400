/**
 * Accounts: registration (the username rule is service-common's {@code Usernames}), the sign-up throttle, and what
 * a person does to their own account ({@link dev.chat.users.account.AccountSecurity}: a new password, deletion,
 * which releases the name once chat-node has re-keyed the account's chat data to {@code ~ID};
 * {@link dev.chat.users.account.Profiles}: display name and avatar, checked by
 * {@link dev.chat.users.account.AvatarImage}). Owns the {@code accounts} and {@code name_releases} tables
 * (chat-node sees the pending releases through the view {@code pending_name_releases} and marks them released).
 * Uses {@code auth} to hash passwords; {@code api} uses it.
 */
package dev.chat.users.account;
