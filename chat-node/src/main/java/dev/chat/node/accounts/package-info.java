/**
 * Deleted accounts, a store job (layer 6, above {@code groups}): {@link dev.chat.node.accounts.NameReleases} re-keys
 * a deleted account's chat data from its name to its tombstone key ({@code ~ID}, service-common's
 * {@code DeletedAccounts}) and then marks the name released, so that user-service lets someone new register it.
 * Reads and updates user-service's view {@code pending_name_releases} (db/users V12) and writes the node's own
 * tables. Imports only {@code postgres} and {@code config}.
 *
 * <p>Promises: a release is all or nothing (one transaction: every table re-keyed and the release marked, or none of
 * it); each release is done once however many nodes run the job (the row is claimed {@code FOR UPDATE SKIP LOCKED});
 * a name is released only after no chat row names it any more; every call is bounded in time.
 */
package dev.chat.node.accounts;
