// The client module's contract, checked in a real browser against a fake WebSocket (ChatClientModuleTest).
// Run as the body of an async function: `mod` is the imported chat-client.js; it answers a list of failures.
const failures = [];
const check = (cond, what) => {
  if (!cond) failures.push(what);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(cond, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(20);
  }
  failures.push('timed out: ' + what);
  return false;
}

class FakeSocket {
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    this.sent = [];
    this.createdAt = Date.now();
    FakeSocket.all.push(this);
  }
  send(data) {
    this.sent.push(JSON.parse(data));
  }
  close(code) {
    this.readyState = 3;
    this.closedWith = code;
  }
  // what the server side does
  accept() {
    this.readyState = 1;
    if (this.onopen) this.onopen({});
  }
  frame(f) {
    if (this.onmessage) this.onmessage({ data: JSON.stringify(f) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    if (this.onclose) this.onclose({ code });
  }
  sends(type, id) {
    return this.sent.filter((f) => f.type === type && (id === undefined || f.id === id));
  }
}
FakeSocket.all = [];
const last = () => FakeSocket.all[FakeSocket.all.length - 1];

const fast = {
  url: 'ws://chat.test/ws/chat',
  WebSocket: FakeSocket,
  retryIntervalMs: 200,
  giveUpAfterMs: 900,
  heartbeatIntervalMs: 200,
  heartbeatTimeoutMs: 300,
  reconnectInitialMs: 100,
  reconnectMaxMs: 800,
  connectTimeoutMs: 2000,
};
const clients = [];
function client(extra = {}) {
  const c = new mod.ChatClient({ token: 'TOKEN', ...fast, ...extra });
  const seen = { message: [], status: [], connection: [], unauthorized: [] };
  for (const k of Object.keys(seen)) c.on(k, (d) => seen[k].push(d));
  clients.push(c);
  return { c, seen };
}

try {
  // 1. The token rides in Sec-WebSocket-Protocol; nothing is sent before the socket opens.
  {
    // Giving up and the heartbeat have steps of their own: here they must not fire while a busy machine's timers
    // run late (900 ms to give up, a socket dropped after 500 ms without a frame: the ack then found no message).
    const { c, seen } = client({ giveUpAfterMs: 60000, heartbeatTimeoutMs: 60000 });
    c.connect();
    const ws = last();
    check(ws.url === 'ws://chat.test/ws/chat', 'socket URL: ' + ws.url);
    check(JSON.stringify(ws.protocols) === JSON.stringify(['bearer-token-carrier',
      encodeURIComponent('quarkus-http-upgrade#Authorization#Bearer TOKEN')]), 'subprotocols: ' + ws.protocols);
    const m = c.send('bob', 'hello');
    check(/^[0-9a-f-]{36}$/.test(m.id), 'a UUID per message: ' + m.id);
    check(c.send('bob', 'again').id !== m.id, 'each message gets its own ID');
    check(ws.sent.length === 0, 'nothing is written before the socket is open');
    ws.accept();
    check(ws.sends('send', m.id).length === 1, 'the outbox is flushed when the socket opens');
    // 2. Retried with the same ID until acked; then never again.
    await until(() => ws.sends('send', m.id).length >= 3, 2000, 'two retries of an unacked message');
    check(ws.sends('send').every((f) => f.to === 'bob'), 'send frames name the recipient');
    ws.frame({ type: 'ack', id: m.id });
    const after = ws.sends('send', m.id).length;
    check(seen.status.some((s) => s.id === m.id && s.state === 'sent'), 'ack → sent');
    ws.frame({ type: 'delivered', id: m.id, to: 'bob' });
    check(seen.status.some((s) => s.id === m.id && s.state === 'delivered'), 'delivered frame → delivered');
    await sleep(600);
    check(ws.sends('send', m.id).length === after, 'no retry after the ack');
    c.close();
  }

  // 3. Every msg is acked, a duplicate too; each is shown once, across reconnects.
  {
    const { c, seen } = client();
    c.connect();
    let ws = last();
    ws.accept();
    const msg = { type: 'msg', id: 'm-1', from: 'bob', to: 'alice', body: 'hi', ts: 1 };
    ws.frame(msg);
    ws.frame(msg);
    check(ws.sends('ack', 'm-1').length === 2, 'every copy is acked');
    check(seen.message.length === 1, 'a redelivered message is shown once');
    ws.drop(1006);
    check(seen.connection.some((e) => e.state === 'down'), 'a dropped socket is reported down');
    await until(() => FakeSocket.all.length > 0 && last() !== ws, 1500, 'a reconnect after a drop');
    ws = last();
    ws.accept();
    ws.frame(msg);
    check(ws.sends('ack', 'm-1').length === 1, 'redelivery after a reconnect is acked');
    check(seen.message.length === 1, 'and not shown again');
    ws.frame({ ...msg, from: 'carol' });
    check(seen.message.length === 2, 'the same ID from another sender is another message');
    c.markSeen('dave', 'h-1');
    ws.frame({ type: 'msg', id: 'h-1', from: 'dave', to: 'alice', body: 'from history', ts: 2 });
    check(seen.message.length === 2, 'IDs marked seen (from history) are dropped');
    c.close();
  }

  // 4. Exponential backoff with jitter, capped.
  {
    const lo = client({ random: () => 0 }).c;
    const hi = client({ random: () => 0.999999 }).c;
    const bounds = [[50, 100], [100, 200], [200, 400], [400, 800], [400, 800]];
    bounds.forEach(([min, max], attempt) => {
      lo.attempt = attempt;
      hi.attempt = attempt;
      check(lo.nextDelay() === min && Math.abs(hi.nextDelay() - max) <= 1,
        `delay of attempt ${attempt}: ${lo.nextDelay()}..${hi.nextDelay()}, expected ${min}..${max}`);
    });
    const { c, seen } = client();
    c.connect();
    for (let i = 0; i < 3; i++) {
      const ws = last();
      ws.drop(1006); // the upgrade failed
      await until(() => last() !== ws, 2000, 'reconnect attempt ' + (i + 1));
    }
    const downs = seen.connection.filter((e) => e.state === 'down').map((e) => e.retryInMs);
    check(downs.length === 3 && downs[1] >= 100 && downs[2] >= 200, 'growing delays: ' + downs);
    c.close();
  }

  // 5. The heartbeat: pings while open; a silent path is dropped within interval + timeout.
  {
    const { c } = client();
    c.connect();
    const ws = last();
    ws.accept();
    await until(() => ws.sends('ping').length >= 1, 1000, 'a ping');
    const pong = setInterval(() => ws.sends('ping').forEach((p) => {
      if (!p.answered) {
        p.answered = true;
        ws.frame({ type: 'pong', id: p.id });
      }
    }), 50);
    await sleep(900);
    clearInterval(pong);
    check(last() === ws && ws.closedWith === undefined, 'an answering socket is kept');
    const t0 = Date.now();
    await until(() => ws.closedWith === 4000, 1500, 'a silent socket dropped by the heartbeat');
    check(Date.now() - t0 < 1200, 'noticed within interval + timeout (+ a tick): ' + (Date.now() - t0) + ' ms');
    await until(() => last() !== ws, 1500, 'a new socket after the heartbeat timeout');
    c.close();
  }

  // 6. Give up after giveUpAfterMs → failed; retry() sends the same ID again.
  {
    const { c, seen } = client();
    c.connect(); // never opens
    const m = c.send('bob', 'lost in space');
    await until(() => seen.status.some((s) => s.id === m.id && s.state === 'failed'), 2500, 'failed after giving up');
    check(c.pending()[0].state === 'failed', 'a failed message stays in the outbox');
    check(c.retry(m.id) === true, 'retry() of a failed message');
    check(seen.status[seen.status.length - 1].state === 'sending', 'retry → sending');
    last().accept();
    check(last().sends('send', m.id).length === 1, 'the retry uses the same ID');
    c.close();
  }

  // 7. Error frames: unavailable → retried with the same ID; other codes → failed at once.
  {
    const { c, seen } = client();
    c.connect();
    const ws = last();
    ws.accept();
    const a = c.send('bob', 'try again later');
    ws.frame({ type: 'error', id: a.id, code: 'unavailable', message: 'db down' });
    check(!seen.status.some((s) => s.id === a.id && s.state === 'failed'), 'unavailable is not a failure');
    await until(() => ws.sends('send', a.id).length >= 2, 1000, 'a retry after unavailable');
    const b = c.send('nobody', 'hello?');
    ws.frame({ type: 'error', id: b.id, code: 'unknown_recipient', message: 'no user' });
    const failed = seen.status.find((s) => s.id === b.id && s.state === 'failed');
    check(failed && failed.error.code === 'unknown_recipient', 'unknown_recipient → failed with its code');
    c.close();
  }

  // 8. Sessions: an expired token never opens a socket; a refused upgrade (authCheck false) stops the client.
  {
    const before = FakeSocket.all.length;
    const expired = client({ expiresAt: Math.floor(Date.now() / 1000) - 10 });
    expired.c.connect();
    check(FakeSocket.all.length === before, 'no upgrade with an expired token');
    check(expired.seen.unauthorized.length === 1 && expired.seen.unauthorized[0].reason === 'expired', 'expired reported');
    const refused = client({ authCheck: async () => false });
    refused.c.connect();
    last().drop(1006);
    await until(() => refused.seen.unauthorized.length === 1, 1000, 'a refused token reported');
    check(refused.seen.unauthorized[0] && refused.seen.unauthorized[0].reason === 'rejected', 'rejected reported');
    const n = FakeSocket.all.length;
    await sleep(400);
    check(FakeSocket.all.length === n, 'no reconnect after the token was refused');
  }

  // 8b. Renewal: before exp the client gets a fresh token and sends it on the open socket (reauth); a socket
  // closed with 1008 is reconnected with the fresh token; a refused renewal (401) stops the client.
  {
    const now = () => Math.floor(Date.now() / 1000);
    let renewals = 0;
    const quiet = { heartbeatIntervalMs: 10000, heartbeatTimeoutMs: 10000 }; // the fake server answers no pings
    const renewing = client({
      ...quiet,
      expiresAt: now() + 2, // half of the time left is under renewBeforeMs: renewed after about a second
      renew: async () => {
        renewals++;
        return { token: 'FRESH' + renewals, expiresAt: now() + 600 };
      },
    });
    const renewed = [];
    renewing.c.on('renewed', (r) => renewed.push(r));
    renewing.c.connect();
    let ws = last();
    ws.accept();
    await until(() => ws.sends('reauth').length === 1, 3000, 'a reauth frame before exp');
    const reauth = ws.sends('reauth')[0];
    check(reauth && reauth.token === 'FRESH1', 'the reauth carries the fresh token: ' + JSON.stringify(reauth));
    check(renewed.length === 1 && renewed[0].token === 'FRESH1', 'renewed reported');
    ws.drop(1008);
    await until(() => last() !== ws, 3000, 'a reconnect after a 1008 close');
    ws = last();
    check(ws.protocols[1].includes('FRESH'), 'the reconnect carries a fresh token');
    check(renewing.seen.unauthorized.length === 0, 'not signed out');
    renewing.c.close();

    const over = client({
      ...quiet,
      expiresAt: now() + 2,
      renew: async () => {
        throw new mod.ApiError(401, 'invalid_refresh', 'signed out');
      },
    });
    over.c.connect();
    last().accept();
    await until(() => over.seen.unauthorized.length === 1, 3000, 'a refused renewal reported');
    check(over.seen.unauthorized[0] && over.seen.unauthorized[0].reason === 'rejected', 'rejected after a refused renewal');
  }

  // 9. With storage: unsent messages and seen IDs survive a reload (a new client).
  {
    const store = new Map();
    const storage = { getItem: (k) => (store.has(k) ? store.get(k) : null), setItem: (k, v) => store.set(k, v) };
    const first = client({ storage, storageKey: 'k' });
    first.c.connect();
    let ws = last();
    ws.accept();
    ws.frame({ type: 'msg', id: 'p-1', from: 'bob', to: 'alice', body: 'x', ts: 1 });
    ws.drop(1006);
    first.c.close();
    const unsent = first.c.send('bob', 'written offline');
    await sleep(600); // the seen set is saved lazily
    const second = client({ storage, storageKey: 'k' });
    check(second.c.pending().some((p) => p.id === unsent.id), 'the outbox is restored');
    second.c.connect();
    ws = last();
    ws.accept();
    check(ws.sends('send', unsent.id).length === 1, 'a restored message is sent with its ID');
    ws.frame({ type: 'msg', id: 'p-1', from: 'bob', to: 'alice', body: 'x', ts: 1 });
    check(ws.sends('ack', 'p-1').length === 1 && second.seen.message.length === 0, 'seen IDs are restored');
    second.c.close();
  }

  // 10. Edits and deletes (issue 18): sent through the outbox with IDs of their own, retried until acked; received
  // changes are acked, every copy, and emitted once; own sends and changes from other devices, read marks and seen
  // receipts are emitted.
  {
    const { c, seen } = client();
    const events = { change: [], sent: [], read: [], seen: [] };
    for (const k of Object.keys(events)) c.on(k, (d) => events[k].push(d));
    c.connect();
    const ws = last();
    ws.accept();
    const e = c.edit('m-1', 'fixed');
    check(e.kind === 'edit' && e.target === 'm-1' && e.id !== 'm-1', 'an edit has an ID of its own: ' + JSON.stringify(e));
    const edit = ws.sends('edit', e.id)[0];
    check(edit && edit.target === 'm-1' && edit.body === 'fixed' && edit.targetFrom === undefined,
      'the edit frame: ' + JSON.stringify(edit));
    await until(() => ws.sends('edit', e.id).length >= 2, 2000, 'an unacked edit is sent again with its ID');
    ws.frame({ type: 'ack', id: e.id });
    check(seen.status.some((s) => s.id === e.id && s.kind === 'edit' && s.state === 'sent'), 'ack → the edit is sent');
    const d = c.deleteMessage('g-7', 'bob');
    const del = ws.sends('delete', d.id)[0];
    check(del && del.target === 'g-7' && del.targetFrom === 'bob' && del.body === undefined,
      'the delete frame: ' + JSON.stringify(del));
    ws.frame({ type: 'error', id: d.id, code: 'not_allowed', message: 'no' });
    check(seen.status.some((s) => s.id === d.id && s.state === 'failed' && s.error.code === 'not_allowed'),
      'a refused delete fails with its code');
    const change = { type: 'delete', id: 'c-1', from: 'bob', to: 'alice', target: 'b-1', targetFrom: 'bob', ts: 5 };
    ws.frame(change);
    ws.frame(change);
    check(ws.sends('ack', 'c-1').length === 2, 'every copy of a change is acked');
    check(events.change.length === 1 && events.change[0].kind === 'delete' && events.change[0].target === 'b-1'
      && events.change[0].to === 'alice', 'a change is emitted once: ' + JSON.stringify(events.change));
    ws.frame({ type: 'sent', frame: { type: 'msg', id: 'o-1', from: 'alice', to: 'bob', body: 'from my phone', ts: 6 } });
    check(events.sent.length === 1 && events.sent[0].body === 'from my phone' && events.sent[0].to === 'bob',
      'an own send from another device: ' + JSON.stringify(events.sent));
    check(ws.sends('ack', 'o-1').length === 0 && seen.message.length === 0, 'not acked, not a received message');
    ws.frame({ type: 'sent', frame: { type: 'edit', id: 'o-2', from: 'alice', to: 'bob', target: 'o-1',
      targetFrom: 'alice', body: 'from my phone!', ts: 7 } });
    check(events.change.length === 2 && events.change[1].body === 'from my phone!', 'an own change from another device');
    ws.frame({ type: 'read', with: 'bob', ts: 8 });
    ws.frame({ type: 'read', group: '12', ts: 9 });
    check(JSON.stringify(events.read) === JSON.stringify([{ ts: 8, with: 'bob' }, { ts: 9, group: '12' }]),
      'read marks from other devices: ' + JSON.stringify(events.read));
    ws.frame({ type: 'seen', by: 'bob', ts: 10 });
    check(events.seen.length === 1 && events.seen[0].by === 'bob' && events.seen[0].ts === 10, 'a seen receipt');
    c.close();
  }

  // The account service's 503 busy is asked again after its Retry-After (issue 17); a wait past 30 s is not waited
  // out, and a 4xx is never retried. A profile frame (extension) reaches the page as a 'frame' event.
  {
    const answers = [];
    const calls = [];
    const api = new mod.ChatApi({
      base: 'http://api.test',
      fetch: async (url, init) => {
        calls.push({ url, at: Date.now() });
        const [status, after, body] = answers.shift() || [201, null, { id: 1, username: 'ann' }];
        return {
          ok: status < 400,
          status,
          headers: { get: (h) => (h === 'Retry-After' && after !== null ? String(after) : null) },
          text: async () => JSON.stringify(body),
        };
      },
    });
    answers.push([503, 1, { error: 'busy', message: 'busy', retryAfter: 1 }]);
    const created = await api.signUp('ann', 'password1');
    check(created && created.username === 'ann' && calls.length === 2, 'a busy sign-up is asked again: ' + calls.length);
    check(calls.length === 2 && calls[1].at - calls[0].at >= 900, 'asked again after Retry-After (1 s), not at once');
    calls.length = 0;
    answers.push([503, 120, { error: 'busy', message: 'busy', retryAfter: 120 }]);
    let refused = null;
    try {
      await api.signUp('ann', 'password1');
    } catch (e) {
      refused = e;
    }
    check(refused && refused.status === 503 && refused.retryAfter === 120 && calls.length === 1,
      'a Retry-After past 30 s is the caller\'s: ' + (refused && refused.status) + ', ' + calls.length + ' call(s)');
    calls.length = 0;
    answers.push([409, null, { error: 'username_taken', message: 'taken' }]);
    try {
      await api.signUp('ann', 'password1');
    } catch (e) {
      refused = e;
    }
    check(refused.status === 409 && calls.length === 1, 'a 409 is not retried');

    const { c } = client();
    const frames = [];
    c.on('frame', (f) => frames.push(f));
    c.connect();
    const ws = last();
    ws.accept();
    ws.frame({ type: 'profile', user: 'bob', displayName: 'Bob B.', avatar: '/api/users/bob/avatar?v=2' });
    check(frames.some((f) => f.type === 'profile' && f.user === 'bob' && f.displayName === 'Bob B.'),
      'a profile frame is passed on: ' + JSON.stringify(frames));
    c.close();
  }
} catch (e) {
  failures.push('threw: ' + (e && e.stack ? e.stack : e));
} finally {
  for (const c of clients) c.close();
}
return failures;
