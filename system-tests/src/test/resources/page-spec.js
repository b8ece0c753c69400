// The page's state rules and words (page/store.js, page/text.js, page/session.js), checked in a real browser
// (PageModulesTest), and the profile cache (page/profiles.js). Run as the body of an async function: `store`,
// `text`, `session`, `profiles` and `client` are the imported modules; it answers a list of failures. Everything here is in memory: no DOM, no network.
const failures = [];
const check = (cond, what) => {
  if (!cond) failures.push(what);
};
const eq = (a, b, what) => check(JSON.stringify(a) === JSON.stringify(b), `${what}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);

class MemoryStorage {
  constructor() {
    this.m = new Map();
  }
  getItem(k) {
    return this.m.has(k) ? this.m.get(k) : null;
  }
  setItem(k, v) {
    this.m.set(k, String(v));
  }
  removeItem(k) {
    this.m.delete(k);
  }
}

try {
  const S = store;
  // 1. A message is kept once per sender and ID: shown once, however often it comes.
  {
    const t = S.threadOf(S.createState(), 'bob');
    eq(S.upsertMessage(t, { id: 'a', from: 'bob', body: 'hi', ts: 10, state: 'received' }).fresh, true, 'first copy is fresh');
    eq(S.upsertMessage(t, { id: 'a', from: 'bob', body: 'hi', ts: 10, state: 'received' }).fresh, false, 'second copy is not');
    eq(S.upsertMessage(t, { id: 'a', from: 'carol', body: 'hi', ts: 11, state: 'received' }).fresh, true,
      'the same ID from someone else is another message');
    eq(t.msgs.size, 2, 'two messages kept');
  }
  // 2. A state only moves forward; a retry may go failed → sending; seq and the server's time replace local ones.
  {
    const t = S.threadOf(S.createState(), 'bob');
    S.upsertMessage(t, { id: 'm', from: 'me', body: 'x', ts: 5, state: 'sending' });
    S.upsertMessage(t, { id: 'm', from: 'me', state: 'delivered' });
    S.upsertMessage(t, { id: 'm', from: 'me', state: 'sent' });
    eq(t.msgs.get(S.msgKey('me', 'm')).state, 'delivered', 'delivered is not undone by a late sent');
    S.upsertMessage(t, { id: 'f', from: 'me', body: 'y', ts: 6, state: 'failed' });
    S.upsertMessage(t, { id: 'f', from: 'me', state: 'sending' });
    eq(t.msgs.get(S.msgKey('me', 'f')).state, 'sending', 'a retry goes failed → sending');
    S.upsertMessage(t, { id: 'm', from: 'me', seq: 42, ts: 7 });
    eq([t.msgs.get(S.msgKey('me', 'm')).seq, t.msgs.get(S.msgKey('me', 'm')).ts], [42, 7], 'seq and server time taken');
  }
  // 3. A delete once known is never undone by an older edit; an edit changes the body; seen stays.
  {
    const t = S.threadOf(S.createState(), 'bob');
    S.upsertMessage(t, { id: 'e', from: 'bob', body: 'one', ts: 1, state: 'received' });
    S.upsertMessage(t, { id: 'e', from: 'bob', body: 'two', edited: true });
    eq(t.msgs.get(S.msgKey('bob', 'e')).body, 'two', 'edit changes the body');
    S.upsertMessage(t, { id: 'e', from: 'bob', deleted: true });
    S.upsertMessage(t, { id: 'e', from: 'bob', body: 'three', edited: true });
    const m = t.msgs.get(S.msgKey('bob', 'e'));
    eq([m.deleted, m.body], [true, 'two'], 'an edit after the delete changes nothing');
    S.upsertMessage(t, { id: 'e', from: 'bob', seen: true });
    S.upsertMessage(t, { id: 'e', from: 'bob', seen: false });
    eq(m.seen, true, 'seen is never undone');
  }
  // 4. Order: by time, then by seq; unsent (no seq) after stored ones of the same time.
  {
    const t = S.threadOf(S.createState(), 'bob');
    S.upsertMessage(t, { id: 'u', from: 'me', ts: 20, state: 'sending' });
    S.upsertMessage(t, { id: 'b', from: 'bob', ts: 20, seq: 3 });
    S.upsertMessage(t, { id: 'a', from: 'bob', ts: 20, seq: 2 });
    S.upsertMessage(t, { id: 'z', from: 'bob', ts: 5, seq: 9 });
    eq(S.sortedMessages(t).map((m) => m.id), ['z', 'a', 'b', 'u'], 'thread order');
  }
  // 5. History: states as the sender sees them; the smallest seq moves down; a repeated page adds nothing.
  {
    const t = S.threadOf(S.createState(), 'bob');
    const page = [
      { id: '1', from: 'me', to: 'bob', body: 'a', ts: 1, seq: 10, delivered: true, seenBy: 1 },
      { id: '2', from: 'bob', to: 'me', body: 'b', ts: 2, seq: 11 },
      { id: '3', from: 'me', group: 7, body: 'c', ts: 3, seq: 12, delivered: true, seenBy: 2 },
      { id: '4', from: 'me', to: 'bob', body: 'd', ts: 4, seq: 13, delivered: false },
    ];
    S.mergeHistory(t, page, 'me');
    S.mergeHistory(t, page, 'me');
    eq(t.msgs.size, 4, 'a repeated page adds nothing');
    eq(t.minSeq, 10, 'minSeq');
    const st = (from, id) => t.msgs.get(S.msgKey(from, id));
    eq([st('me', '1').state, st('me', '1').seen], ['delivered', true], 'own 1:1 delivered and seen');
    eq(st('bob', '2').state, 'received', 'theirs: received');
    eq([st('me', '3').state, st('me', '3').seen, st('me', '3').group], ['sent', false, '7'],
      'own group message: sent, never seen (seen by N instead), group as a string');
    eq(st('me', '4').state, 'sent', 'own undelivered: sent');
  }
  // 6. The later of two last messages.
  {
    const a = { ts: 1 };
    const b = { ts: 2 };
    check(S.newer(a, b) === b && S.newer(b, a) === b && S.newer(null, a) === a && S.newer(a, null) === a, 'newer');
    eq(S.newer(null, undefined), null, 'newer of nothing');
  }
  // 7. The server's list: its unread counts, none for the conversation being read, a local newer last kept.
  {
    const s = S.createState();
    const local = { id: 'x', from: 'bob', ts: 500, body: 'newest' };
    S.ensureConv(s, 'bob').last = local;
    S.applyConversationList(s, [
      { with: 'bob', unread: 2, last: { id: 'o', from: 'bob', ts: 400, body: 'old' } },
      { with: 'carol', unread: 3, last: { id: 'c', from: 'carol', ts: 300, body: 'hey' } },
    ], [{ id: 9, name: 'Team', role: 'admin', members: 4, unread: 1, last: { id: 'g', from: 'dan', ts: 600 } }],
    (key) => key === 'carol');
    eq(s.convs.get('bob').last, local, 'a newer local last message stays');
    eq([s.convs.get('bob').unread, s.convs.get('bob').baselineTs], [2, 400], 'bob: unread and baseline');
    eq(s.convs.get('carol').unread, 0, 'the conversation being read has none unread');
    const g = s.convs.get(S.groupKey(9));
    eq([g.name, g.role, g.memberCount, g.unread, g.group], ['Team', 'admin', 4, 1, '9'], 'the group');
    eq(S.totalUnread(s), 3, 'total unread');
    S.ensureConv(s, 'new');
    eq(S.sortedConversations(s).map((c) => c.key), ['new', S.groupKey(9), 'bob', 'carol'],
      'list order: new conversations first, then newest last message');
  }
  // 8. Unread counting: not while reading, not one's own, not read already here or elsewhere.
  {
    const conv = { unread: 0, baselineTs: 100 };
    check(S.countsAsUnread(conv, { from: 'bob', ts: 150 }, 'me', false), 'a new message counts');
    check(!S.countsAsUnread(conv, { from: 'bob', ts: 150 }, 'me', true), 'not while reading');
    check(!S.countsAsUnread(conv, { from: 'me', ts: 150 }, 'me', false), 'not one\'s own');
    check(!S.countsAsUnread(conv, { from: 'bob', ts: 100 }, 'me', false), 'not at or before the baseline');
    conv.unread = 2;
    eq(S.applyReadElsewhere(conv, 200), true, 'a read elsewhere clears the count');
    eq(S.applyReadElsewhere(conv, 150), false, 'a second read changes nothing');
    eq(conv.readElsewhereTs, 200, 'read elsewhere keeps the latest time');
    check(!S.countsAsUnread(conv, { from: 'bob', ts: 180 }, 'me', false), 'not when read on another device');
    check(S.countsAsUnread(conv, { from: 'bob', ts: 201 }, 'me', false), 'a later one counts again');
  }
  // 9. Read up to: the newest of the peer's (1:1) or the others' (group) messages; notices do not count.
  {
    const t = S.threadOf(S.createState(), 'bob');
    S.upsertMessage(t, { id: '1', from: 'bob', ts: 10 });
    S.upsertMessage(t, { id: '2', from: 'me', ts: 30 });
    S.upsertMessage(t, { id: 'n', from: '', notice: true, ts: 40 });
    eq(S.readUpTo(t, null, 'bob', 'me'), 10, '1:1: the peer\'s newest');
    eq(S.readUpTo(t, { last: { from: 'bob', ts: 25 } }, 'bob', 'me'), 25, 'the list\'s last message counts');
    const g = S.threadOf(S.createState(), S.groupKey(1));
    S.upsertMessage(g, { id: '1', from: 'ann', ts: 10 });
    S.upsertMessage(g, { id: '2', from: 'bob', ts: 20 });
    S.upsertMessage(g, { id: '3', from: 'me', ts: 30 });
    eq(S.readUpTo(g, null, S.groupKey(1), 'me'), 20, 'group: the others\' newest');
  }
  // 10. Seen: the person's sent or delivered messages up to ts become delivered and seen; sending ones do not.
  {
    const t = S.threadOf(S.createState(), 'bob');
    S.upsertMessage(t, { id: '1', from: 'me', ts: 10, state: 'sent' });
    S.upsertMessage(t, { id: '2', from: 'me', ts: 20, state: 'sending' });
    S.upsertMessage(t, { id: '3', from: 'me', ts: 30, state: 'delivered' });
    const changed = S.applySeen(t, 'me', 25);
    eq(changed.map((m) => m.id), ['1'], 'what changed');
    eq([t.msgs.get(S.msgKey('me', '1')).state, t.msgs.get(S.msgKey('me', '1')).seen], ['delivered', true], 'seen');
    eq(t.msgs.get(S.msgKey('me', '3')).seen, undefined, 'a later one is not seen');
  }
  // 11. A change of the last message shows in the preview.
  {
    const s = S.createState();
    S.ensureConv(s, 'bob').last = { id: '1', from: 'bob', body: 'hi', ts: 1 };
    eq(S.applyLastChange(s, { id: '1', from: 'bob', deleted: true }), true, 'last message changed');
    eq(s.convs.get('bob').last.body, S.DELETED_TEXT, 'deleted preview');
    eq(S.applyLastChange(s, { id: '1', from: 'carol', body: 'x' }), false, 'another sender\'s message is another');
  }
  // 12. Typing notices run out; groups are fetched when met without their info.
  {
    const s = S.createState();
    S.noteTyping(s, 'bob', 'bob', 1000);
    S.noteTyping(s, S.groupKey(1), 'ann', 500);
    S.noteTyping(s, S.groupKey(1), 'cy', 2000);
    eq(S.typingNow(s, S.groupKey(1), 900), ['cy'], 'one notice ran out');
    eq(S.typingNow(s, S.groupKey(1), 900), ['cy'], 'and it is forgotten');
    eq(S.typingNow(s, null, 0), [], 'no conversation open');
    const first = S.ensureGroupConv(s, 5);
    const again = S.ensureGroupConv(s, 5, { name: 'Five', members: [{ username: 'a' }, { username: 'b' }] });
    eq([first.created, again.created, again.conv.name, again.conv.memberCount], [true, false, 'Five', 2], 'groups');
    check(first.conv === again.conv, 'the same group entry');
    s.authMode = 'signup';
    s.openPeer = 'bob';
    S.resetState(s);
    eq([s.convs.size, s.typers.size, s.openPeer, s.authMode], [0, 0, null, 'signup'], 'a reset forgets the person');
  }
  // 13. Members in order; mentions as whole words.
  {
    eq(S.sortedMembers([{ username: 'zed', role: 'member' }, { username: 'bo', role: 'admin' },
      { username: 'al', role: 'member' }, { username: 'own', role: 'owner' }]).map((m) => m.username),
    ['own', 'bo', 'al', 'zed'], 'members order');
    check(S.mentions('hi @mary.jones!', 'mary.jones'), 'a mention');
    check(!S.mentions('hi @mary.jonesy', 'mary.jones'), 'a longer name is not a mention');
    check(!S.mentions('hi @maryXjones', 'mary.jones'), 'the dot is not a wildcard');
    check(!S.mentions('mail@mary.jones', 'mary.jones'), 'an address is not a mention');
  }
  // 14. Words.
  {
    const T = text;
    eq([T.typingText([]), T.typingText(['a']), T.typingText(['a', 'b']), T.typingText(['a', 'b', 'c'])],
      ['', 'a is typing…', 'a and b are typing…', 'Several people are typing…'], 'typing text');
    eq([T.previewText(null, 'me', false), T.previewText({ from: 'me', body: 'a\n b' }, 'me', false),
      T.previewText({ from: 'ann', body: 'x' }, 'me', true), T.previewText({ from: 'ann', body: 'x' }, 'me', false)],
    ['No messages yet', 'You: a b', 'ann: x', 'x'], 'previews');
    eq(T.groupChangeText({ change: 'role', by: 'a', user: 'b', role: 'admin' }), 'a made b an admin', 'role text');
    eq(T.groupChangeText({ change: 'exploded' }), null, 'an unknown change');
    eq([T.personInitials('mary.jones'), T.personInitials('bob'), T.groupInitials('the team'), T.groupInitials('!!')],
      ['mj', 'b', 'tt', '#'], 'initials');
    eq([T.personInitials('gh', 'Grace Hopper'), T.personInitials('bob_x', 'Bob'), T.personInitials('mary.jones', '  '),
      T.personInitials('ann', '🚀 émile zola'), T.personInitials('ann', null), T.personInitials('ann', 'ann')],
    ['GH', 'B', 'mj', 'éz', 'a', 'a'], 'a person\'s initials: the display name\'s, else the username\'s');
    eq([T.memberText(1), T.memberText(3), T.memberText(undefined)], ['1 member', '3 members', '0 members'], 'members');
    check(T.hueOf('alice') === T.hueOf('alice') && T.hueOf('alice') >= 0 && T.hueOf('alice') < 360, 'hue');
    const now = new Date(2026, 5, 15, 12).getTime();
    eq([T.dayText(now - 3600000, now), T.dayText(now - 86400000, now)], ['Today', 'Yesterday'], 'day lines');
  }
  // 14b. Names as people see them: the display name, the username beside it only where it disambiguates.
  {
    const s = S.createState();
    const shown = { grace: 'Grace H.', mallory: 'bob', ann: 'Ann', ann2: 'ann' };
    s.profiles = { nameOf: (n) => shown[n] || n, avatarOf: () => null };
    s.session = { username: 'me' };
    eq(S.nameAmong(s, 'grace', ['bob', 'me']), 'Grace H.', 'a display name alone when no one else is named so');
    eq(S.nameAmong(s, 'bob', ['grace']), 'bob', 'no display name: the username');
    eq(S.nameAmong(s, 'mallory', ['bob', 'grace']), 'bob (@mallory)', 'a display name that is another\'s username');
    eq(S.nameAmong(s, 'ann', ['ann2']), 'Ann (@ann)', 'the same display name as another\'s, ignoring case');
    eq(S.nameAmong(s, 'ann2', ['ann']), 'ann (@ann2)', 'either way round');
    eq(S.withUsername('bob', 'bob'), 'bob', 'no display name: nothing beside the username');
    // A deleted account's key (~ and its id): "Deleted account", with no picture, and its profile never asked for.
    eq([S.isDeletedAccount('~42'), S.isDeletedAccount('~042'), S.isDeletedAccount('~'), S.isDeletedAccount('bob'),
      S.isDeletedAccount('~4x')], [true, false, false, false, false], 'a deleted account\'s key');
    s.profiles.nameOf = (n) => { check(n[0] !== '~', `a deleted account's profile asked for: ${n}`); return shown[n] || n; };
    eq([S.shownName(s, '~42'), S.pictureOf(s, '~42'), S.nameAmong(s, '~42', ['bob'])],
      ['Deleted account', null, 'Deleted account'], 'a deleted account as shown');
    S.ensureConv(s, 'bob');
    S.ensureGroupConv(s, 7, { name: 'Seven' });
    S.upsertMessage(S.threadOf(s, 'g:7'), { id: 'x', from: 'mallory', body: 'hi', ts: 1, state: 'received' });
    S.upsertMessage(S.threadOf(s, 'g:7'), { id: 'n', from: '', notice: true, body: 'a joined', ts: 2 });
    s.groupMembers = { id: '7', role: 'member', members: [{ username: 'grace', role: 'owner' }] };
    eq([...S.namesAround(s, 'g:7')].sort(), ['bob', 'grace', 'mallory', 'me'], 'the people around a group');
    eq([...S.namesAround(s, 'bob')].sort(), ['bob', 'me'], 'the people around a one-to-one conversation');
    eq(S.nameIn(s, 'g:7', 'mallory'), 'bob (@mallory)', 'bob in the list: mallory\'s display name is disambiguated');
    eq(S.nameIn(s, 'g:7', 'grace'), 'Grace H.', 'grace is shown by her display name');
    const T = text;
    eq(T.previewText({ from: 'grace', body: 'x' }, 'me', true, (u) => S.nameIn(s, 'g:7', u)), 'Grace H.: x',
      'a group preview names the sender as shown');
    eq(T.groupChangeText({ change: 'added', by: 'grace', user: 'mallory' }, (u) => S.nameIn(s, 'g:7', u)),
      'Grace H. added bob (@mallory)', 'a group change names people as shown');
    // A change line keeps who did what, so it names people as they are shown when it is drawn, not when it came.
    const n = S.groupNotice({ type: 'group', group: 7, change: 'added', by: 'grace', user: 'zoe' }, 5);
    eq([n.notice, n.group, n.from, n.ts, n.body], [true, '7', '', 5, 'grace added zoe'], 'a change line');
    S.upsertMessage(S.threadOf(s, 'g:7'), n);
    check(S.namesAround(s, 'g:7').has('zoe'), 'the people a change line names are among those around');
    eq(S.noticeText(s, n), 'Grace H. added zoe', 'zoe\'s display name not known yet');
    shown.zoe = 'Zoë';
    shown.grace = 'Grace Hopper';
    eq(S.noticeText(s, n), 'Grace Hopper added Zoë', 'the same line once zoe\'s name came and grace\'s changed');
    eq(S.noticeText(s, { notice: true, body: 'older words' }), 'older words', 'a line without a change: its words');
  }
  // 15. The stored session: only a well-formed one counts.
  {
    const st = new MemoryStorage();
    eq(session.loadSession(st), null, 'none stored');
    st.setItem(session.SESSION_KEY, '{bad json');
    eq(session.loadSession(st), null, 'unreadable');
    st.setItem(session.SESSION_KEY, JSON.stringify({ username: 'a', token: 't', expiresAt: '1' }));
    eq(session.loadSession(st), null, 'a wrong type');
    session.saveSession(st, { username: 'a', token: 't', expiresAt: 1 });
    eq(session.loadSession(st), { username: 'a', token: 't', expiresAt: 1 }, 'round trip');
    session.forgetSession(st);
    eq(session.loadSession(st), null, 'forgotten');
    st.setItem('chat.clientOptions', JSON.stringify({ giveUpAfterMs: 5000, retryIntervalMs: -1, evil: 3, heartbeatIntervalMs: '9' }));
    eq(session.clientTimings(st), { giveUpAfterMs: 5000 }, 'only positive numbers of known options');
    st.setItem('chat.clientOptions', 'nope');
    eq(session.clientTimings(st), {}, 'unreadable options');
  }
  // 16. Resuming from the refresh cookie: the name comes from the token; any failure is "signed out".
  {
    const b64 = (o) => btoa(JSON.stringify(o)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    const jwt = (c) => `${b64({ alg: 'none' })}.${b64(c)}.sig`;
    eq(session.claims(jwt({ upn: 'alice', n: 1 })).upn, 'alice', 'claims');
    eq(await session.resume({ refresh: async () => ({ token: jwt({ upn: 'alice' }), expiresAt: 9 }) }),
      { username: 'alice', token: jwt({ upn: 'alice' }), expiresAt: 9 }, 'resumed');
    eq(await session.resume({ refresh: async () => ({ token: jwt({ sub: 'x' }), expiresAt: 9 }) }), null, 'no name');
    eq(await session.resume({ refresh: async () => { throw new client.ApiError(401, 'unauthorized'); } }), null, 'refused');
  }
  // 17. The sign-in rules and the words for refusals.
  {
    const C = session.checkCredentials;
    eq(C('signin', '', 'x'), { text: 'Enter your username.', field: 'auth-username' }, 'no username');
    eq(C('signin', 'a', ''), { text: 'Enter your password.', field: 'auth-password' }, 'no password');
    eq(C('signin', 'A!', 'short'), null, 'sign-in leaves the rules to the server');
    eq(C('signup', 'A!', 'long enough').field, 'auth-username', 'bad username on sign-up');
    eq(C('signup', 'alice', 'short').field, 'auth-password', 'short password');
    eq(C('signup', 'alice', 'é'.repeat(40)).text, 'That password is too long (at most 72 bytes).', '72 bytes');
    eq(C('signup', 'alice', 'long enough'), null, 'good sign-up');
    const E = (s, c) => new client.ApiError(s, c);
    eq(session.authMessage(E(401)), 'Wrong username or password.', '401');
    eq(session.authMessage(E(409, 'username_taken')), 'That username is taken. Pick another one.', 'taken');
    eq(session.authMessage(new Error('x')), 'Something went wrong. Please try again.', 'not an API error');
    eq(session.groupError(E(403), 'f'), 'Only the group’s owner and admins can do that.', '403');
    eq(session.groupError(E(400, 'unknown_users'), 'f'), 'Some of those people do not exist.', 'unknown users');
    eq(session.groupError('boom', 'f'), 'f', 'fallback');
  }
  // 18. Others' profiles: each name asked for once at a time, a bounded number at once, again after the TTL.
  {
    const asked = [];
    const answers = new Map(); // name → resolve
    let clock = 1000;
    let running = 0;
    let most = 0;
    const changed = [];
    const fetch = (name) => new Promise((resolve, reject) => {
      asked.push(name);
      running++;
      most = Math.max(most, running);
      answers.set(name, { resolve: (v) => { running--; resolve(v); }, reject: (e) => { running--; reject(e); } });
    });
    const settle = () => new Promise((r) => setTimeout(r, 0));
    const p = profiles.createProfiles({ fetch, onChange: (n) => changed.push(n), now: () => clock, ttlMs: 100,
      failTtlMs: 10, maxEntries: 3, maxInFlight: 2 });
    eq([p.nameOf('ada'), p.avatarOf('ada')], ['ada', null], 'unknown: the username, no picture');
    p.get('ada');
    await settle();
    eq(asked, ['ada'], 'asked once while pending');
    answers.get('ada').resolve({ displayName: 'Ada L.', avatar: '/api/users/ada/avatar?v=1' });
    await settle();
    eq([p.nameOf('ada'), p.avatarOf('ada'), changed], ['Ada L.', '/api/users/ada/avatar?v=1', ['ada']], 'known');
    p.get('ada');
    await settle();
    eq(asked.length, 1, 'not asked again within the TTL');
    for (const n of ['b1', 'b2', 'b3', 'b4']) p.get(n);
    await settle();
    eq([asked.length, p.pending], [3, 4], 'two at once, the rest wait');
    answers.get('b1').resolve({ displayName: '  ' });
    answers.get('b2').reject(new Error('down'));
    await settle();
    await settle();
    eq(asked.slice(3), ['b3', 'b4'], 'the waiting ones go as answers come');
    eq([p.nameOf('b1', false), p.nameOf('b2', false)], ['b1', 'b2'], 'a blank display name, a failure: the username');
    answers.get('b3').resolve(null);
    answers.get('b4').resolve({ displayName: 'Four' });
    await settle();
    check(most <= 2, 'never more than two at once: ' + most);
    eq(p.size, 3, 'at most three names kept');
    eq(p.get('ada', false), null, 'the least recently fetched went first');
    clock += 50;
    p.get('b2');
    await settle();
    eq(asked[asked.length - 1], 'b2', 'a failure is asked again after its shorter TTL');
    answers.get('b2').reject(new Error('down'));
    await settle();
    clock += 200;
    p.get('b4');
    await settle();
    eq(asked[asked.length - 1], 'b4', 'a stale name is asked again');
    answers.get('b4').reject(new Error('down'));
    await settle();
    eq(p.nameOf('b4', false), 'Four', 'a failed refresh keeps what was known');
    p.get('late');
    await settle();
    p.close();
    answers.get('late').resolve({ displayName: 'Late' });
    await settle();
    eq([p.size, changed.includes('late')], [0, false], 'an answer after close is dropped');
    // The person's own profile, just saved, is learnt without asking; a change of it is told.
    const q = profiles.createProfiles({ fetch, onChange: (n) => changed.push(n), now: () => clock });
    const before = asked.length;
    q.learn('me', { username: 'me', displayName: 'Me Myself' });
    q.learn('me', { username: 'me', displayName: 'Me Myself' });
    eq([q.nameOf('me'), asked.length, changed.filter((x) => x === 'me').length], ['Me Myself', before, 1],
      'learnt: shown, not asked, told once');
    q.learn('me', { username: 'me', displayName: null });
    eq([q.nameOf('me'), changed.filter((x) => x === 'me').length], ['me', 2], 'a removed display name is learnt too');
  }
} catch (e) {
  failures.push('threw: ' + (e && e.stack ? e.stack : e));
}
return failures;
