#!/usr/bin/env python3
"""Crash test: kill -9 tglead under load and prove nothing acknowledged is lost or doubled.

    python3 tests/crash/crash_test.py --binary /tmp/tglead-rel --updates 20000 --kills 10
    python3 tests/crash/crash_test.py --quick --binary build/tglead      # what CTest runs

What it does (Python standard library only):

* starts ``tglead serve --allow-private-postbacks`` on a fresh SQLite DB, a Bot API double and a
  tracker double that records every postback (path, tid, click, status);
* creates a bot (``bots/add.json``), promotes it in a channel with a ``my_chat_member`` update
  and creates a campaign with templates for all five statuses, each carrying ``{tid}``;
* drives updates from several threads over keep-alive ``http.client`` connections.  Each
  subscriber follows a scripted life (/start with a click -> maybe a second click -> maybe a
  join request -> join -> maybe leave or kick -> maybe re-join; plus organic joins), in order,
  and acknowledged updates are sometimes re-delivered (duplicates);
* kills the service with SIGKILL at random moments (at random points of progress) and restarts
  it on the same DB and port.  Like Telegram, every update that was not answered 200 is sent
  again until it is;
* at the end waits until no postback is open, stops the service and checks the database and
  the tracker against a ground truth computed from the update log with PRODUCT.md §3 rules:
  lead status / click per subscriber, the journal rows (action, paid) per subscriber, the
  postbacks (status sequence) per lead, every ``sent`` postback seen by the tracker exactly
  once, no tid delivered twice, ``failed`` postbacks only as "interrupted".

Exit status 0 when losses == 0 and duplicates == 0 and every check passed.
"""

import argparse
import collections
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from doubles import BotApiDouble  # noqa: E402

BOT_ID = 7412583690
BOT_TOKEN = "%d:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" % BOT_ID
OWNER = {"id": 287654193, "is_bot": False, "first_name": "Oleg", "username": "oleg_admin"}
CHANNEL = {"id": -1002381745923, "title": "Crypto Signals Daily", "type": "channel"}
CODE = "CRASH1"
STATUSES = ["wait", "hold", "approve", "cancel", "trash"]
STATUS_CODE = {s: i for i, s in enumerate(STATUSES)}
J_JOIN, J_LEAVE, J_BAN, J_REQUEST, J_APPROVE = 0, 1, 2, 3, 4
J_NAMES = {0: "join", 1: "leave", 2: "ban", 3: "request", 4: "approve"}


def log(msg):
    sys.stdout.write("[crash] %s\n" % msg)
    sys.stdout.flush()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------------------
# Tracker double: records every postback; big listen backlog so that hundreds of postbacks
# in flight never see a refused connection (which would be retried a minute later).
# ---------------------------------------------------------------------------

class _TrackerServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def handle_error(self, request, client_address):
        pass


class _TrackerHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    tracker = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        self.tracker.record(parts.path, q)
        body = b"OK"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Tracker:
    def __init__(self):
        self.lock = threading.Lock()
        self.hits = []
        handler = type("H", (_TrackerHandler,), {"tracker": self})
        self.server = _TrackerServer(("127.0.0.1", 0), handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def record(self, path, q):
        with self.lock:
            self.hits.append({"path": path, "tid": q.get("tid", ""), "click": q.get("click", ""),
                              "status": q.get("status", ""), "lead": q.get("lead", ""),
                              "time": time.time()})


# ---------------------------------------------------------------------------
# Update builders
# ---------------------------------------------------------------------------

def mk_user(uid):
    return {"id": uid, "is_bot": False, "first_name": "U%d" % uid, "username": "u%d" % uid,
            "language_code": "en"}


def upd_start(uid, sub, text, date):
    u = mk_user(sub)
    chat = {"id": sub, "first_name": u["first_name"], "username": u["username"],
            "type": "private"}
    return {"update_id": uid,
            "message": {"message_id": uid % 1000000 + 1, "from": u, "chat": chat, "date": date,
                        "text": text,
                        "entities": [{"offset": 0, "length": 6, "type": "bot_command"}]}}


def _member(usr, status):
    m = {"user": usr, "status": status}
    if status == "kicked":
        m["until_date"] = 0
    return m


def upd_member(uid, sub, old, new, date, from_user=None, via_join_request=None):
    u = mk_user(sub)
    body = {"chat": dict(CHANNEL), "from": from_user or u, "date": date,
            "old_chat_member": _member(u, old), "new_chat_member": _member(u, new)}
    if via_join_request is not None:
        body["via_join_request"] = via_join_request
    return {"update_id": uid, "chat_member": body}


def upd_request(uid, sub, date):
    u = mk_user(sub)
    return {"update_id": uid,
            "chat_join_request": {"chat": dict(CHANNEL), "from": u, "user_chat_id": sub,
                                  "date": date}}


# ---------------------------------------------------------------------------
# Ground truth: PRODUCT.md §3 rules for the events this test produces
# ---------------------------------------------------------------------------

class Model:
    """Expected state of one subscriber, built by applying its updates once, in order."""

    def __init__(self, sub):
        self.sub = sub
        self.lead = None          # None or dict(status, click)
        self.postbacks = []       # fired statuses, in order
        self.journal = []         # (action, paid)

    def apply(self, kind, arg):
        L = self.lead
        if kind == "start":                          # §3.1, 3.3, 3.4
            click = arg
            if L is None:
                self.lead = {"status": "wait", "click": click}
                self.postbacks.append("wait")
            elif click and click != L["click"]:
                L["click"] = click
                if L["status"] in ("cancel", "trash"):
                    L["status"] = "wait"
                self.postbacks.append("wait")
        elif kind == "request":                      # §3.5
            if L is not None:
                L["status"] = "hold"
                self.postbacks.append("hold")
            self.journal.append((J_REQUEST, int(L is not None)))
        elif kind == "join":                         # §3.6, 3.9
            via = arg
            if L is None:
                self.journal.append((J_JOIN, 0))
                return
            was = L["status"]
            L["status"] = "approve"
            if was != "approve":
                self.postbacks.append("approve")
            self.journal.append((J_APPROVE if (via or was == "hold") else J_JOIN, 1))
        elif kind in ("leave", "kick"):              # §3.7 (only from approve in this test)
            if L is None:
                self.journal.append((J_LEAVE if kind == "leave" else J_BAN, 0))
                return
            assert L["status"] == "approve", "script leaves only after a join"
            new = "cancel" if kind == "leave" else "trash"
            L["status"] = new
            self.postbacks.append(new)               # unsub_window 0 = infinite
            self.journal.append((J_LEAVE if kind == "leave" else J_BAN, 1))


def build_script(rng, next_uid, sub, base_date):
    """A realistic life for one subscriber: list of (update, kind, arg)."""
    out = []
    d = [base_date]

    def date():
        d[0] += rng.randint(1, 30)
        return d[0]

    if rng.random() < 0.08:                          # organic: no lead
        out.append((upd_member(next_uid(), sub, "left", "member", date()), "join", False))
        if rng.random() < 0.5:
            out.append((upd_member(next_uid(), sub, "member", "left", date()), "leave", None))
        return out
    click = "c%d_%d-x" % (sub, rng.randint(0, 999))
    out.append((upd_start(next_uid(), sub, "/start %s-%s" % (CODE, click), date()),
                "start", click))
    r = rng.random()
    if r < 0.1:
        return out                                   # never joins
    if rng.random() < 0.15:                          # repeated /start, same click: nothing
        out.append((upd_start(next_uid(), sub, "/start %s-%s" % (CODE, click), date()),
                    "start", click))
    if rng.random() < 0.15:                          # a new click: wait fires again
        click2 = click + "b"
        out.append((upd_start(next_uid(), sub, "/start %s-%s" % (CODE, click2), date()),
                    "start", click2))
    via = False
    if rng.random() < 0.25:                          # join request -> hold
        out.append((upd_request(next_uid(), sub, date()), "request", None))
        via = True
    out.append((upd_member(next_uid(), sub, "left", "member", date(),
                           via_join_request=True if via else None), "join", via))
    r = rng.random()
    if r < 0.25:
        out.append((upd_member(next_uid(), sub, "member", "left", date()), "leave", None))
    elif r < 0.40:
        out.append((upd_member(next_uid(), sub, "member", "kicked", date(), from_user=OWNER),
                    "kick", None))
    else:
        return out
    if rng.random() < 0.3:                           # re-join after cancel/trash (§3.9)
        if rng.random() < 0.5:                       # ... after a fresh click
            click3 = click + "r"
            out.append((upd_start(next_uid(), sub, "/start %s-%s" % (CODE, click3), date()),
                        "start", click3))
        out.append((upd_member(next_uid(), sub, "left", "member", date()), "join", False))
    return out


# ---------------------------------------------------------------------------
# The service under test
# ---------------------------------------------------------------------------

class Service:
    def __init__(self, binary, tmp, db, port, botapi_url, log_path):
        self.binary, self.tmp, self.db, self.port = binary, tmp, db, port
        self.botapi_url, self.log_path = botapi_url, log_path
        self.proc = None
        self.lock = threading.Lock()
        self.starts = 0

    def start(self, timeout=30.0):
        cmd = [self.binary, "serve", "--listen", "127.0.0.1:%d" % self.port, "--db", self.db,
               "--public-url", "https://hook.example.com", "--telegram-api", self.botapi_url,
               "--log-level", "warn", "--reconcile-every", "0", "--allow-private-postbacks"]
        deadline = time.monotonic() + timeout
        with open(self.log_path, "ab") as lf:
            lf.write(b"\n[crash] --- start ---\n")
            lf.flush()
            self.proc = subprocess.Popen(cmd, stdout=lf, stderr=lf, cwd=self.tmp)
        self.starts += 1
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                # e.g. the port still held by the dying process: try again
                time.sleep(0.2)
                with open(self.log_path, "ab") as lf:
                    self.proc = subprocess.Popen(cmd, stdout=lf, stderr=lf, cwd=self.tmp)
                continue
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                c.request("GET", "/healthz")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.02)
        raise RuntimeError("tglead serve did not become healthy; see %s" % self.log_path)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def api_call(port, key, path, form=None, json_body=None, params=None):
    q = ("?" + urllib.parse.urlencode(params)) if params else ""
    hdrs = {"Authorization": "Bearer %s" % key}
    body = None
    if json_body is not None:
        body = json.dumps(json_body).encode()
        hdrs["Content-Type"] = "application/json"
    elif form is not None:
        body = urllib.parse.urlencode(form).encode()
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST" if body is not None else "GET", path + q, body=body, headers=hdrs)
    r = c.getresponse()
    data = r.read()
    c.close()
    js = json.loads(data.decode())
    if r.status != 200 or js.get("status") != "ok":
        raise RuntimeError("%s -> %s %r" % (path, r.status, js))
    return js["data"]


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------

class Driver:
    def __init__(self, port, secret, total_updates, give_up_after):
        self.port, self.secret = port, secret
        self.lock = threading.Lock()
        self.acked = 0            # updates acknowledged (first 200 for an update_id)
        self.attempts = 0         # POSTs sent (incl. re-deliveries and duplicates)
        self.redeliveries = 0     # POSTs of an update that was not acknowledged before
        self.duplicates_sent = 0  # POSTs of an already acknowledged update
        self.non200 = collections.Counter()
        self.ack_log = []         # update_ids in acknowledgement order (ground-truth log)
        self.total = total_updates
        self.give_up_after = give_up_after
        self.failure = None

    def post(self, conn_box, update, dup=False):
        body = json.dumps(update).encode()
        hdrs = {"Content-Type": "application/json",
                "X-Telegram-Bot-Api-Secret-Token": self.secret}
        first_fail = None
        tried = False
        while True:
            if conn_box[0] is None:
                conn_box[0] = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
            try:
                with self.lock:
                    self.attempts += 1
                    if tried and not dup:
                        self.redeliveries += 1
                tried = True
                conn_box[0].request("POST", "/tg/%d" % BOT_ID, body=body, headers=hdrs)
                r = conn_box[0].getresponse()
                r.read()
                if r.status == 200:
                    if not dup:
                        with self.lock:
                            self.acked += 1
                            self.ack_log.append(update["update_id"])
                    else:
                        with self.lock:
                            self.duplicates_sent += 1
                    return
                with self.lock:
                    self.non200[r.status] += 1
                if r.status in (400, 401, 404, 413):
                    raise RuntimeError("update %d refused with %d" % (update["update_id"],
                                                                    r.status))
                if r.getheader("Connection", "").lower() == "close":
                    conn_box[0].close()
                    conn_box[0] = None
            except (OSError, http.client.HTTPException):
                # connection refused / reset while the service is down: re-deliver
                try:
                    conn_box[0].close()
                except Exception:
                    pass
                conn_box[0] = None
            now = time.monotonic()
            if first_fail is None:
                first_fail = now
            elif now - first_fail > self.give_up_after:
                raise RuntimeError("update %d never acknowledged" % update["update_id"])
            time.sleep(0.02)

    def run_thread(self, scripts, rng):
        conn_box = [None]
        try:
            queues = [collections.deque(s) for s in scripts]
            done_updates = []
            while queues:
                i = rng.randrange(len(queues))
                upd, _, _ = queues[i].popleft()
                self.post(conn_box, upd)
                done_updates.append(upd)
                if rng.random() < 0.08:      # Telegram re-delivers an acknowledged update
                    self.post(conn_box, rng.choice(done_updates), dup=True)
                if not queues[i]:
                    queues.pop(i)
        except Exception as e:   # noqa: BLE001 - reported by the main thread
            self.failure = self.failure or "driver thread: %r" % (e,)
        finally:
            if conn_box[0] is not None:
                conn_box[0].close()


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.environ.get("TGLEAD_BINARY", "/work/main/build/tglead"))
    ap.add_argument("--updates", type=int, default=10000, help="updates to drive (approx.)")
    ap.add_argument("--kills", type=int, default=5, help="kill -9 this many times")
    ap.add_argument("--threads", type=int, default=16, help="concurrent connections")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--quick", action="store_true", help="short CI run (~800 updates, 3 kills)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (DB, log)")
    args = ap.parse_args(argv)
    if args.quick:
        args.updates, args.kills, args.threads = 800, 3, 8
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    binary = os.path.abspath(args.binary)
    if not os.access(binary, os.X_OK):
        print("binary not found: %s" % binary, file=sys.stderr)
        return 2
    log("seed=%d binary=%s updates=%d kills=%d threads=%d"
        % (seed, binary, args.updates, args.kills, args.threads))

    tmp = tempfile.mkdtemp(prefix="tglead-crash-")
    db_path = os.path.join(tmp, "crash.db")
    db = "sqlite:" + db_path
    log_path = os.path.join(tmp, "serve.log")
    botapi = BotApiDouble().start()
    botapi.set_username(BOT_ID, "crash_test_bot", "Crash")
    tracker = Tracker().start()
    svc = Service(binary, tmp, db, free_port(), botapi.url, log_path)
    ok = False
    try:
        p = subprocess.run([binary, "user", "add", "crash@example.com", "--password", "pw",
                            "--plan", "tiger", "--days", "30", "--db", db],
                           capture_output=True, text=True, cwd=tmp, timeout=60)
        if p.returncode != 0:
            raise RuntimeError("user add failed: %s %s" % (p.stdout, p.stderr))
        key = p.stdout.strip().splitlines()[-1].strip()
        svc.start()

        # --- bot, promotion, campaign (as harness.py does) -----------------------------
        api_call(svc.port, key, "/api/bots/add.json", form={"token": BOT_TOKEN})
        secret = botapi.webhook_secret(BOT_ID)
        if not secret:
            raise RuntimeError("setWebhook was not called with a secret")
        uid = [100000000]

        def next_uid():
            uid[0] += 1
            return uid[0]

        promo = {"update_id": next_uid(),
                 "my_chat_member": {"chat": CHANNEL, "from": OWNER,
                                    "date": int(time.time()) - 86400 * 2,
                                    "old_chat_member": {"user": {"id": BOT_ID, "is_bot": True,
                                                                 "first_name": "Crash"},
                                                        "status": "left"},
                                    "new_chat_member": dict(
                                        {"user": {"id": BOT_ID, "is_bot": True,
                                                  "first_name": "Crash"},
                                         "status": "administrator", "can_be_edited": False,
                                         "can_manage_chat": True, "can_invite_users": True,
                                         "can_restrict_members": True})}}
        drv = Driver(svc.port, secret, args.updates, give_up_after=60.0)
        drv.post([None], promo)
        tpl = tracker.url + "/pb/%s?click={click}&status={status}&tid={tid}&lead={lead}"
        camp = api_call(svc.port, key, "/api/campaigns/add.json", json_body={
            "bot": BOT_ID, "chat": CHANNEL["id"], "code": CODE, "name": "Crash",
            "postbacks": {s: tpl % s for s in STATUSES},
            "welcome": {"text": "Hi", "image": "", "buttons": [], "join_button": ""}})
        campaign_id = int(camp["id"])

        # --- scripts ---------------------------------------------------------------------
        base_date = int(time.time()) - 86400
        subs, scripts, total = [], {}, 0
        sub = 7000000000
        while total < args.updates:
            sub += rng.randint(1, 50)
            s = build_script(rng, next_uid, sub, base_date)
            subs.append(sub)
            scripts[sub] = s
            total += len(s)
        per_thread = [[] for _ in range(args.threads)]
        for i, s in enumerate(subs):
            per_thread[i % args.threads].append(scripts[s])
        log("%d subscribers, %d scripted updates" % (len(subs), total))

        # --- drive + kill ----------------------------------------------------------------
        thresholds = sorted(rng.uniform(0.05, 0.92) * total for _ in range(args.kills))
        threads = [threading.Thread(target=drv.run_thread,
                                    args=(per_thread[i], random.Random(seed + i + 1)),
                                    daemon=True) for i in range(args.threads)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        kills = 0
        kill_log = []
        for th in thresholds:
            while drv.acked < th and any(t.is_alive() for t in threads) and drv.failure is None:
                time.sleep(0.002)
            if not any(t.is_alive() for t in threads) or drv.failure:
                break
            time.sleep(rng.uniform(0, 0.05))   # a random moment, not just after an ack
            at = drv.acked
            svc.kill9()
            kills += 1
            down = rng.uniform(0.05, 0.5)       # Telegram keeps retrying meanwhile
            time.sleep(down)
            svc.start()
            kill_log.append((at, round(down, 2)))
            log("kill -9 #%d at %d/%d acknowledged updates, down %.2fs, restarted"
                % (kills, at, total, down))
        for t in threads:
            t.join()
        drive_s = time.monotonic() - t0
        if drv.failure:
            raise RuntimeError(drv.failure)
        log("driven in %.1fs: %d acknowledged, %d POSTs (%d re-deliveries after no 200, "
            "%d duplicate deliveries of acknowledged updates), non-200: %s"
            % (drive_s, drv.acked, drv.attempts, drv.redeliveries, drv.duplicates_sent,
               dict(drv.non200)))

        # --- let postbacks drain -----------------------------------------------------------
        deadline = time.monotonic() + 120
        while True:
            con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True, timeout=30)
            open_pb = con.execute("SELECT count(*) FROM postbacks WHERE state IN (0,1)"
                                  ).fetchone()[0]
            con.close()
            if open_pb == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("%d postbacks still open after 120 s" % open_pb)
            time.sleep(0.2)
        time.sleep(0.3)
        svc.stop()

        # --- verify ------------------------------------------------------------------------
        ok = verify(db_path, campaign_id, subs, scripts, drv, tracker, total, kills, seed)
    except Exception as e:  # noqa: BLE001
        log("ERROR: %s" % e)
        ok = False
    finally:
        svc.stop()
        botapi.stop()
        tracker.stop()
        if not ok:
            try:
                with open(log_path, "r", errors="replace") as f:
                    sys.stderr.write("----- serve log (tail) -----\n%s\n" % f.read()[-4000:])
            except OSError:
                pass
        if args.keep or not ok:
            log("kept %s" % tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    log("RESULT: %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def verify(db_path, campaign_id, subs, scripts, drv, tracker, total, kills, seed):
    problems = []
    # Ground truth from the acknowledged-update log: every scripted update was acknowledged
    # (the driver only moves on after a 200), so apply each once, in script order.
    acked_ids = set(drv.ack_log)
    models = {}
    for s in subs:
        m = Model(s)
        for upd, kind, arg in scripts[s]:
            if upd["update_id"] not in acked_ids:
                problems.append("update %d was never acknowledged" % upd["update_id"])
            m.apply(kind, arg)
        models[s] = m
    if len(drv.ack_log) != len(acked_ids):
        problems.append("an update was acknowledged twice as new (driver bug)")

    con = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    leads = {}
    for lid, sub, status, click in con.execute(
            "SELECT id, subscriber, status, click FROM leads WHERE campaign_id=?",
            (campaign_id,)):
        if sub in leads:
            problems.append("two leads for subscriber %d" % sub)
        leads[sub] = (lid, STATUSES[status], click)
    journal = collections.defaultdict(list)
    for sub, action, paid in con.execute(
            "SELECT subscriber, action, paid FROM journal WHERE bot_id=? AND chat_id=? "
            "ORDER BY id", (BOT_ID, CHANNEL["id"])):
        journal[sub].append((action, paid))
    pbs = collections.defaultdict(list)
    pb_rows = {}
    for pid, lid, status, state, reason, tid, url in con.execute(
            "SELECT id, lead_id, status, state, reason, tid, url FROM postbacks ORDER BY id"):
        pbs[lid].append(STATUSES[status])
        pb_rows[pid] = (lid, STATUSES[status], state, reason, tid, url)
    seen_updates = con.execute("SELECT count(*) FROM seen_updates WHERE bot_id=?",
                               (BOT_ID,)).fetchone()[0]
    con.close()

    losses = 0
    dups = 0
    mismatches = 0

    def diff(expected, actual):
        e, a = collections.Counter(expected), collections.Counter(actual)
        return sum((e - a).values()), sum((a - e).values())

    exp_journal_rows = 0
    for s in subs:
        m = models[s]
        got = leads.get(s)
        if m.lead is None:
            if got is not None:
                dups += 1
                problems.append("subscriber %d: unexpected lead %r" % (s, got))
        elif got is None:
            losses += 1
            problems.append("subscriber %d: lead missing" % s)
        else:
            lid, st, click = got
            if st != m.lead["status"] or click != m.lead["click"]:
                mismatches += 1
                problems.append("subscriber %d: lead %s/%s, expected %s/%s"
                                % (s, st, click, m.lead["status"], m.lead["click"]))
            miss, extra = diff(m.postbacks, pbs.get(lid, []))
            losses += miss
            dups += extra
            if miss or extra or pbs.get(lid, []) != m.postbacks:
                problems.append("subscriber %d: postbacks %r, expected %r"
                                % (s, pbs.get(lid, []), m.postbacks))
        exp_journal_rows += len(m.journal)
        miss, extra = diff(m.journal, journal.get(s, []))
        losses += miss
        dups += extra
        if miss or extra or journal.get(s, []) != m.journal:
            problems.append("subscriber %d: journal %r, expected %r"
                            % (s, journal.get(s, []), m.journal))

    # Tracker: no tid twice, every `sent` seen, `failed` only as interrupted.
    hits = list(tracker.hits)
    by_tid = collections.Counter(h["tid"] for h in hits)
    tid_dups = sum(c - 1 for c in by_tid.values() if c > 1)
    dups += tid_dups
    if tid_dups:
        problems.append("%d postback deliveries repeated a tid: %r"
                        % (tid_dups, [t for t, c in by_tid.items() if c > 1][:10]))
    states = collections.Counter()
    interrupted = 0
    interrupted_seen = 0
    tid_to_pb = {}
    for pid, (lid, status, state, reason, tid, url) in pb_rows.items():
        states[state] += 1
        tid_to_pb[tid] = (lid, status, state)
        if state == 2 and tid not in by_tid:
            losses += 1
            problems.append("postback %d (%s, tid %s) is 'sent' but the tracker never saw it"
                            % (pid, status, tid))
        if state == 3:
            if "interrupted" in reason:
                interrupted += 1
                interrupted_seen += tid in by_tid
            else:
                problems.append("postback %d failed: %s" % (pid, reason))
        if state in (0, 1):
            problems.append("postback %d still open (state %d)" % (pid, state))
    for h in hits:
        pb = tid_to_pb.get(h["tid"])
        if pb is None:
            problems.append("tracker saw an unknown tid %r" % h["tid"])
        elif h["status"] != pb[1] or h["path"] != "/pb/%s" % pb[1] or h["lead"] != str(pb[0]):
            problems.append("tracker hit %r does not match postback %r" % (h, pb))
    due = sum(len(m.postbacks) for m in models.values())

    log("figures: seed=%d updates driven=%d (POSTs %d), kills=%d, acknowledged=%d, "
        "seen_updates rows=%d" % (seed, total, drv.attempts, kills, drv.acked, seen_updates))
    log("figures: leads=%d (expected %d), journal rows=%d (expected %d), postbacks due=%d, "
        "stored=%d, states=%s"
        % (len(leads), sum(1 for m in models.values() if m.lead),
           sum(len(v) for v in journal.values()), exp_journal_rows, due, len(pb_rows),
           {["pending", "sending", "sent", "failed", "skipped"][k]: v
            for k, v in sorted(states.items())}))
    log("figures: tracker hits=%d, distinct tids=%d, interrupted postbacks=%d (of them the "
        "tracker saw %d)" % (len(hits), len(by_tid), interrupted, interrupted_seen))
    log("figures: losses=%d duplicates=%d mismatches=%d" % (losses, dups, mismatches))
    if seen_updates < len(set(drv.ack_log)):
        problems.append("seen_updates has %d rows for %d acknowledged updates"
                        % (seen_updates, len(set(drv.ack_log))))
    for p in problems[:40]:
        log("PROBLEM: %s" % p)
    if len(problems) > 40:
        log("... and %d more problems" % (len(problems) - 40))
    return not problems and losses == 0 and dups == 0


if __name__ == "__main__":
    sys.exit(main())
