// Other people's display names and pictures, as user-service keeps them (GET /api/users/{name}), in a small
// cache. The fetch is passed in (the page passes the API; page-spec.js an in-memory one), so the cache's rules
// are unit-tested: each name is asked for at most once at a time, at most `maxInFlight` at once, again only after
// `ttlMs` (`failTtlMs` after a failure), and at most `maxEntries` names are kept (the least recently fetched go).

/**
 * A profile cache. `fetch(username)` answers {displayName?, avatar?} or null (no such account, or it failed);
 * `onChange(username)` is called when what is known of a name changed.
 */
export function createProfiles({ fetch, onChange = () => {}, now = () => Date.now(), ttlMs = 5 * 60000,
  failTtlMs = 30000, maxEntries = 500, maxInFlight = 4 }) {
  const entries = new Map(); // username → {profile: {displayName, avatar} | null, until}
  const queued = new Set(); // asked for, waiting for a free slot
  const asking = new Set(); // fetched now

  let closed = false;

  function pump() {
    while (!closed && asking.size < maxInFlight && queued.size) {
      const name = queued.values().next().value;
      queued.delete(name);
      asking.add(name);
      Promise.resolve()
        .then(() => fetch(name))
        .catch(() => null)
        .then((view) => {
          asking.delete(name);
          if (closed) return;
          store(name, view);
          pump();
        });
    }
  }

  function store(name, view) {
    const profile = view ? { displayName: clean(view.displayName), avatar: typeof view.avatar === 'string' ? view.avatar : null }
      : null;
    const had = entries.get(name);
    entries.delete(name); // re-inserted last: the least recently fetched are first in the map
    entries.set(name, { profile: profile || (had && had.profile) || null, until: now() + (view ? ttlMs : failTtlMs) });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value);
    const before = had && had.profile;
    const after = entries.get(name).profile;
    if (!same(before, after)) onChange(name);
  }

  return {
    /** What is known of a name now ({displayName, avatar} or null); unknown or stale names are fetched (`want`). */
    get(name, want = true) {
      const e = entries.get(name);
      if (want && (!e || e.until <= now()) && !queued.has(name) && !asking.has(name)) {
        queued.add(name);
        pump();
      }
      return e ? e.profile : null;
    },
    /**
     * What the page learnt of a name without asking (the person's own profile, just saved): kept as a fetched
     * answer would be, `onChange` when it differs from what was known.
     */
    learn(name, view) {
      if (!closed && view) store(name, view);
    },
    /** The name to show: the display name when there is one, else the username. */
    nameOf(name, want = true) {
      const p = this.get(name, want);
      return (p && p.displayName) || name;
    },
    /** The picture's URL, or null. */
    avatarOf(name, want = true) {
      const p = this.get(name, want);
      return (p && p.avatar) || null;
    },
    /** Names fetched or asked for but not answered yet (for tests). */
    get pending() {
      return queued.size + asking.size;
    },
    get size() {
      return entries.size;
    },
    /** Forgets everything; answers that come later are dropped. */
    close() {
      closed = true;
      entries.clear();
      queued.clear();
      asking.clear();
    },
  };
}

function clean(displayName) {
  return typeof displayName === 'string' && displayName.trim() ? displayName.trim() : null;
}

function same(a, b) {
  if (!a || !b) return !a && !b;
  return a.displayName === b.displayName && a.avatar === b.avatar;
}
