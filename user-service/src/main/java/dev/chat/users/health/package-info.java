/**
 * What HAProxy asks before sending traffic: readiness from state a background probe keeps, so the answer never
 * waits behind password hashing or a busy pool. Depends on nothing else of the service.
 */
package dev.chat.users.health;
