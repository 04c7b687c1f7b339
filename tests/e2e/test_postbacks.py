"""Postbacks §4 and unsub window §3.8."""

import time
import urllib.parse

from harness import (BOT_ID, CHANNEL, OWNER, ALINA, DMITRY, MARCO, DATE_RE, TgleadTestCase,
                     start, chat_member, join_request, fmt, user)

STATUSES = ("wait", "hold", "approve", "cancel", "trash")


class TemplatesTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.t0 = int(time.time()) - 5 * 3600

    def test_campaign_templates_used(self):
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-x", self.t0))
        hits = self.wait_hits(1)
        self.assertEqual(hits[0]["path"], "/pb/wait")
        self.assertEqual(hits[0]["method"], "GET")

    def test_partial_campaign_set_no_fallback(self):
        self.ok("/api/profile/edit.json", method="POST", json_body={"postbacks": {
            s: "%s/profile/%s?c={click}" % (self.tracker.url, s) for s in STATUSES}})
        self.setup_bot_and_campaign(postbacks={"wait": self.tpl("wait"), "hold": "",
                                               "approve": "", "cancel": "", "trash": ""})
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-x", self.t0))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 10))
        self.find_lead(ALINA["id"], status=2)
        self.wait_hits(1)
        self.quiet()
        self.assertEqual([h["path"] for h in self.tracker.requests()], ["/pb/wait"])

    def test_profile_fallback_when_campaign_has_none(self):
        self.ok("/api/profile/edit.json", method="POST", json_body={"postbacks": {
            s: "%s/profile/%s?c={click}&s={status}" % (self.tracker.url, s) for s in STATUSES}})
        prof = self.ok("/api/profile/get.json")
        self.assertEqual(prof["postbacks"]["wait"],
                         "%s/profile/wait?c={click}&s={status}" % self.tracker.url)
        camp = self.setup_bot_and_campaign(postbacks=None)
        self.assertEqual(camp["postbacks"], {s: "" for s in STATUSES})
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-fb", self.t0))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 10))
        hits = self.tracker.wait_for(2, self.ASYNC_TIMEOUT)
        self.assertEqual([h["path"] for h in hits], ["/profile/wait", "/profile/approve"])
        self.assertEqual(hits[0]["query"], {"c": "fb", "s": "wait"})

    def test_no_templates_anywhere_nothing_sent(self):
        self.setup_bot_and_campaign(postbacks=None)
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-n", self.t0))
        ld = self.find_lead(ALINA["id"])
        self.quiet()
        self.assertEqual(self.tracker.requests(), [])
        for pb in self.postbacks_of(ld["id"]):
            self.assertNotEqual(pb.get("state"), "sent")

    def test_unsafe_scheme_rejected_at_save(self):
        self.add_bot()
        self.promote(CHANNEL)
        for bad in ("ftp://127.0.0.1/pb?c={click}", "javascript:alert(1)", "not a url"):
            res = self.add_campaign(postbacks={"wait": bad}, expect_ok=False)
            self.assert_error(res, 400, "postback")
        data, total = self.ok_list("/api/campaigns/list.json")
        self.assertEqual(total, 0)
        self.assert_error(self.api("/api/profile/edit.json", method="POST",
                                   json_body={"postbacks": {"approve": "ftp://x.example/p"}}),
                          400, "postback")

    def test_unsafe_scheme_rejected_on_edit(self):
        camp = self.setup_bot_and_campaign()
        self.assert_error(self.api("/api/campaigns/edit.json", method="POST",
                                   json_body={"id": camp["id"],
                                              "postbacks": {"cancel": "javascript:x"}}),
                          400, "postback")
        self.assertEqual(self.campaign_by_id(camp["id"])["postbacks"]["cancel"],
                         self.tpl("cancel"))


class MacrosTest(TgleadTestCase):

    def test_every_macro_expanded_and_encoded(self):
        macros = ["click", "status", "status_code", "campaign", "campaign_id", "user", "lead",
                  "subscriber", "username", "first_name", "last_name", "chat", "time", "tid"]
        q = "&".join("%s={%s}" % (m, m) for m in macros) + "&unknown={nope}"
        tpl = "%s/m/{status}?%s" % (self.tracker.url, q)
        camp = self.setup_bot_and_campaign(postbacks={s: tpl for s in STATUSES})
        prof = self.ok("/api/profile/get.json")
        sub = user(7000000001, first_name="Алина", last_name="Ким Ли", username="a_lina")
        t0 = int(time.time()) - 3600
        self.send(start(self.next_uid(), sub, "/start CAMP42-ab_c-d-1", t0))
        self.send(chat_member(self.next_uid(), CHANNEL, sub, "left", "member", t0 + 7))
        hits = self.tracker.wait_for(2, self.ASYNC_TIMEOUT)
        self.assertEqual(len(hits), 2, hits)
        ld = self.find_lead(sub["id"])
        w, a = hits
        self.assertEqual(w["path"], "/m/wait")
        self.assertEqual(a["path"], "/m/approve")
        exp = {"click": "ab_c-d-1", "status": "wait", "status_code": "0", "campaign": "CAMP42",
               "campaign_id": str(camp["id"]), "user": str(prof["id"]), "lead": str(ld["id"]),
               "subscriber": str(sub["id"]), "username": "a_lina", "first_name": "Алина",
               "last_name": "Ким Ли", "chat": str(CHANNEL["id"]), "time": str(t0),
               "unknown": "{nope}"}
        for k, v in exp.items():
            self.assertEqual(w["query"].get(k), v, "macro {%s}: %r" % (k, w["query"]))
        self.assertEqual(a["query"]["status"], "approve")
        self.assertEqual(a["query"]["status_code"], "2")
        self.assertEqual(a["query"]["time"], str(t0 + 7))
        self.assertTrue(w["query"]["tid"])
        self.assertNotEqual(w["query"]["tid"], a["query"]["tid"])
        # the Cyrillic name travels percent-encoded UTF-8 (not raw bytes)
        raw = w["raw_query"]
        fn_raw = [p for p in raw.split("&") if p.startswith("first_name=")][0]
        self.assertTrue(all(ord(ch) < 128 for ch in fn_raw), fn_raw)
        self.assertIn("%", fn_raw)
        self.assertEqual(urllib.parse.unquote(fn_raw.split("=", 1)[1]), "Алина")
        ln_raw = [p for p in raw.split("&") if p.startswith("last_name=")][0]
        self.assertNotIn(" ", ln_raw)

    def test_value_with_reserved_chars_is_encoded(self):
        # a username can't carry & or =, but a first name can
        tpl = "%s/pb/wait?fn={first_name}&c={click}" % self.tracker.url
        self.setup_bot_and_campaign(postbacks={"wait": tpl})
        sub = user(7000000002, first_name="A&B=C?#")
        self.send(start(self.next_uid(), sub, "/start CAMP42-z", int(time.time()) - 60))
        hits = self.wait_hits(1)
        self.assertEqual(hits[0]["query"], {"fn": "A&B=C?#", "c": "z"})

    def test_missing_values_become_empty(self):
        tpl = "%s/pb/wait?un={username}&ln={last_name}" % self.tracker.url
        self.setup_bot_and_campaign(postbacks={"wait": tpl})
        self.send(start(self.next_uid(), MARCO, "/start CAMP42-z", int(time.time()) - 60))
        hits = self.wait_hits(1)
        self.assertEqual(hits[0]["query"], {"un": "", "ln": ""})


class DeliveryTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.t0 = int(time.time()) - 5 * 3600

    def test_order_and_unique_tid(self):
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-o", self.t0))
        self.send(join_request(self.next_uid(), CHANNEL, ALINA, self.t0 + 1))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 2))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left", self.t0 + 3))
        hits = self.wait_hits(4)
        self.assertEqual([h["path"] for h in hits],
                         ["/pb/wait", "/pb/hold", "/pb/approve", "/pb/cancel"])
        tids = [h["query"]["tid"] for h in hits]
        self.assertEqual(len(set(tids)), 4, tids)

    def test_postbacks_history_sent(self):
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-h", self.t0))
        ld = self.find_lead(ALINA["id"])
        self.wait_hits(1)
        pb = self.wait_postback_state(ld["id"], "wait", "sent")
        for f in ("id", "status", "url", "state", "reason", "attempts"):
            self.assertIn(f, pb)
        self.assertEqual(pb["url"].split("?")[0], "%s/pb/wait" % self.tracker.url)
        self.assertIn("click=h", pb["url"])
        self.assertIsInstance(pb["attempts"], list)
        self.assertEqual(len(pb["attempts"]), 1)
        at = pb["attempts"][0]
        for f in ("time", "http_code", "body", "error"):
            self.assertIn(f, at)
        self.assertEqual(at["http_code"], 200)
        self.assertEqual(at["body"], "OK")
        self.assertRegex(at["time"], DATE_RE)
        self.assertFalse(at["error"])

    def test_postback_failed_on_404(self):
        self.tracker.set_response("/pb/approve", 404, "no such click")
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-f", self.t0))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 5))
        ld = self.find_lead(ALINA["id"], status=2)
        pb = self.wait_postback_state(ld["id"], "approve", "failed")
        self.assertEqual(len(pb["attempts"]), 1)
        self.assertEqual(pb["attempts"][0]["http_code"], 404)
        self.assertEqual(pb["attempts"][0]["body"], "no such click")
        self.wait_postback_state(ld["id"], "wait", "sent")
        self.quiet()
        self.assertEqual(len(self.hits("approve")), 1, "404 is final, no retry")

    def test_postbacks_json_unknown_lead(self):
        self.add_bot()
        self.assert_error(self.api("/api/leads/postbacks.json", {"lead": 987654}), 404,
                          "notfound")
        self.assert_error(self.api("/api/leads/postbacks.json"), 400, "param", "lead")

    def test_postbacks_survive_restart_without_resend(self):
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-r", self.t0))
        self.wait_hits(1)
        ld = self.find_lead(ALINA["id"])
        self.wait_postback_state(ld["id"], "wait", "sent")
        self.restart_server()
        self.quiet()
        self.assertEqual(len(self.hits()), 1, "a sent postback must not be sent again")


class UnsubWindowTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.t0 = int(time.time()) - 10 * 3600

    def test_leave_outside_window_skipped(self):
        self.setup_bot_and_campaign(unsub_window=3600)
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-u", self.t0))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 10))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left",
                              self.t0 + 10 + 3601))
        ld = self.find_lead(ALINA["id"], status=3)
        self.assertEqual(ld["leave_time"], fmt(self.t0 + 3611))
        pb = self.wait_postback_state(ld["id"], "cancel", "skipped")
        self.assertEqual(pb["reason"], "window")
        self.assertEqual(pb["attempts"], [])
        self.wait_hits(2)
        self.quiet()
        self.assertEqual([h["path"] for h in self.hits()], ["/pb/wait", "/pb/approve"])

    def test_leave_at_window_edge_sent(self):
        self.setup_bot_and_campaign(unsub_window=3600)
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-u", self.t0))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 10))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left",
                              self.t0 + 10 + 3600))
        self.assertEqual(len(self.wait_hits(1, "cancel")), 1)

    def test_kick_outside_window_skipped(self):
        self.setup_bot_and_campaign(unsub_window=60)
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-u", self.t0))
        self.send(chat_member(self.next_uid(), CHANNEL, DMITRY, "left", "member", self.t0 + 10))
        self.send(chat_member(self.next_uid(), CHANNEL, DMITRY, "member", "kicked",
                              self.t0 + 500, from_user=OWNER))
        ld = self.find_lead(DMITRY["id"], status=4)
        pb = self.wait_postback_state(ld["id"], "trash", "skipped")
        self.assertEqual(pb["reason"], "window")
        self.quiet()
        self.assertEqual(self.hits("trash"), [])

    def test_window_uses_latest_join(self):
        self.setup_bot_and_campaign(unsub_window=600)
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-u", self.t0))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 10))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left", self.t0 + 5000))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 9000))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left", self.t0 + 9100))
        ld = self.find_lead(ALINA["id"], status=3)
        self.assertEqual(ld["join_time"], fmt(self.t0 + 9000))
        self.assertEqual(len(self.wait_hits(1, "cancel")), 1)

        def states():
            st = [p["state"] for p in self.postbacks_of(ld["id"]) if p["status"] == "cancel"]
            self.assertEqual(sorted(st), ["sent", "skipped"])
        self.eventually(states, timeout=self.ASYNC_TIMEOUT)

    def test_zero_window_is_infinite(self):
        self.setup_bot_and_campaign(unsub_window=0)
        t0 = int(time.time()) - 40 * 86400
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-u", t0))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", t0 + 10))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left",
                              int(time.time()) - 10))
        self.assertEqual(len(self.wait_hits(1, "cancel")), 1)
