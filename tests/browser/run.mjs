#!/usr/bin/env node
// Browser test of the dashboard: the real `tglead serve` against a Bot API and a
// tracker double, driven in headless Chromium (Debian's /usr/bin/chromium) by
// playwright-core. Logs in, connects a bot, creates a campaign from a tracker
// preset, replays subscribers' journeys through the webhook, checks the leads
// (status, filter, CSV export, drawer), journal, statistics, notices and the
// API key regeneration, runs the CRM scenario (crm.mjs: contacts, tags, custom
// fields, CSV import, segments), and saves a screenshot of every main page to
// docs/screenshots/.
//
//   node tests/browser/run.mjs [--binary build/tglead] [--headed] [--keep]
//                              [--viewport 1366x860] [--shots docs/screenshots]
// Env: CHROMIUM (default /usr/bin/chromium), TGLEAD_BINARY.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startBotApi, startTracker } from './doubles.mjs';
import { crmScenario } from './crm.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const args = process.argv.slice(2);
const argValue = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const BINARY = path.resolve(argValue('--binary') || process.env.TGLEAD_BINARY || path.join(ROOT, 'build/tglead'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.resolve(argValue('--shots') || path.join(ROOT, 'docs/screenshots'));
const [VIEW_W, VIEW_H] = (argValue('--viewport') || '1366x860').split('x').map(Number);
const HEADED = args.includes('--headed');
const TOTAL_TIMEOUT_MS = 150_000;

const BOT_ID = 7412583690;
const BOT_USERNAME = 'subtrack_demo_bot';
const BOT_TOKEN = `${BOT_ID}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw`;
const BAD_TOKEN = '12345:not-a-real-token';
const OWNER = { id: 287654193, is_bot: false, first_name: 'Oleg', username: 'oleg_admin' };
const CHANNEL = { id: -1002381745923, title: 'Crypto Signals Daily', type: 'channel' };
const GROUP = { id: -1001954328761, title: 'Crypto Signals Chat', type: 'supergroup' };
const ALINA = { id: 5318008421, is_bot: false, first_name: 'Alina', last_name: 'Korneeva', username: 'alina_k' };
const DMITRY = { id: 6702145590, is_bot: false, first_name: 'Dmitry', last_name: 'Volkov', username: 'dmitry_v' };
const MARCO = { id: 984312765, is_bot: false, first_name: 'Marco' };
const SPAMMER = { id: 7123456789, is_bot: false, first_name: 'Promo', username: 'best_promo_24' };
const EMAIL = 'buyer@example.com';
const PASSWORD = 'correct horse battery staple';

if (Number(process.versions.node.split('.')[0]) < 20) {
  console.error(`browser test: Node ${process.versions.node} is too old; playwright-core needs Node 20 or newer.`);
  process.exit(1);
}
let playwright;
try {
  playwright = await import('playwright-core');
} catch (e) {
  console.error('playwright-core is missing: run `npm ci --prefix tests/browser` (scripts/test.sh does it).');
  process.exit(1);
}

const cleanups = [];
let failed = false;
const watchdog = setTimeout(() => { console.error(`browser test: over ${TOTAL_TIMEOUT_MS / 1000} s, giving up`); finish(1); }, TOTAL_TIMEOUT_MS);

async function finish(code) {
  clearTimeout(watchdog);
  for (const fn of cleanups.reverse()) { try { await fn(); } catch (e) { /* best effort */ } }
  process.exit(code);
}

let currentStep = '';
function step(name) { currentStep = name; console.log(`· ${name}`); }

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

async function waitFor(fn, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { const v = await fn(); if (v) return v; } catch (e) { /* retry */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- Telegram updates (shapes of ../../../shared/telegram-fixtures) --------
let updateId = 800000100;
const now = () => Math.floor(Date.now() / 1000);
const member = (user, status) => ({ user, status, ...(status === 'administrator'
  ? { can_be_edited: false, is_anonymous: false, can_manage_chat: true, can_delete_messages: true, can_restrict_members: true,
    can_promote_members: false, can_change_info: false, can_invite_users: true } : {}) });
const startUpdate = (user, text) => ({ update_id: ++updateId, message: { message_id: updateId % 1000, from: user,
  chat: { id: user.id, first_name: user.first_name, ...(user.username ? { username: user.username } : {}), type: 'private' },
  date: now(), text, entities: [{ offset: 0, length: 6, type: 'bot_command' }] } });
const chatMember = (chat, user, from, to, actor = user) => ({ update_id: ++updateId, chat_member: { chat, from: actor, date: now(),
  old_chat_member: member(user, from), new_chat_member: member(user, to) } });
const botRights = (chat, from, to) => ({ update_id: ++updateId, my_chat_member: { chat, from: OWNER, date: now(),
  old_chat_member: member({ id: BOT_ID, is_bot: true, first_name: 'SubTrack', username: BOT_USERNAME }, from),
  new_chat_member: member({ id: BOT_ID, is_bot: true, first_name: 'SubTrack', username: BOT_USERNAME }, to) } });

async function main() {
  assert.ok(fs.existsSync(BINARY), `tglead binary not found at ${BINARY}`);
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM} (apt-get install chromium)`);
  fs.mkdirSync(SHOTS, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tglead-browser-'));
  cleanups.push(() => { if (!args.includes('--keep') && !failed) fs.rmSync(tmp, { recursive: true, force: true }); });

  // ---- doubles and the real server ----------------------------------------
  const botapi = await startBotApi();
  const tracker = await startTracker();
  cleanups.push(() => botapi.close(), () => tracker.close());
  botapi.setBot(BOT_ID, BOT_USERNAME, 'SubTrack');
  botapi.setInvalid(BAD_TOKEN);

  const db = `sqlite:${path.join(tmp, 't.db')}`;
  const firstKey = execFileSync(BINARY, ['user', 'add', EMAIL, '--password', PASSWORD, '--plan', 'kitty', '--days', '30', '--db', db],
    { cwd: tmp, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  // An account whose plan ends now: expired by the time the scenario logs in with it.
  execFileSync(BINARY, ['user', 'add', 'late@example.com', '--password', PASSWORD, '--plan', 'kitty', '--days', '0', '--db', db],
    { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  const lateCreated = Date.now();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = fs.openSync(path.join(tmp, 'serve.log'), 'a');
  const server = spawn(BINARY, ['serve', '--listen', `127.0.0.1:${port}`, '--db', db, '--public-url', 'https://hook.example.com',
    '--telegram-api', botapi.url, '--allow-private-postbacks', '--reconcile-every', '0', '--log-level', 'warn'],
    { cwd: tmp, stdio: ['ignore', log, log] });
  cleanups.push(() => new Promise((resolve) => {
    if (server.exitCode !== null) return resolve();
    server.once('exit', resolve);
    server.kill('SIGTERM');
    setTimeout(() => { server.kill('SIGKILL'); resolve(); }, 5000);
  }));
  cleanups.push(() => { if (failed) console.error(`serve log: ${path.join(tmp, 'serve.log')}\n` + fs.readFileSync(path.join(tmp, 'serve.log'), 'utf8').slice(-4000)); });
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 'tglead serve /healthz', 15_000);

  const webhook = async (update) => {
    const secret = botapi.secret(BOT_ID);
    assert.ok(secret, 'the bot has no webhook secret (setWebhook not called?)');
    const r = await fetch(`${base}/tg/${BOT_ID}`, { method: 'POST', body: JSON.stringify(update),
      headers: { 'Content-Type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': secret } });
    assert.equal(r.status, 200, `webhook answered ${r.status}: ${await r.text()}`);
  };

  // ---- the browser ----------------------------------------------------------
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tglead-chromium-'));
  cleanups.push(() => fs.rmSync(profileDir, { recursive: true, force: true }));
  const context = await playwright.chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: !HEADED,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    viewport: { width: VIEW_W, height: VIEW_H },
    acceptDownloads: true,
    timeout: 30_000,
  });
  cleanups.push(() => context.close());
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base }).catch(() => {});
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(10_000);
  const problems = [];
  // Failed API calls the scenario provokes on purpose (wrong password, bad token, CSRF) log
  // "Failed to load resource"; anything else (a CSP violation, an exception) fails the test.
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`[${currentStep}] console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`[${currentStep}] page error: ${e.message}`));
  // Screenshots hide transient toasts; a "tall" one grows the viewport to the page's height
  // (instead of fullPage) so sticky bars sit where a user would see them.
  const shot = async (name, { tall = false } = {}) => {
    await page.waitForTimeout(200);  // let transitions settle
    const viewport = page.viewportSize();
    if (tall) {
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      await page.setViewportSize({ width: viewport.width, height: Math.min(Math.max(height, viewport.height), 4000) });
      await page.waitForTimeout(150);
    }
    const toasts = (display) => page.evaluate((d) => document.querySelectorAll('.toasts').forEach((el) => { el.style.display = d; }), display);
    await toasts('none');  // through the CSSOM: an injected <style> would be refused by the CSP
    await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
    await toasts('');
    if (tall) await page.setViewportSize(viewport);
  };
  const heading = (text) => page.locator('h1', { hasText: text }).first().waitFor();
  const go = async (hash, title) => { await page.goto(`${base}/${hash}`); await heading(title); };

  step('security headers on the app shell');
  const shell = await fetch(`${base}/`);
  assert.equal(shell.status, 200);
  assert.match(shell.headers.get('content-security-policy') || '', /default-src 'self'; script-src 'self'/);
  assert.equal(shell.headers.get('x-content-type-options'), 'nosniff');
  const etag = (await fetch(`${base}/app.js`)).headers.get('etag');
  assert.equal((await fetch(`${base}/app.js`, { headers: { 'If-None-Match': etag } })).status, 304);

  step('log in (a wrong password first)');
  await page.goto(`${base}/`);
  await page.locator('input[name=email]').waitFor();
  await shot('login');
  await page.fill('input[name=email]', EMAIL);
  await page.fill('input[name=password]', 'wrong');
  await page.click('button[type=submit]');
  await page.locator('.alert-error', { hasText: 'wrong email or password' }).waitFor();
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await heading('Leads');
  await page.locator('.empty', { hasText: 'No leads yet' }).waitFor();
  await shot('leads-empty');
  const cookies = await context.cookies(base);
  const session = cookies.find((c) => c.name === 'tglead_session');
  assert.ok(session && session.httpOnly && session.sameSite === 'Strict', 'session cookie is HttpOnly + SameSite=Strict');

  step('CSRF: a cookie-authenticated POST without the token is refused');
  const csrfless = await page.evaluate(async () => (await fetch('/api/profile/key.json', { method: 'POST' })).status);
  assert.equal(csrfless, 403);

  step('connect a bot: a bad token, then the real one');
  await go('#/bots', 'Bots');
  await page.locator('.empty', { hasText: 'No bots yet' }).waitFor();
  await page.fill('input[name=token]', BAD_TOKEN);
  await page.click('form.connect button[type=submit]');
  await page.locator('.alert-error', { hasText: 'Telegram rejected this token' }).waitFor();
  await page.fill('input[name=token]', BOT_TOKEN);
  await page.click('form.connect button[type=submit]');
  await page.locator(`[data-bot="${BOT_ID}"]`, { hasText: `@${BOT_USERNAME}` }).waitFor();
  await page.locator(`[data-bot="${BOT_ID}"]`, { hasText: 'Not an administrator anywhere yet' }).waitFor();
  // The owner promotes the bot in a channel and a group (Telegram sends my_chat_member).
  await webhook(botRights(CHANNEL, 'left', 'administrator'));
  await webhook(botRights(GROUP, 'left', 'administrator'));
  await page.reload();
  await page.locator(`[data-bot="${BOT_ID}"] td`, { hasText: CHANNEL.title }).waitFor();

  step('create a campaign with the Keitaro preset and test a postback');
  await go('#/campaigns', 'Campaigns');
  await page.locator('.empty', { hasText: 'No campaigns yet' }).waitFor();
  await page.click('[data-testid=new-campaign]');
  await heading('New campaign');
  await waitFor(() => page.locator('select[name=chat] option', { hasText: CHANNEL.title }).count(), 'the chat picker');
  await page.selectOption('select[name=chat]', String(CHANNEL.id));
  await page.fill('input[name=code]', 'CAMP42');
  await page.fill('input[name=name]', 'Crypto FB broad');
  await page.locator('[data-testid=deep-link]', { hasText: `https://t.me/${BOT_USERNAME}?start=CAMP42-{click}` }).waitFor();
  await page.check('input[name=unsub-infinite]', { force: true });
  await page.selectOption('select[name=tracker]', 'keitaro');
  await page.fill('input[name=preset-base]', `${tracker.url}/kt/postback`);
  await page.click('button:has-text("Apply preset")');
  await waitFor(async () => (await page.inputValue('input[name=pb-approve]')) === `${tracker.url}/kt/postback?subid={click}&status=sale&tid={tid}`,
    'the Keitaro preset in the approve template');
  await page.click('[data-test=approve]');
  await page.locator('[data-testid=test-result]', { hasText: 'HTTP 200' }).waitFor();
  await page.locator('[data-testid=test-result]', { hasText: 'OK sale' }).waitFor();
  await page.click('button:has-text("+ Add button")');
  await page.fill('input[name=button-text-0]', 'Channel rules');
  await page.fill('input[name=button-url-0]', 'https://example.com/rules');
  await page.locator('.tg-button', { hasText: 'Channel rules' }).waitFor();
  await shot('campaign-editor', { tall: true });
  await page.click('button[type=submit]:has-text("Create campaign")');
  await page.locator('h1', { hasText: 'Campaign CAMP42' }).waitFor();
  await page.locator('h1 .pill', { hasText: 'active' }).waitFor();
  assert.equal(await page.inputValue('input[name=button-url-0]'), 'https://example.com/rules', 'the welcome button was saved');

  step('replay subscribers through the webhook');
  await webhook(startUpdate(ALINA, '/start CAMP42-kt_9f8e7d6c'));
  await webhook(chatMember(CHANNEL, ALINA, 'left', 'member'));
  await webhook(startUpdate(DMITRY, '/start CAMP42-kt_1a2b3c4d'));
  await webhook(chatMember(CHANNEL, DMITRY, 'left', 'member'));
  await webhook(chatMember(CHANNEL, DMITRY, 'member', 'left'));
  await webhook(startUpdate(MARCO, '/start CAMP42-kt_5e6f7a8b'));
  await webhook(startUpdate(SPAMMER, '/start CAMP42-kt_0c1d2e3f'));
  await webhook(chatMember(CHANNEL, SPAMMER, 'left', 'member'));
  await webhook(chatMember(CHANNEL, SPAMMER, 'member', 'kicked', OWNER));
  await webhook(chatMember(CHANNEL, { id: 7000000001, is_bot: false, first_name: 'Organic', username: 'walk_in' }, 'left', 'member'));
  // wait (4) + approve (3) + cancel (1) + trash (1) postbacks reach the tracker
  await waitFor(() => tracker.requests().filter((r) => r.path === '/kt/postback' && r.query.subid !== 'test-click').length >= 9,
    'nine postbacks at the tracker double');

  step('the leads table shows each lead with the right status');
  await go('#/leads', 'Leads');
  const row = (user) => page.locator('[data-testid=leads-table] tbody tr', { hasText: String(user.id) });
  await row(ALINA).locator('.pill', { hasText: 'approve' }).waitFor();
  await row(DMITRY).locator('.pill', { hasText: 'cancel' }).waitFor();
  await row(MARCO).locator('.pill', { hasText: 'wait' }).waitFor();
  await row(SPAMMER).locator('.pill', { hasText: 'trash' }).waitFor();
  assert.equal(await page.locator('[data-testid=leads-table] tbody tr').count(), 4);
  await row(ALINA).locator('text=@alina_k').waitFor();
  await row(ALINA).locator('text=kt_9f8e7d6c').waitFor();
  await shot('leads');

  step('lead drawer with postback history and attempts');
  await row(DMITRY).click();
  const drawer = page.locator('.drawer');
  await drawer.locator('h2', { hasText: 'Lead #' }).waitFor();
  for (const s of ['wait', 'approve', 'cancel']) {
    await drawer.locator(`[data-postback=${s}] .pill.pb-sent`).waitFor();
  }
  await drawer.locator('[data-postback=cancel] .attempts', { hasText: '200' }).waitFor();
  await drawer.locator('[data-postback=cancel]', { hasText: 'OK rejected' }).waitFor();
  await shot('lead-drawer');
  await page.keyboard.press('Escape');
  await drawer.waitFor({ state: 'detached' });

  step('filter by status and export the filtered view as CSV');
  await page.selectOption('select[name=status]', '2');
  await waitFor(async () => (await page.locator('[data-testid=leads-table] tbody tr').count()) === 1, 'one approve lead');
  await row(ALINA).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export]')]);
  const csv = fs.readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
  assert.equal(csv[0], 'id,campaign,campaign_code,subscriber,username,click,status,start_time,join_time,leave_time');
  assert.equal(csv.length, 2, `the export has the header and one lead: ${csv.join(' | ')}`);
  const fields = csv[1].split(',');
  assert.deepEqual([fields[2], fields[3], fields[4], fields[5], fields[6]], ['CAMP42', String(ALINA.id), 'alina_k', 'kt_9f8e7d6c', 'approve']);
  await page.selectOption('select[name=status]', '');
  await waitFor(async () => (await page.locator('[data-testid=leads-table] tbody tr').count()) === 4, 'all leads again');

  step('activity journal');
  await go('#/journal', 'Activity');
  await waitFor(async () => (await page.locator('[data-testid=journal-table] tbody tr').count()) === 6, 'six journal rows');
  await page.locator('[data-testid=journal-table] tr', { hasText: '@walk_in' }).locator('.pill.organic').waitFor();
  await page.locator('[data-testid=journal-table] tr', { hasText: '@dmitry_v' }).locator('.pill.act-leave').waitFor();
  await shot('journal');
  await page.selectOption('select[name=action]', 'leave');
  await waitFor(async () => (await page.locator('[data-testid=journal-table] tbody tr').count()) === 1, 'one leave row');

  step('statistics');
  await go('#/stats', 'Statistics');
  const card = (label) => page.locator('.card', { has: page.locator('.card-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.card-value');
  await waitFor(async () => (await card('Starts').textContent()) === '4', 'starts = 4');
  assert.equal(await card('Confirms').textContent(), '3');
  assert.equal(await card('Cancels').textContent(), '1');
  assert.equal(await card('Trashes').textContent(), '1');
  assert.equal(await card('CR').textContent(), '75.0%');
  assert.equal(await card('Organic joins').textContent(), '1');
  await page.locator('[data-testid=chart] canvas').waitFor();
  await shot('stats');

  step('campaigns list: pause / resume, and ⚠ once the bot loses its rights in a chat');
  const second = await fetch(`${base}/api/campaigns/add.json`, { method: 'POST',
    headers: { Authorization: `Bearer ${firstKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ bot: BOT_ID, chat: GROUP.id, code: 'CHAT7', name: 'Group chat, TikTok', unsub_window: 86400 }) });
  assert.equal(second.status, 200, await second.text());
  await go('#/campaigns', 'Campaigns');
  const campaignRow = (code) => page.locator('[data-testid=campaigns-table] tbody tr', { hasText: code });
  await page.locator('p.muted', { hasText: '2 of 15 active campaigns on kitty' }).waitFor();
  await campaignRow('CHAT7').locator('button', { hasText: 'Pause' }).click();
  await campaignRow('CHAT7').locator('.pill', { hasText: 'paused' }).waitFor();
  await campaignRow('CHAT7').locator('button', { hasText: 'Resume' }).click();
  await campaignRow('CHAT7').locator('.pill', { hasText: 'active' }).waitFor();
  await webhook(botRights(GROUP, 'administrator', 'left'));
  await page.reload();
  await heading('Campaigns');
  await campaignRow('CHAT7').locator('.warn-flag').waitFor();
  assert.equal(await campaignRow('CAMP42').locator('.warn-flag').count(), 0);
  await page.locator('.notice', { hasText: 'lost administrator rights' }).first().waitFor();
  await shot('campaigns');
  await campaignRow('CHAT7').locator('a', { hasText: 'Edit' }).click();
  await page.locator('h1', { hasText: 'Campaign CHAT7' }).waitFor();
  await page.locator('.alert-warn', { hasText: 'lost its admin rights' }).waitFor();
  await page.click('.head-actions button:has-text("Delete")');
  await page.click('.modal button:has-text("Delete campaign")');
  await heading('Campaigns');
  await page.locator('p.muted', { hasText: '1 of 15 active campaigns on kitty' }).waitFor();
  assert.equal(await campaignRow('CHAT7').count(), 0, 'the deleted campaign is gone from the list');
  await go('#/bots', 'Bots');
  await page.locator(`[data-bot="${BOT_ID}"] .pill`, { hasText: 'lost admin rights' }).waitFor();
  await page.locator(`[data-bot="${BOT_ID}"] tr.row-warn`, { hasText: GROUP.title }).waitFor();
  await shot('bots');
  const notices = await page.locator('.notice').count();
  await page.locator('.notice button', { hasText: 'Dismiss' }).first().click();
  await waitFor(async () => (await page.locator('.notice').count()) === notices - 1, 'the notice to go away');
  await page.reload();
  await heading('Bots');
  await page.waitForTimeout(300);
  assert.equal(await page.locator('.notice').count(), notices - 1, 'a dismissed notice stays dismissed');

  step('regenerate the API key');
  await go('#/profile', 'Profile');
  assert.equal((await fetch(`${base}/api/profile/get.json?key=${firstKey}`)).status, 200);
  await page.click('[data-testid=regenerate]');
  await page.locator('.modal', { hasText: 'stops working' }).waitFor();
  await page.click('.modal button:has-text("Regenerate key")');
  // The new key is shown revealed once the POST answers; until then the old one is masked.
  const newKey = await waitFor(async () => {
    const text = (await page.locator('[data-testid=api-key]').textContent()).trim();
    return !text.includes('•') && text;
  }, 'the new key to be shown');
  assert.ok(/^[A-Za-z0-9_-]{16,}$/.test(newKey) && newKey !== firstKey, `a new key is shown: ${newKey}`);
  assert.equal((await fetch(`${base}/api/profile/get.json?key=${firstKey}`)).status, 401, 'the old key stops working');
  assert.equal((await fetch(`${base}/api/profile/get.json?key=${newKey}`)).status, 200, 'the new key works');
  await page.click('button:has-text("Hide")');
  await shot('profile', { tall: true });

  await crmScenario({ page, step, shot, go, waitFor, users: { alina: ALINA, dmitry: DMITRY, marco: MARCO } });

  step('log out');
  await page.click('button.logout');
  await page.locator('input[name=email]').waitFor();
  assert.equal((await page.evaluate(async () => (await fetch('/api/leads/list.json')).status)), 401);

  step('an expired plan shows only the plan page');
  await new Promise((r) => setTimeout(r, Math.max(0, lateCreated + 1100 - Date.now())));  // paid_until is in whole seconds
  await page.fill('input[name=email]', 'late@example.com');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await heading('Your plan has expired');
  assert.equal(await page.locator('.nav-link').count(), 0, 'no navigation while the plan is expired');
  await page.goto(`${base}/#/leads`);
  await heading('Your plan has expired');
  await shot('plan-expired');
  await page.click('button.logout');
  await page.locator('input[name=email]').waitFor();

  assert.deepEqual(problems, [], 'no console errors (CSP violations included)');
}

try {
  const started = Date.now();
  await main();
  console.log(`browser test passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(process.cwd(), SHOTS) || SHOTS}/`);
  await finish(0);
} catch (e) {
  failed = true;
  console.error('browser test FAILED:', e && e.stack ? e.stack : e);
  await finish(1);
}
