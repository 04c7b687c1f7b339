// Test doubles for the browser test (Node, no dependencies): a fake Telegram
// Bot API (/bot<token>/<method>, same answers as tests/e2e/doubles.py) and a
// fake ad tracker that records postbacks. Both listen on 127.0.0.1:0.
import http from 'node:http';

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function params(url, body, type) {
  const out = Object.fromEntries(new URL(url, 'http://x').searchParams);
  if (body) {
    if ((type || '').includes('json')) Object.assign(out, JSON.parse(body));
    else Object.assign(out, Object.fromEntries(new URLSearchParams(body)));
  }
  return out;
}

export async function startBotApi() {
  const state = { calls: [], webhooks: {}, invalid: new Set(), usernames: {}, names: {}, msgId: 1000 };
  const server = http.createServer(async (req, res) => {
    const body = await readBody(req);
    const match = /^\/bot([^/]+)\/([A-Za-z]+)/.exec(new URL(req.url, 'http://x').pathname);
    const send = (code, payload) => {
      const data = JSON.stringify(payload);
      res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
      res.end(data);
    };
    if (!match) return send(404, { ok: false, error_code: 404, description: 'Not Found' });
    const token = decodeURIComponent(match[1]);
    const method = match[2].toLowerCase();
    const p = params(req.url, body, req.headers['content-type']);
    const botId = token.split(':')[0];
    state.calls.push({ method, token, botId, params: p });
    const ok = (result) => send(200, { ok: true, result });
    if (!token.includes(':') || state.invalid.has(token)) return send(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const bot = { id: Number(botId), is_bot: true, first_name: state.names[botId] || `Bot ${botId}`, username: state.usernames[botId] || `bot${botId}` };
    switch (method) {
      case 'getme': return ok({ ...bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'setwebhook': state.webhooks[botId] = p; return ok(true);
      case 'deletewebhook': delete state.webhooks[botId]; return ok(true);
      case 'sendmessage': case 'sendphoto': {
        const chatId = Number(p.chat_id);
        return ok({ message_id: ++state.msgId, from: bot, chat: { id: chatId, type: chatId > 0 ? 'private' : 'channel' }, date: Math.floor(Date.now() / 1000), text: p.text || '' });
      }
      case 'createchatinvitelink':
        return ok({ invite_link: `https://t.me/+Browser${state.calls.length}`, creator: bot,
          creates_join_request: [true, 'true', 1, '1'].includes(p.creates_join_request), is_primary: false, is_revoked: false });
      case 'getchatmember': return ok({ user: { id: Number(p.user_id), is_bot: false, first_name: 'User' }, status: 'left' });
      case 'getchat': return ok({ id: Number(p.chat_id), type: 'channel', title: `Chat ${p.chat_id}` });
      case 'getchatmembercount': return ok(42);
      default: return ok(true);
    }
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    setBot(id, username, name) { state.usernames[String(id)] = username; state.names[String(id)] = name; },
    setInvalid(token) { state.invalid.add(token); },
    secret(botId) { return (state.webhooks[String(botId)] || {}).secret_token; },
    calls(method) { return state.calls.filter((c) => !method || c.method === method.toLowerCase()); },
    close() { server.closeAllConnections?.(); server.close(); },
  };
}

export async function startTracker() {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push({ path: url.pathname, query: Object.fromEntries(url.searchParams), raw: req.url });
    const text = `OK ${url.searchParams.get('status') || ''}`.trim();
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests.slice(),
    close() { server.closeAllConnections?.(); server.close(); },
  };
}
