"""Postback delivery (§4): outcomes per HTTP answer, redirects, slow and hanging
trackers, per-lead order, {tid}, restarts, SSRF safety, tracker presets and the
test action (§6.3 /api/postbacks/*)."""

import os
import re
import socket
import subprocess
import time
import urllib.parse

from doubles import TrackerDouble
from harness import (BOT_ID, CHANNEL, SUPERGROUP, OWNER, ALINA, MARCO, DMITRY, TgleadTestCase,
                     start, chat_member, join_request, user, free_port, binary_path)

STATUSES = ("wait", "hold", "approve", "cancel", "trash")
RETRIED = "pending"


def by_click_templates(tracker_url):
    """One path per click and status, so each lead can get its own tracker answer."""
    return {s: "%s/r/{click}/%s?tid={tid}" % (tracker_url, s) for s in STATUSES}


class DeliveryOutcomesTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.t0 = int(time.time()) - 3600

    def _leads_with_clicks(self, clicks):
        """One subscriber per click, each sends /start CAMP42-<click>; returns click -> lead."""
        subs = {}
        for i, c in enumerate(clicks):
            sub = user(7200000001 + i, first_name="S%d" % i)
            subs[c] = sub
            self.send(start(self.next_uid(), sub, "/start CAMP42-%s" % c, self.t0 + i))
        out = {}
        for c, sub in subs.items():
            out[c] = self.find_lead(sub["id"])
        return out

    def _wait_first_attempt(self, lead_id, status="wait", timeout=None):
        deadline = time.monotonic() + (timeout or self.ASYNC_TIMEOUT)
        last = None
        while True:
            pbs = [p for p in self.postbacks_of(lead_id) if p["status"] == status]
            last = pbs
            if pbs and pbs[0]["attempts"]:
                return pbs[0]
            if time.monotonic() > deadline:
                self.fail("no attempt recorded for %s postback of lead %s: %r"
                          % (status, lead_id, last))
            time.sleep(0.1)

    def test_answer_codes_map_to_states(self):
        t = self.tracker
        landed = "/landed"
        t.set_response("/r/c302/wait", 302, "moved", headers={"Location": t.url + landed})
        t.set_response("/r/c301/wait", 301, "moved", headers={"Location": t.url + landed})
        t.set_response("/r/c204/wait", 204, "")
        t.set_response("/r/c201/wait", 201, "created")
        for code in (400, 404, 410):
            t.set_response("/r/c%d/wait" % code, code, "final %d" % code)
        for code in (408, 429, 500, 502, 503):
            t.set_response("/r/c%d/wait" % code, code, "retry me %d" % code)
        self.setup_bot_and_campaign(postbacks=by_click_templates(t.url))
        clicks = ["c201", "c204", "c301", "c302", "c400", "c404", "c410",
                  "c408", "c429", "c500", "c502", "c503"]
        leads = self._leads_with_clicks(clicks)
        self.tracker.wait_for(len(clicks), self.ASYNC_TIMEOUT,
                              lambda r: r["path"].startswith("/r/"))
        got = {}
        for c in clicks:
            got[c] = self._wait_first_attempt(leads[c]["id"])
        self.quiet(1.0)   # a retry (if any) must not come this soon: backoff is ~1 min
        problems = []
        for c in clicks:
            code = int(c[1:])
            pb = [p for p in self.postbacks_of(leads[c]["id"]) if p["status"] == "wait"][0]
            at = pb["attempts"]
            n_req = len(t.requests("/r/%s/wait" % c))
            if code < 300:
                exp_state = "sent"
            elif code in (408, 429) or code >= 500:
                exp_state = RETRIED
            else:
                exp_state = "failed"
            if pb["state"] != exp_state:
                problems.append("%d: state %r, expected %r (reason %r)"
                                % (code, pb["state"], exp_state, pb.get("reason")))
            if len(at) != 1:
                problems.append("%d: %d attempts recorded, expected 1: %r" % (code, len(at), at))
            elif at[0]["http_code"] != code:
                problems.append("%d: attempt http_code %r" % (code, at[0]["http_code"]))
            if n_req != 1:
                problems.append("%d: tracker got %d requests, expected 1" % (code, n_req))
            if exp_state == "failed" and not pb.get("reason"):
                problems.append("%d: failed without a reason" % code)
            if code in (400, 404, 410, 408, 429, 500, 502, 503) and at and \
                    at[0]["body"] != t.responses["/r/%s/wait" % c][1]:
                problems.append("%d: body %r" % (code, at[0]["body"]))
        if t.requests(landed):
            problems.append("redirect was followed: %d requests to %s"
                            % (len(t.requests(landed)), landed))
        self.assertEqual(problems, [], "\n".join(problems))

    def test_network_error_is_retried(self):
        port = free_port()          # nothing listens there
        tpl = "http://127.0.0.1:%d/pb/wait?c={click}" % port
        self.setup_bot_and_campaign(postbacks={"wait": tpl})
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-net", self.t0))
        ld = self.find_lead(ALINA["id"])
        pb = self._wait_first_attempt(ld["id"])
        self.assertEqual(pb["state"], RETRIED, pb)
        self.assertEqual(len(pb["attempts"]), 1, pb)
        at = pb["attempts"][0]
        self.assertTrue(at["error"], "a connection failure must be recorded as an error: %r"
                        % at)
        self.assertIn(at["http_code"], (0, None), at)
        self.quiet(1.0)
        self.assertEqual(len([p for p in self.postbacks_of(ld["id"])
                              if p["status"] == "wait"][0]["attempts"]), 1,
                         "the retry must wait for the backoff (~1 min)")

    def test_body_kept_to_first_kib(self):
        body = "".join(chr(ord("a") + i % 26) for i in range(3000))
        self.tracker.set_response("/pb/wait", 200, body)
        self.tracker.set_response("/pb/approve", 503, "E" * 2000)
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-kib", self.t0))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 5))
        ld = self.find_lead(ALINA["id"], status=2)
        pb = self.wait_postback_state(ld["id"], "wait", "sent")
        self.assertEqual(pb["attempts"][0]["body"], body[:1024])
        pb = self._wait_first_attempt(ld["id"], "approve")
        self.assertEqual(pb["attempts"][0]["body"], "E" * 1024)
        self.assertEqual(pb["attempts"][0]["http_code"], 503)

    def test_order_kept_with_slow_tracker(self):
        self.tracker.set_response("/pb/wait", 200, "slow OK", delay=1.5)
        self.tracker.set_response("/pb/hold", 200, "slow OK", delay=0.7)
        self.setup_bot_and_campaign()
        t_send = time.monotonic()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-ord", self.t0))
        self.send(join_request(self.next_uid(), CHANNEL, ALINA, self.t0 + 1))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 2,
                              via_join_request=True))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left", self.t0 + 3))
        self.assertLess(time.monotonic() - t_send, 1.4,
                        "webhooks must not wait for the slow tracker")
        hits = self.tracker.wait_for(4, self.ASYNC_TIMEOUT + 3)
        self.assertEqual([h["path"] for h in hits],
                         ["/pb/wait", "/pb/hold", "/pb/approve", "/pb/cancel"])
        # each postback of the lead starts only after the previous one got its answer
        self.tracker.wait_for(4, 5, lambda r: r["done"] is not None)
        for prev, nxt in zip(hits, hits[1:]):
            self.assertIsNotNone(prev["done"])
            self.assertGreaterEqual(nxt["time"] + 0.05, prev["done"],
                                    "%s sent before %s was answered" % (nxt["path"],
                                                                         prev["path"]))
        ld = self.find_lead(ALINA["id"], status=3)
        for s in ("wait", "hold", "approve", "cancel"):
            self.wait_postback_state(ld["id"], s, "sent")

    def test_order_kept_behind_a_retry(self):
        """§4 'per lead, postbacks are sent in transition order': while `wait` waits for
        its retry (~1 min), the lead's `approve` must not overtake it; another lead's
        postbacks are not held up."""
        self.tracker.set_response("/r/slowpoke/wait", 503, "busy")
        self.setup_bot_and_campaign(postbacks=by_click_templates(self.tracker.url))
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-slowpoke", self.t0))
        ld = self.find_lead(ALINA["id"])
        pb = self._wait_first_attempt(ld["id"])
        self.assertEqual(pb["state"], RETRIED, pb)
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 5))
        self.send(start(self.next_uid(), MARCO, "/start CAMP42-other", self.t0 + 6))
        self.send(chat_member(self.next_uid(), CHANNEL, MARCO, "left", "member", self.t0 + 7))
        self.tracker.wait_for(2, self.ASYNC_TIMEOUT, lambda r: "/other/" in r["path"])
        self.quiet(1.0)
        self.assertEqual([r["path"] for r in self.tracker.requests()
                          if "/slowpoke/" in r["path"]], ["/r/slowpoke/wait"],
                         "approve was sent while the lead's earlier wait awaits its retry")
        ap = [p for p in self.postbacks_of(ld["id"]) if p["status"] == "approve"]
        self.assertEqual(len(ap), 1)
        self.assertEqual(ap[0]["state"], "pending")
        self.assertEqual(ap[0]["attempts"], [])

    def test_tid_unique_and_recorded(self):
        self.setup_bot_and_campaign(unsub_window=0)
        for sub in (ALINA, MARCO):
            self.send(start(self.next_uid(), sub, "/start CAMP42-t%d" % sub["id"], self.t0))
            self.send(chat_member(self.next_uid(), CHANNEL, sub, "left", "member", self.t0 + 1))
            self.send(chat_member(self.next_uid(), CHANNEL, sub, "member", "left", self.t0 + 2))
            self.send(chat_member(self.next_uid(), CHANNEL, sub, "left", "member", self.t0 + 3))
        # a new click on the same lead fires `wait` again: still a new tid
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-second", self.t0 + 4))
        hits = self.wait_hits(9)
        self.assertEqual(len(hits), 9, [h["path"] for h in hits])
        tids = [h["query"].get("tid") for h in hits]
        self.assertTrue(all(tids), tids)
        self.assertEqual(len(set(tids)), len(tids), "tids must be unique: %r" % tids)
        hist = []
        for sub in (ALINA, MARCO):
            ld = self.find_lead(sub["id"])
            self.eventually(lambda: self.assertTrue(all(
                p["state"] == "sent" for p in self.postbacks_of(ld["id"]))),
                timeout=self.ASYNC_TIMEOUT)
            hist += self.postbacks_of(ld["id"])
        self.assertEqual(len(hist), 9)
        hist_tids = [urllib.parse.parse_qs(urllib.parse.urlsplit(p["url"]).query)["tid"][0]
                     for p in hist]
        self.assertEqual(sorted(hist_tids), sorted(tids),
                         "the history's URLs must be exactly the ones sent")


class HangingTrackerTest(TgleadTestCase):

    def test_hanging_tracker_times_out_and_webhooks_stay_fast(self):
        self.tracker.hang("/hang/wait", 30)
        self.add_bot()
        self.promote(CHANNEL)
        self.promote(SUPERGROUP)
        self.add_campaign(postbacks={"wait": self.tracker.url + "/hang/wait?c={click}"})
        self.add_campaign(chat=SUPERGROUP["id"], code="OTHER", name="Other")
        t0 = int(time.time()) - 60
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-hang", t0))
        got = self.tracker.wait_for(1, self.ASYNC_TIMEOUT,
                                    lambda r: r["path"] == "/hang/wait")
        self.assertTrue(got, "the postback never reached the tracker")
        t_req = got[0]["time"]
        ld = self.find_lead(ALINA["id"])
        # while the tracker hangs, updates are processed at normal speed
        slow = []
        for i, sub in enumerate((MARCO, DMITRY, user(7300000001), user(7300000002))):
            t = time.monotonic()
            self.send(start(self.next_uid(), sub, "/start OTHER-x%d" % i, t0 + i))
            slow.append(time.monotonic() - t)
        self.assertLess(max(slow), 1.0, "webhook answers took %r s while a postback hangs"
                        % slow)
        self.find_lead(DMITRY["id"])
        # the hanging attempt ends after the 10 s timeout, recorded, retry scheduled
        deadline = time.monotonic() + 15
        pb = None
        while time.monotonic() < deadline:
            pbs = [p for p in self.postbacks_of(ld["id"]) if p["status"] == "wait"]
            if pbs and pbs[0]["attempts"]:
                pb = pbs[0]
                break
            time.sleep(0.2)
        self.assertIsNotNone(pb, "no attempt recorded 15 s after the tracker hung")
        elapsed = time.time() - t_req
        self.assertGreaterEqual(elapsed, 8.5, "timeout came too early (%.1f s)" % elapsed)
        at = pb["attempts"][0]
        self.assertTrue(re.search(r"time", at["error"] or "", re.I),
                        "expected a timeout error, got %r" % at)
        self.assertIn(at["http_code"], (0, None), at)
        self.assertEqual(pb["state"], "pending", "a timeout is retried: %r" % pb)
        # other leads' postbacks did not wait behind the hanging one
        other = [r for r in self.tracker.requests("/pb/wait")]
        self.assertEqual(len(other), 4, "postbacks of other leads: %r" % other)
        self.assertLess(max(r["time"] for r in other) - t_req, 5.0,
                        "postbacks of other leads were held up by the hanging tracker")


class RestartTest(TgleadTestCase):

    def test_no_resend_after_restart(self):
        self.tracker.set_response("/pb/approve", 404, "nope")
        self.setup_bot_and_campaign()
        t0 = int(time.time()) - 600
        subs = (ALINA, MARCO, DMITRY)
        for sub in subs:
            self.send(start(self.next_uid(), sub, "/start CAMP42-rs%d" % sub["id"], t0))
            self.send(chat_member(self.next_uid(), CHANNEL, sub, "left", "member", t0 + 5))
        self.wait_hits(6)
        leads = [self.find_lead(s["id"], status=2) for s in subs]
        for ld in leads:
            self.wait_postback_state(ld["id"], "wait", "sent")
            self.wait_postback_state(ld["id"], "approve", "failed")
        before = len(self.tracker.requests())
        self.restart_server()
        self.quiet(1.5)
        self.assertEqual(len(self.tracker.requests()), before,
                         "sent/failed postbacks were sent again after a restart: %r"
                         % [h["path"] for h in self.tracker.requests()[before:]])
        # the restarted service still delivers new transitions, exactly once
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left", t0 + 10))
        self.wait_hits(1, "cancel")
        self.quiet(0.8)
        self.assertEqual([h["path"] for h in self.tracker.requests()[before:]], ["/pb/cancel"])
        for ld in leads:
            for p in self.postbacks_of(ld["id"]):
                self.assertLessEqual(len(p["attempts"]), 1, p)


class InFlightAtShutdownTest(TgleadTestCase):

    def test_postback_in_flight_at_sigterm_sent_once(self):
        """SIGTERM while the tracker is still answering: after a restart the postback is
        not sent a second time (at most once per transition, across restarts)."""
        self.tracker.set_response("/pb/wait", 200, "OK", delay=2.0)
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-inflight",
                        int(time.time()) - 60))
        self.assertTrue(self.tracker.wait_for(1, self.ASYNC_TIMEOUT),
                        "the postback never reached the tracker")
        ld = self.find_lead(ALINA["id"])
        self.restart_server()
        self.quiet(1.5)
        self.assertEqual(len(self.tracker.requests("/pb/wait")), 1,
                         "the in-flight postback was sent again after the restart")
        pb = [p for p in self.postbacks_of(ld["id"]) if p["status"] == "wait"][0]
        self.assertIn(pb["state"], ("sent", "pending"), pb)


# --------------------------------------------------------------------------
# Retry schedule (serve --postback-retry-delays)
# --------------------------------------------------------------------------

class ScriptedTracker(TrackerDouble):
    """A tracker whose answer for a path follows a script of status codes, one per request
    (the last one repeats), decided when the request arrives: no race with the retry."""

    def reset(self):
        super().reset()
        with self._lock:
            self._scripts = {}

    def script(self, path, codes):
        with self._lock:
            self._scripts[path] = list(codes)

    def _record_full(self, method, raw_path):
        with self._lock:
            rec, answer = super()._record_full(method, raw_path)
            codes = self._scripts.get(rec["path"])
            if codes:
                seen = len([r for r in self._requests if r["path"] == rec["path"]])
                code = codes[min(seen, len(codes)) - 1]
                answer = (code, "answer %d to request %d" % (code, seen), {}, 0.0)
            return rec, answer


class RetryScheduleTestCase(TgleadTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tracker.stop()
        cls.tracker = ScriptedTracker().start()

    def _one_wait_postback(self, click):
        self.setup_bot_and_campaign(postbacks={"wait": self.tpl("wait")})
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-%s" % click, int(time.time()) - 60))
        return self.find_lead(ALINA["id"])

    def _assert_one_tid(self, hits, pb):
        tids = [h["query"].get("tid") for h in hits]
        self.assertTrue(tids[0], hits)
        self.assertEqual(set(tids), {tids[0]}, "every attempt must carry the postback's tid")
        self.assertEqual(pb.get("tid"), tids[0], pb)


class RetryThenSuccessTest(RetryScheduleTestCase):
    EXTRA_SERVE_ARGS = ["--reconcile-every", "0", "--postback-retry-delays", "1s,1s"]

    def test_500_then_200_ends_sent(self):
        self.tracker.script("/pb/wait", [500, 200])
        ld = self._one_wait_postback("flaky")
        pb = self.wait_postback_state(ld["id"], "wait", "sent", timeout=self.ASYNC_TIMEOUT)
        self.assertEqual([a["http_code"] for a in pb["attempts"]], [500, 200], pb)
        self.assertEqual([a["body"] for a in pb["attempts"]],
                         ["answer 500 to request 1", "answer 200 to request 2"], pb)
        self.quiet(1.5)   # longer than the schedule's delays: nothing more may follow
        hits = self.tracker.requests("/pb/wait")
        self.assertEqual(len(hits), 2, [h["raw_path"] for h in hits])
        self._assert_one_tid(hits, pb)
        pb = [p for p in self.postbacks_of(ld["id"]) if p["status"] == "wait"][0]
        self.assertEqual((pb["state"], len(pb["attempts"])), ("sent", 2), pb)


class RetryGivesUpTest(RetryScheduleTestCase):
    EXTRA_SERVE_ARGS = ["--reconcile-every", "0", "--postback-retry-delays", "1s"]

    def test_failed_after_the_last_delay(self):
        self.tracker.script("/pb/wait", [500])
        ld = self._one_wait_postback("down")
        pb = self.wait_postback_state(ld["id"], "wait", "failed", timeout=self.ASYNC_TIMEOUT)
        self.assertEqual([a["http_code"] for a in pb["attempts"]], [500, 500], pb)
        self.assertIn("gave up after 2 attempts", pb.get("reason") or "", pb)
        self.quiet(1.5)
        hits = self.tracker.requests("/pb/wait")
        self.assertEqual(len(hits), 2, [h["raw_path"] for h in hits])
        self._assert_one_tid(hits, pb)

    def _serve_refuses(self, args, env=None):
        p = subprocess.Popen([binary_path(), "serve", "--listen", "127.0.0.1:%d" % free_port(),
                              "--db", self.db, "--telegram-api", self.botapi.url] + args,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=self.tmp,
                             env=dict(os.environ, **(env or {})))
        try:
            _, err = p.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate(timeout=5)
            self.fail("serve kept running with %r %r" % (args, env))
        self.assertNotEqual(p.returncode, 0, (args, env))
        return err.decode("utf-8", "replace")

    def test_bad_schedules_refused_with_a_reason(self):
        for value, mentions in (("", "entry 1"), ("1m,,5m", "entry 2"), ("5x", "'5x'"),
                                ("0s", "delay 1"), ("1m,169h", "delay 2"),
                                (",".join(["1s"] * 11), "at most 10")):
            err = self._serve_refuses(["--postback-retry-delays", value])
            self.assertIn("--postback-retry-delays", err, value)
            self.assertIn(mentions, err, value)
        err = self._serve_refuses([], env={"TGLEAD_POSTBACK_RETRY_DELAYS": "1m,banana"})
        self.assertIn("'banana'", err)


# --------------------------------------------------------------------------
# SSRF (no --allow-private-postbacks)
# --------------------------------------------------------------------------

PRIVATE_TARGETS = ["http://127.0.0.1/", "http://10.0.0.1/", "http://[::1]/",
                   "http://2130706433/", "http://0x7f.1/", "http://[::ffff:127.0.0.1]/",
                   "http://localhost/", "http://169.254.169.254/"]
MORE_PRIVATE_TARGETS = ["http://192.168.1.10/", "http://172.16.5.4/", "http://100.64.0.1/",
                        "http://0.0.0.0/", "http://127.1/", "http://017700000001/",
                        "http://[fe80::1]/", "http://[fc00::1]/", "http://224.0.0.1/",
                        "http://[::]/", "http://[::ffff:a00:1]/", "https://127.0.0.1:8443/",
                        "http://0177.0.0.1/", "http://[0:0:0:0:0:ffff:7f00:1]/",
                        "http://[::127.0.0.1]/", "http://0x7f000001/", "http://[64:ff9b::7f00:1]/",
                        "http://user@127.0.0.1/", "http://LocalHost/", "http://foo.localhost/"]


def loopback_hosts_name():
    """A name from /etc/hosts (other than localhost) that maps to a loopback address."""
    try:
        with open("/etc/hosts") as f:
            for line in f:
                parts = line.split("#", 1)[0].split()
                if len(parts) < 2 or not (parts[0].startswith("127.") or parts[0] == "::1"):
                    continue
                for name in parts[1:]:
                    if "localhost" in name.lower():
                        continue
                    try:
                        addr = socket.gethostbyname(name)
                    except OSError:
                        continue
                    if addr.startswith("127."):
                        return name
    except OSError:
        pass
    return None


class SsrfTest(TgleadTestCase):
    ALLOW_PRIVATE_POSTBACKS = False

    def _check_rejected(self, targets):
        self.add_bot()
        self.promote(CHANNEL)
        problems = []
        for base in targets + ["ftp://tracker.example.com/"]:
            url = base + "pb?c={click}"
            st, js = self.add_campaign(postbacks={"approve": url}, expect_ok=False)
            if st != 400 or (js or {}).get("error") != "postback":
                problems.append("campaigns/add %s -> %s %r" % (url, st, js))
                if st == 200:   # clean up so the next add is not `exists`
                    self.ok("/api/campaigns/del.json", form={"id": js["data"]["id"]},
                            method="POST")
            st, js = self.api("/api/profile/edit.json", method="POST",
                              json_body={"postbacks": {"wait": url}})
            if st != 400 or (js or {}).get("error") != "postback":
                problems.append("profile/edit %s -> %s %r" % (url, st, js))
        self.assertEqual(problems, [], "\n".join(problems))
        self.assertEqual(self.ok("/api/profile/get.json")["postbacks"],
                         {s: "" for s in STATUSES})

    def test_private_targets_rejected_at_save(self):
        self._check_rejected(PRIVATE_TARGETS)

    def test_more_private_targets_rejected_at_save(self):
        self._check_rejected(MORE_PRIVATE_TARGETS)

    def test_trailing_dot_loopback_hosts(self):
        """`127.0.0.1.` and `LOCALHOST.` are the loopback literal / localhost written as
        absolute names: refused at save time, and in any case never contacted."""
        self.add_bot()
        self.promote(CHANNEL)
        problems = []
        for i, host in enumerate(("127.0.0.1.", "LOCALHOST.")):
            tpl = "http://%s:%d/dot%d/wait?c={click}" % (host, self.tracker.port, i)
            st, js = self.api("/api/profile/edit.json", method="POST",
                              json_body={"postbacks": {"wait": tpl}})
            if st == 400 and js.get("error") == "postback":
                continue
            problems.append("save time: profile/edit accepted %s (%s)" % (tpl, st))
        if problems:
            # saved: the send-time check must still keep the request off loopback
            # (a campaign without templates uses the profile's set)
            self.add_campaign(postbacks=None)
            for i, host in enumerate(("127.0.0.1.", "LOCALHOST.")):
                tpl = "http://%s:%d/dot%d/wait?c={click}" % (host, self.tracker.port, i)
                self.ok("/api/profile/edit.json", method="POST",
                        json_body={"postbacks": {"wait": tpl}})
                sub = user(7400000101 + i)
                self.send(start(self.next_uid(), sub, "/start CAMP42-dot%d" % i,
                                int(time.time()) - 60))
                ld = self.find_lead(sub["id"])
                deadline = time.monotonic() + self.ASYNC_TIMEOUT
                pb = None
                while time.monotonic() < deadline:
                    pbs = [p for p in self.postbacks_of(ld["id"]) if p["attempts"]]
                    if pbs:
                        pb = pbs[0]
                        break
                    time.sleep(0.1)
                if self.tracker.requests("/dot%d/wait" % i):
                    problems.append("send time: %s reached the loopback tracker (SSRF)" % host)
                elif pb is None:
                    problems.append("send time: %s: no attempt recorded" % host)
                else:
                    err = pb["attempts"][0]["error"] or ""
                    # this sandbox's resolver may not resolve absolute names at all
                    if not (err.startswith("address not allowed") or "resolve" in err):
                        problems.append("send time: %s: attempt %r" % (host, pb["attempts"][0]))
        self.assertEqual(problems, [], "\n".join(problems))

    def test_edit_and_test_action_reject_private(self):
        camp = self.setup_bot_and_campaign(postbacks={"wait": "http://93.184.216.34/pb?c={click}"})
        self.assert_error(self.api("/api/campaigns/edit.json", method="POST",
                                   json_body={"id": camp["id"], "postbacks": {
                                       "wait": "http://10.1.2.3/pb?c={click}"}}),
                          400, "postback")
        self.assertEqual(self.campaign_by_id(camp["id"])["postbacks"]["wait"],
                         "http://93.184.216.34/pb?c={click}")
        # the test action must not be a way around the check (the double is on 127.0.0.1)
        self.assert_error(self.api("/api/postbacks/test.json", method="POST",
                                   form={"url": self.tracker.url + "/probe?c={click}"}),
                          400, "postback")
        self.assert_error(self.api("/api/postbacks/presets.json",
                                   {"base": "http://169.254.169.254/latest"}), 400, "postback")
        self.quiet(0.3)
        self.assertEqual(self.tracker.requests(), [], "the loopback tracker was contacted")

    def test_public_target_accepted(self):
        camp = self.setup_bot_and_campaign(postbacks={
            "wait": "http://93.184.216.34/pb?c={click}",
            "approve": "https://[2606:2800:220:1:248:1893:25c8:1946]/pb?c={click}"})
        self.assertEqual(camp["postbacks"]["wait"], "http://93.184.216.34/pb?c={click}")
        self.ok("/api/profile/edit.json", method="POST",
                json_body={"postbacks": {"wait": "https://8.8.8.8/p?c={click}"}})

    def test_hosts_name_to_loopback_refused_at_send(self):
        name = loopback_hosts_name()
        if not name:
            self.skipTest("no /etc/hosts name (other than localhost) resolving to 127.x")
        tpl = "http://%s:%d/pb/wait?c={click}" % (name, self.tracker.port)
        self.add_bot()
        self.promote(CHANNEL)
        st, js = self.add_campaign(postbacks={"wait": tpl}, expect_ok=False)
        if st == 400 and (js or {}).get("error") == "postback":
            self.skipTest("the server resolves %r at save time and refuses it there; "
                          "the send-time check cannot be reached this way" % name)
        self.assertEqual(st, 200, js)
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-ssrf", int(time.time()) - 60))
        ld = self.find_lead(ALINA["id"])
        pb = self.wait_postback_state(ld["id"], "wait", "failed")
        self.assertEqual(len(pb["attempts"]), 1, pb)
        self.assertTrue((pb["attempts"][0]["error"] or "").startswith("address not allowed"),
                        pb["attempts"][0])
        self.assertEqual(self.tracker.requests(), [], "the loopback tracker was contacted")


# --------------------------------------------------------------------------
# Presets and the test action
# --------------------------------------------------------------------------

class PresetsTest(TgleadTestCase):
    TRACKERS = ("keitaro", "binom", "voluum", "redtrack", "bemob", "peerclick", "altercpa")

    def test_presets_list(self):
        data, total = self.ok_list("/api/postbacks/presets.json")
        self.assertEqual(total, len(data))
        by_id = {str(p.get("id")).lower(): p for p in data}
        for t in self.TRACKERS:
            self.assertIn(t, by_id, "preset %s missing: %r" % (t, list(by_id)))
            p = by_id[t]
            self.assertTrue(p.get("click_macro"), p)
            self.assertRegex(p["click_macro"], r"^\{\w+\}$")
            self.assertEqual(sorted(p["postbacks"]), sorted(STATUSES), p)
            for s in STATUSES:
                url = p["postbacks"][s]
                self.assertTrue(url.startswith("http"), (t, s, url))
                self.assertIn("{click}", url, (t, s, url))
        k = by_id["keitaro"]
        self.assertEqual(k["click_macro"], "{subid}")
        q = {s: urllib.parse.parse_qs(urllib.parse.urlsplit(k["postbacks"][s]).query)
             for s in STATUSES}
        for s, exp in (("wait", "lead"), ("hold", "lead"), ("approve", "sale"),
                       ("cancel", "rejected"), ("trash", "rejected")):
            self.assertEqual(q[s].get("status"), [exp], (s, k["postbacks"][s]))
            self.assertEqual(q[s].get("subid"), ["{click}"], (s, k["postbacks"][s]))

    def test_presets_base_and_filter(self):
        base = "https://k.example.com/abc/postback"
        data, total = self.ok_list("/api/postbacks/presets.json",
                                   {"base": base, "tracker": "keitaro"})
        self.assertEqual(total, 1, data)
        self.assertEqual(len(data), 1, data)
        p = data[0]
        self.assertEqual(p["id"], "keitaro")
        for s in STATUSES:
            self.assertTrue(p["postbacks"][s].startswith(base + "?"), p["postbacks"][s])
        # a preset can be saved as is
        self.add_bot()
        self.promote(CHANNEL)
        camp = self.add_campaign(postbacks=p["postbacks"])
        self.assertEqual(camp["postbacks"], p["postbacks"])

    def test_test_action_hits_tracker(self):
        self.tracker.set_response("/probe", 202, "tracker says hi")
        tpl = (self.tracker.url + "/probe?c={click}&s={status}&code={status_code}&tid={tid}"
               "&u={user}&x={nope}")
        data = self.ok("/api/postbacks/test.json", method="POST", form={"url": tpl})
        self.assertEqual(data.get("http_code"), 202, data)
        self.assertEqual(data.get("body"), "tracker says hi", data)
        reqs = self.tracker.wait_for(1, 3)
        self.quiet(0.3)
        reqs = self.tracker.requests()
        self.assertEqual(len(reqs), 1, reqs)
        r = reqs[0]
        self.assertEqual(r["method"], "GET")
        self.assertEqual(r["path"], "/probe")
        q = r["query"]
        self.assertTrue(q.get("c"), q)
        self.assertNotIn("{", q["c"] + q["s"] + q["code"] + q["tid"] + q["u"], q)
        self.assertTrue(q.get("tid"), q)
        self.assertEqual(q.get("u"), str(self.ok("/api/profile/get.json")["id"]))
        self.assertEqual(q.get("x"), "{nope}")
        if "url" in data:
            sp = urllib.parse.urlsplit(data["url"])
            self.assertEqual(sp.path + "?" + sp.query, r["raw_path"],
                             "the answer's url must be exactly what the tracker got")

    def test_test_action_shows_error_answer(self):
        self.tracker.set_response("/probe", 404, "unknown subid")
        data = self.ok("/api/postbacks/test.json", method="POST",
                       form={"url": self.tracker.url + "/probe?c={click}"})
        self.assertEqual(data.get("http_code"), 404, data)
        self.assertEqual(data.get("body"), "unknown subid", data)
        self.assertEqual(len(self.tracker.requests("/probe")), 1)

    def test_test_action_bad_input(self):
        self.assert_error(self.api("/api/postbacks/test.json", method="POST", form={}),
                          400, "param", "url")
        self.assert_error(self.api("/api/postbacks/test.json", method="POST",
                                   form={"url": "ftp://x.example/p"}), 400, "postback")
