"""Bot messaging (§5), Bot API failures, lost admin rights (§3.12), the getChatMember
reconciler (§3.14) and long polling (--updates poll, §6.1)."""

import random
import subprocess
import time
import urllib.parse

from harness import (BOT_ID, CHANNEL, SUPERGROUP, OWNER, ALINA, MARCO, DMITRY,
                     ALLOWED_UPDATES, TgleadTestCase, start, chat_member, join_request,
                     my_chat_member, user, fmt, binary_path, free_port)


def to_chat(uid):
    return lambda c: str(c["params"].get("chat_id")) == str(uid)


def buttons(call):
    """Every inline button of a sendMessage/sendPhoto call, flattened."""
    rm = call["params"].get("reply_markup")
    if not isinstance(rm, dict):
        return []
    return [b for row in rm.get("inline_keyboard") or [] for b in row]


class WelcomeTest(TgleadTestCase):

    def test_text_macros_markdown_and_url_button(self):
        sub = user(7500000001, first_name="Анна Мария", last_name="Ли", username="anna_m")
        self.setup_bot_and_campaign(welcome={
            "text": "Hi {first_name}! *Join* the channel", "image": "",
            "buttons": [{"text": "Offer {first_name}", "url": "https://example.com/go?n={first_name}&c={click}"}],
            "join_button": ""})
        self.send(start(self.next_uid(), sub, "/start CAMP42-ab_1", int(time.time()) - 30))
        calls = self.botapi.wait_for_calls("sendMessage", 1, self.ASYNC_TIMEOUT,
                                           to_chat(sub["id"]))
        self.assertEqual(len(calls), 1, "no welcome sent")
        p = calls[0]["params"]
        self.assertEqual(p.get("text"), "Hi Анна Мария! *Join* the channel")
        self.assertEqual(p.get("parse_mode"), "Markdown")
        bts = buttons(calls[0])
        self.assertEqual(len(bts), 1, p.get("reply_markup"))
        self.assertEqual(bts[0].get("text"), "Offer Анна Мария")
        url = bts[0].get("url", "")
        self.assertTrue(url.startswith("https://example.com/go?"), url)
        self.assertTrue(all(32 < ord(ch) < 128 for ch in url),
                        "macro values in button URLs must be URL-encoded: %r" % url)
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        self.assertEqual(q, {"n": ["Анна Мария"], "c": ["ab_1"]})

    def test_image_sent_with_caption(self):
        img = "https://cdn.example.com/welcome.png"
        self.setup_bot_and_campaign(welcome={"text": "Hello {first_name}", "image": img,
                                             "buttons": [], "join_button": ""})
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-img", int(time.time()) - 30))
        calls = self.botapi.wait_for_calls("sendPhoto", 1, self.ASYNC_TIMEOUT,
                                           to_chat(ALINA["id"]))
        self.assertEqual(len(calls), 1, "no sendPhoto: %r"
                         % [c["method"] for c in self.botapi.calls()])
        p = calls[0]["params"]
        photo = p.get("photo")
        self.assertEqual(photo if isinstance(photo, str) else photo, img)
        self.assertEqual(p.get("caption"), "Hello Alina")
        self.quiet(0.5)
        self.assertEqual(self.botapi.calls("sendMessage"), [],
                         "the text travels as the caption, not a second message")

    def _join_button_flow(self, approve_requests, expect_cjr, before_campaign=None,
                          label="Join the channel", expect_label="Join the channel"):
        self.add_bot()
        self.promote(CHANNEL)
        if before_campaign:
            before_campaign()
        self.add_campaign(approve_requests=approve_requests, welcome={
            "text": "Welcome", "image": "", "buttons": [], "join_button": label})
        t = int(time.time()) - 30
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-j1", t))
        first = self.botapi.wait_for_calls("sendMessage", 1, self.ASYNC_TIMEOUT,
                                           to_chat(ALINA["id"]))
        self.assertTrue(first, "no welcome")
        links = self.botapi.calls("createChatInviteLink")
        self.assertEqual(len(links), 1, links)
        lp = links[0]["params"]
        self.assertEqual(str(lp.get("chat_id")), str(CHANNEL["id"]))
        cjr = lp.get("creates_join_request") in (True, "true", "True", 1, "1")
        self.assertEqual(cjr, expect_cjr, "creates_join_request in %r" % lp)
        if cjr:
            self.assertNotIn(lp.get("member_limit"), (1, "1"),
                             "member_limit can't be combined with join requests")
        bts = [b for b in buttons(first[0]) if b.get("url", "").startswith("https://t.me/+")]
        self.assertEqual(len(bts), 1, first[0]["params"].get("reply_markup"))
        link = bts[0]["url"]
        self.assertEqual(bts[0].get("text"), expect_label)
        # a second /start (another subscriber) reuses the campaign's link
        self.send(start(self.next_uid(), MARCO, "/start CAMP42-j2", t + 1))
        second = self.botapi.wait_for_calls("sendMessage", 1, self.ASYNC_TIMEOUT,
                                            to_chat(MARCO["id"]))
        self.assertTrue(second, "no second welcome")
        self.assertEqual(len(self.botapi.calls("createChatInviteLink")), 1,
                         "the invite link must be created once per campaign")
        self.assertIn(link, [b.get("url") for b in buttons(second[0])])

    def test_join_button_creates_link_once(self):
        self._join_button_flow(False, False)

    def test_join_button_text_macros(self):
        """URL-button texts get macros (see above); the join button's text should too."""
        self._join_button_flow(False, False, label="Join, {first_name}!",
                               expect_label="Join, Alina!")

    def test_join_button_approval_campaign_uses_request_link(self):
        self._join_button_flow(True, True)

    def test_join_button_chat_with_join_requests(self):
        def organic_request():
            self.send(join_request(self.next_uid(), CHANNEL, DMITRY, int(time.time()) - 60))
            self.wait_journal(1)
        self._join_button_flow(False, True, organic_request)


class BotApiFailuresTest(TgleadTestCase):

    def test_parse_error_resent_without_parse_mode(self):
        self.botapi.fail_method_times(
            "sendMessage", 400, "Bad Request: can't parse entities: Can't find end of the "
            "entity starting at byte offset 6", times=1, pred=lambda p: p.get("parse_mode"))
        self.setup_bot_and_campaign(welcome={"text": "Hello *{first_name}", "image": "",
                                             "buttons": [], "join_button": ""})
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-pe", int(time.time()) - 30))
        calls = self.botapi.wait_for_calls("sendMessage", 2, self.ASYNC_TIMEOUT,
                                           to_chat(ALINA["id"]))
        self.assertEqual(len(calls), 2, [c["params"] for c in calls])
        self.assertEqual(calls[0]["params"].get("parse_mode"), "Markdown")
        self.assertFalse(calls[1]["params"].get("parse_mode"), calls[1]["params"])
        self.assertEqual(calls[1]["params"].get("text"), "Hello *Alina")
        self.quiet(0.8)
        self.assertEqual(len(self.botapi.calls("sendMessage")), 2, "sent more than once")

    def test_400_migrated_group_swapped_and_retried(self):
        """A group that became a supergroup after its campaign was made: Telegram answers the
        invite-link call with 400 and migrate_to_chat_id; the chat id is swapped and the call
        retried there, and the welcome still carries the join button."""
        old = {"id": -4012345678, "title": "Crypto Signals Group", "type": "group"}
        new_id = SUPERGROUP["id"]
        self.botapi.fail_method_times(
            "createChatInviteLink", 400,
            "Bad Request: group chat was migrated to a supergroup chat",
            {"migrate_to_chat_id": new_id}, times=1,
            pred=lambda p: str(p.get("chat_id")) == str(old["id"]))
        camp = self.setup_bot_and_campaign(chat=old, welcome={
            "text": "Welcome", "image": "", "buttons": [], "join_button": "Join"})
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-mg", int(time.time()) - 30))
        sent = self.botapi.wait_for_calls("sendMessage", 1, self.ASYNC_TIMEOUT,
                                          to_chat(ALINA["id"]))
        self.assertTrue(sent, "no welcome")
        links = [str(c["params"].get("chat_id")) for c in self.botapi.calls("createChatInviteLink")]
        self.assertEqual(links, [str(old["id"]), str(new_id)])
        self.assertIn("Join", [b.get("text") for b in buttons(sent[0])])
        ids = [str(c["id"]) for c in self.chats_of()]
        self.assertIn(str(new_id), ids)
        self.assertNotIn(str(old["id"]), ids)
        self.assertEqual(str(self.campaign_by_id(camp["id"])["chat"]), str(new_id))

    def test_429_retry_after_honored(self):
        self.botapi.fail_method_times("sendMessage", 429, "Too Many Requests: retry after 2",
                                      {"retry_after": 2}, times=1)
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-rl", int(time.time()) - 30))
        calls = self.botapi.wait_for_calls("sendMessage", 2, self.ASYNC_TIMEOUT,
                                           to_chat(ALINA["id"]))
        self.assertEqual(len(calls), 2, "the message was not re-sent after the 429")
        gap = calls[1]["time"] - calls[0]["time"]
        self.assertGreaterEqual(gap, 1.95, "re-sent %.2f s after a retry_after of 2" % gap)
        self.assertLess(gap, 8, "re-sent %.2f s after a retry_after of 2" % gap)
        self.assertEqual(calls[0]["params"].get("text"), calls[1]["params"].get("text"))

    def test_403_blocked_not_retried(self):
        self.botapi.fail_method_times("sendMessage", 403,
                                      "Forbidden: bot was blocked by the user", times=50,
                                      pred=lambda p: str(p.get("chat_id")) == str(ALINA["id"]))
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-bl", int(time.time()) - 30))
        self.assertTrue(self.botapi.wait_for_calls("sendMessage", 1, self.ASYNC_TIMEOUT,
                                                   to_chat(ALINA["id"])))
        # the sender is not stuck: another subscriber still gets the welcome
        self.send(start(self.next_uid(), MARCO, "/start CAMP42-ok", int(time.time()) - 20))
        self.assertTrue(self.botapi.wait_for_calls("sendMessage", 1, self.ASYNC_TIMEOUT,
                                                   to_chat(MARCO["id"])))
        self.quiet(1.5)
        n = len(self.botapi.calls("sendMessage", None))
        blocked = [c for c in self.botapi.calls("sendMessage") if to_chat(ALINA["id"])(c)]
        self.assertEqual(len(blocked), 1, "a 403 'blocked' must not be retried (%d calls)"
                         % len(blocked))
        self.assertEqual(n, 2)
        self.assert_alive()

    def test_slow_bot_api_does_not_block_updates(self):
        self.setup_bot_and_campaign()
        self.botapi.delay_method("sendMessage", 2.0)
        t = int(time.time()) - 30
        took = []
        for i in range(5):
            t1 = time.monotonic()
            self.send(start(self.next_uid(), user(7700000001 + i), "/start CAMP42-s%d" % i,
                            t + i))
            took.append(time.monotonic() - t1)
        self.assertLess(max(took), 1.0, "webhooks waited for sendMessage: %r" % took)
        self.assertEqual(len(self.leads()), 5)
        self.assertEqual(len(self.wait_hits(5, "wait")), 5)

    def test_bot_wide_rate_limit(self):
        """≤ 30 messages/s per bot overall (40 different chats)."""
        self.setup_bot_and_campaign(postbacks=None)
        t = int(time.time()) - 30
        subs = [user(7800000001 + i) for i in range(40)]
        for i, s in enumerate(subs):
            self.send(start(self.next_uid(), s, "/start CAMP42-w%d" % i, t))
        calls = self.botapi.wait_for_calls("sendMessage", 40, self.ASYNC_TIMEOUT)
        self.assertEqual(len(calls), 40)
        self.assertEqual({str(c["params"]["chat_id"]) for c in calls},
                         {str(s["id"]) for s in subs})
        ts = sorted(c["time"] for c in calls)
        worst = max(sum(1 for u in ts if t0 <= u < t0 + 1.0) for t0 in ts)
        self.assertLessEqual(worst, 31, "%d messages within one second (all 40 within %.2f s)"
                             % (worst, ts[-1] - ts[0]))

    def test_per_chat_rate_limit(self):
        self.setup_bot_and_campaign()
        t = int(time.time()) - 30
        for i in range(3):
            self.send(start(self.next_uid(), ALINA, "/start CAMP42-q%d" % i, t + i))
        t_other = time.time()
        self.send(start(self.next_uid(), MARCO, "/start CAMP42-other", t + 5))
        calls = self.botapi.wait_for_calls("sendMessage", 3, self.ASYNC_TIMEOUT,
                                           to_chat(ALINA["id"]))
        self.assertEqual(len(calls), 3, "every /start gets its welcome")
        times = [c["time"] for c in calls]
        for a, b in zip(times, times[1:]):
            self.assertGreaterEqual(b - a, 0.9, "two messages to one chat %.2f s apart"
                                    % (b - a))
        self.assertGreaterEqual(times[-1] - times[0], 1.9)
        other = self.botapi.wait_for_calls("sendMessage", 1, 3, to_chat(MARCO["id"]))
        self.assertTrue(other)
        self.assertLess(other[0]["time"] - t_other, 1.0,
                        "another chat's message waited behind the throttled chat")


class LostAdminTest(TgleadTestCase):

    def _notices(self):
        data, total = self.ok_list("/api/notices/list.json")
        self.assertEqual(total, len(data))
        return data

    def test_demoted_notice_owner_message_dismiss_repromote(self):
        prof = self.ok("/api/profile/edit.json", method="POST",
                       form={"telegram_id": OWNER["id"]})
        self.assertEqual(str(prof["telegram_id"]), str(OWNER["id"]))
        camp = self.setup_bot_and_campaign()
        self.assertEqual(self._notices(), [])
        self.send(my_chat_member(self.next_uid(), CHANNEL, "administrator", "member"))
        notices = self.eventually(lambda: self._one(self._notices()))
        n = notices
        for f in ("id", "text", "time"):
            self.assertIn(f, n)
        self.assertTrue(n["text"])
        msgs = self.botapi.wait_for_calls("sendMessage", 1, self.ASYNC_TIMEOUT,
                                          to_chat(OWNER["id"]))
        self.assertEqual(len(msgs), 1, "the owner was not told on Telegram")
        self.assertTrue(msgs[0]["params"].get("text"))
        self.assertEqual(msgs[0]["token"].split(":")[0], str(BOT_ID))
        self.eventually(lambda: self.assertEqual(self.bot_entry()["status"], 1))
        self.assertIs(self.campaign_by_id(camp["id"])["warning"], True)
        self.assertEqual(self.ok("/api/notices/dismiss.json", method="POST",
                                 form={"id": n["id"]}), True)
        self.assertEqual(self._notices(), [])
        self.send(my_chat_member(self.next_uid(), CHANNEL, "member", "administrator"))
        self.eventually(lambda: self.assertEqual(self.bot_entry()["status"], 0))
        c = self.campaign_by_id(camp["id"])
        self.assertIs(c["warning"], False)
        self.assertEqual(c["status"], "active")
        self.quiet(0.5)
        self.assertEqual(len(self.botapi.calls("sendMessage")), 1)

    def _one(self, notices):
        self.assertEqual(len(notices), 1, notices)
        return notices[0]

    def test_demoted_without_telegram_id_no_message(self):
        self.setup_bot_and_campaign()
        self.send(my_chat_member(self.next_uid(), CHANNEL, "administrator", "left"))
        self.eventually(lambda: self._one(self._notices()))
        self.quiet(0.8)
        self.assertEqual(self.botapi.calls("sendMessage"), [])

    def test_dismiss_other_users_notice_has_no_effect(self):
        self.setup_bot_and_campaign()
        self.send(my_chat_member(self.next_uid(), CHANNEL, "administrator", "kicked"))
        n = self.eventually(lambda: self._one(self._notices()))
        other = self.add_user("other@example.com")
        st, js = self.api("/api/notices/dismiss.json", method="POST", form={"id": n["id"]},
                          key=other)
        self.assertIn(st, (200, 404), js)
        self.assertEqual(len(self._notices()), 1, "another account dismissed my notice")


class ReconcileOffTest(TgleadTestCase):
    """The default harness flag `--reconcile-every 0` turns the reconciler off."""

    def test_reconciler_off(self):
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-off", int(time.time()) - 60))
        self.find_lead(ALINA["id"])
        self.botapi.set_member_status(CHANNEL["id"], ALINA["id"], "member")
        self.quiet(1.5)
        self.assertEqual(self.find_lead(ALINA["id"])["status"], 0)
        self.assertEqual([c for c in self.botapi.calls("getChatMember")
                          if str(c["params"].get("user_id")) == str(ALINA["id"])], [])

    def test_bad_reconcile_value_refused(self):
        p = subprocess.Popen([binary_path(), "serve", "--listen",
                              "127.0.0.1:%d" % free_port(), "--db", self.db,
                              "--telegram-api", self.botapi.url, "--reconcile-every",
                              "banana"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, cwd=self.tmp)
        try:
            rc = p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(5)
            self.fail("serve kept running with --reconcile-every banana")
        self.assertNotEqual(rc, 0)


class ReconcilerTest(TgleadTestCase):
    EXTRA_SERVE_ARGS = ["--reconcile-every", "2s"]

    def test_missed_updates_reconciled(self):
        self.setup_bot_and_campaign(unsub_window=0)
        chat = CHANNEL["id"]
        now = int(time.time())
        t_start = now - 900
        subs = [user(7600000001 + i, first_name="R%d" % i) for i in range(20)]
        never, stay, leave, kick = subs[:4], subs[4:12], subs[12:16], subs[16:]
        for i, s in enumerate(subs):
            self.send(start(self.next_uid(), s, "/start CAMP42-r%d" % i, t_start + i))
        leads = {s["id"]: self.find_lead(s["id"]) for s in subs}
        self.assertEqual(len(leads), 20)

        # what really happens, in order; 5 of 24 events (~20 %) never reach the webhook
        events = []
        for i, s in enumerate(stay + leave + kick):
            events.append(("join", s, now - 600 + i))
        for i, s in enumerate(leave):
            events.append(("leave", s, now - 300 + i))
        for i, s in enumerate(kick):
            events.append(("kick", s, now - 200 + i))
        rng = random.Random(20241123)
        l_leave, l_join = rng.sample(leave, 2)
        dropped = {("join", s["id"]) for s in rng.sample(stay, 2)}
        dropped |= {("leave", l_leave["id"]), ("join", l_join["id"]),
                    ("kick", rng.choice(kick)["id"])}
        self.assertEqual(len(dropped), 5)
        t_events = time.time()
        for kind, s, date in events:
            truth = {"join": "member", "leave": "left", "kick": "kicked"}[kind]
            self.botapi.set_member_status(chat, s["id"], truth)
            if (kind, s["id"]) in dropped:
                continue
            if kind == "join":
                upd = chat_member(self.next_uid(), CHANNEL, s, "left", "member", date)
            elif kind == "leave":
                upd = chat_member(self.next_uid(), CHANNEL, s, "member", "left", date)
            else:
                upd = chat_member(self.next_uid(), CHANNEL, s, "member", "kicked", date,
                                  from_user=OWNER)
            self.send(upd)

        expected = {}
        for group, st in ((never, 0), (stay, 2), (leave, 3), (kick, 4)):
            for s in group:
                expected[str(s["id"])] = st
        deadline = time.monotonic() + 15
        while True:
            got = {str(l["subscriber"]): l["status"] for l in self.leads()}
            wrong = {k: (got.get(k), v) for k, v in expected.items() if got.get(k) != v}
            if not wrong or time.monotonic() > deadline:
                break
            time.sleep(0.25)
        self.assertEqual(wrong, {}, "subscriber: (got, expected) after reconciling; "
                         "dropped events %r" % sorted(dropped))
        self.assertEqual(len(self.leads()), 20, "no extra leads")

        # reconciled transitions fire postbacks like observed ones (exactly once each)
        exp_hits = {}
        for i, s in enumerate(subs):
            seq = ["wait"]
            if s in stay:
                seq += ["approve"]
            elif s in leave:
                seq += ["approve", "cancel"]
            elif s in kick:
                seq += ["approve", "trash"]
            exp_hits["r%d" % i] = seq
        total = sum(len(v) for v in exp_hits.values())
        self.tracker.wait_for(total, self.ASYNC_TIMEOUT)
        self.quiet(0.5)
        got_hits = {}
        for h in self.tracker.requests():
            got_hits.setdefault(h["query"].get("click"), []).append(h["path"][len("/pb/"):])
        self.assertEqual(got_hits, exp_hits)

        # a reconciled leave carries the time of the check (not an update's date)
        ld = self.find_lead(l_leave["id"])
        self.assertGreaterEqual(ld["leave_time"], fmt(int(t_events) - 1), ld)
        # the reconciler's getChatMember pace stays within 20 calls/s per bot
        ts = sorted(c["time"] for c in self.botapi.calls("getChatMember"))
        self.assertTrue(ts, "the reconciler never called getChatMember")
        worst = max(sum(1 for u in ts if t <= u < t + 1.0) for t in ts)
        self.assertLessEqual(worst, 21, "%d getChatMember calls within one second" % worst)

    def test_single_missed_join_and_kick(self):
        self.setup_bot_and_campaign(unsub_window=0)
        t = int(time.time()) - 300
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a", t))
        self.send(start(self.next_uid(), MARCO, "/start CAMP42-m", t))
        self.send(chat_member(self.next_uid(), CHANNEL, MARCO, "left", "member", t + 5))
        self.find_lead(MARCO["id"], status=2)
        self.botapi.set_member_status(CHANNEL["id"], ALINA["id"], "member")
        self.botapi.set_member_status(CHANNEL["id"], MARCO["id"], "kicked")
        a = self.find_lead(ALINA["id"], status=2, timeout=8)
        self.assertNotEqual(a["join_time"], "0000-00-00 00:00:00")
        self.find_lead(MARCO["id"], status=4, timeout=8)
        self.assertEqual(len(self.wait_hits(2, "approve")), 2)
        self.assertEqual(len(self.wait_hits(1, "trash")), 1)
        a = self.find_lead(ALINA["id"])
        m = self.find_lead(MARCO["id"])
        self.assertGreaterEqual(m["leave_time"], a["start_time"])

    def test_hold_lead_and_failing_getchatmember(self):
        """A hold lead found `member` is approved; a getChatMember error for one lead
        changes nothing for it and does not stop the others."""
        self.botapi.fail_method_times("getChatMember", 400, "Bad Request: user not found",
                                      times=1000,
                                      pred=lambda p: str(p.get("user_id")) == str(ALINA["id"]))
        self.setup_bot_and_campaign(unsub_window=0)
        t = int(time.time()) - 300
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a", t))
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-d", t))
        self.send(join_request(self.next_uid(), CHANNEL, DMITRY, t + 3))
        self.find_lead(DMITRY["id"], status=1)
        self.botapi.set_member_status(CHANNEL["id"], ALINA["id"], "member")
        self.botapi.set_member_status(CHANNEL["id"], DMITRY["id"], "member")
        self.find_lead(DMITRY["id"], status=2, timeout=8)
        self.assertTrue(self.botapi.wait_for_calls(
            "getChatMember", 1, 5, lambda c: str(c["params"].get("user_id")) == str(ALINA["id"])))
        self.quiet(0.5)
        self.assertEqual(self.find_lead(ALINA["id"])["status"], 0)
        self.assertEqual(len(self.wait_hits(1, "approve")), 1)
        self.assert_alive()

    def test_reconciled_transitions_journaled(self):
        """Reading of §3.14 + §3.6/§3.7: a reconciled join / kick is a transition like an
        observed one, so the activity journal shows it (join, ban; paid=1)."""
        self.setup_bot_and_campaign(unsub_window=0)
        t = int(time.time()) - 300
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a", t))
        self.send(start(self.next_uid(), MARCO, "/start CAMP42-m", t))
        self.send(chat_member(self.next_uid(), CHANNEL, MARCO, "left", "member", t + 5))
        self.find_lead(MARCO["id"], status=2)
        self.botapi.set_member_status(CHANNEL["id"], ALINA["id"], "member")
        self.botapi.set_member_status(CHANNEL["id"], MARCO["id"], "kicked")
        self.find_lead(ALINA["id"], status=2, timeout=8)
        self.find_lead(MARCO["id"], status=4, timeout=8)
        rows = self.wait_journal(3, timeout=3)
        got = sorted((str(r["subscriber"]), r["action"], r["paid"]) for r in rows)
        self.assertEqual(got, sorted([(str(MARCO["id"]), "join", 1),
                                      (str(ALINA["id"]), "join", 1),
                                      (str(MARCO["id"]), "ban", 1)]),
                         "journal after reconciling: %r" % rows)


class LongPollingTest(TgleadTestCase):
    EXTRA_SERVE_ARGS = ["--reconcile-every", "0", "--updates", "poll"]

    def setUp(self):
        super().setUp()
        self.botapi.poll_wait = 0.2
        self.fast_stop = True

    def stop_server(self):
        # Shutdown promptness in poll mode has its own test; the others don't wait for it.
        if getattr(self, "fast_stop", False) and self.proc is not None \
                and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        super().stop_server()

    def test_sigterm_exits_promptly_while_polling(self):
        self.add_bot()
        self.assertTrue(self.botapi.wait_for_calls("getUpdates", 2, 5))
        proc, self.fast_stop = self.proc, False
        t = time.monotonic()
        proc.send_signal(15)
        try:
            rc = proc.wait(5)
        except subprocess.TimeoutExpired:
            rc = None
        took = time.monotonic() - t
        if rc is None:
            proc.kill()
            proc.wait(5)
        self.proc = None
        self.assertIsNotNone(rc, "serve --updates poll still running 5 s after SIGTERM "
                             "(the Bot API double answers getUpdates within 0.2 s)")
        self.assertEqual(rc, 0)
        self.assertLess(took, 5)

    def _q(self, update):
        self.botapi.queue_update(BOT_ID, update)
        return update["update_id"]

    def _offset_call(self, offset, timeout=5):
        got = self.botapi.wait_for_calls(
            "getUpdates", 1, timeout,
            lambda c: str(c["params"].get("offset")) == str(offset))
        self.assertTrue(got, "no getUpdates with offset %s; offsets seen %r"
                        % (offset, [c["params"].get("offset")
                                    for c in self.botapi.calls("getUpdates")][-10:]))
        return got[0]

    def test_poll_mode(self):
        self.add_bot()
        self.assertTrue(self.botapi.calls("deleteWebhook"), "deleteWebhook not called")
        self.assertEqual(self.botapi.calls("setWebhook"), [], "no webhook in poll mode")
        first = self.botapi.wait_for_calls("getUpdates", 1, 5)
        self.assertTrue(first, "the service never called getUpdates")
        p = first[0]["params"]
        self.assertGreater(int(p.get("timeout") or 0), 0, p)
        au = p.get("allowed_updates")
        self.assertEqual(au, ALLOWED_UPDATES, p)

        base = 500000
        self._q(my_chat_member(base + 1, CHANNEL, "left", "administrator",
                               int(time.time()) - 3600))
        self.eventually(lambda: self.assertIn(str(CHANNEL["id"]),
                                              [str(c["id"]) for c in self.chats_of()]))
        self.add_campaign()
        t = int(time.time()) - 600
        self._q(start(base + 2, ALINA, "/start CAMP42-poll", t))
        ld = self.find_lead(ALINA["id"])
        self.assertEqual(ld["click"], "poll")
        self._offset_call(base + 3)
        self.assertTrue(self.wait_hits(1, "wait"))

        self._q(chat_member(base + 3, CHANNEL, ALINA, "left", "member", t + 10))
        self._q(chat_member(base + 4, CHANNEL, ALINA, "member", "left", t + 20))
        self.find_lead(ALINA["id"], status=3)
        self._offset_call(base + 5)
        # Telegram hands out the join again: it must be ignored (applied once)
        self.botapi.queue_update(BOT_ID, chat_member(base + 3, CHANNEL, ALINA, "left",
                                                     "member", t + 10), redeliver=True)
        self.eventually(lambda: self.assertEqual(self.botapi.pending_updates(BOT_ID), []),
                        timeout=5)
        n = len(self.botapi.calls("getUpdates"))
        self.botapi.wait_for_calls("getUpdates", n + 2, 5)
        self.quiet(0.5)
        self.assertEqual(self.find_lead(ALINA["id"])["status"], 3,
                         "a re-delivered update was applied again")
        self.assertEqual([h["path"] for h in self.tracker.requests()],
                         ["/pb/wait", "/pb/approve", "/pb/cancel"])
        # the welcome went out through the Bot API in poll mode as well
        self.assertTrue(self.botapi.calls("sendMessage"))

    def test_poll_survives_getupdates_errors(self):
        self.botapi.fail_method_times("getUpdates", 502, "Bad Gateway", times=1)
        self.add_bot()
        self.assertTrue(self.botapi.wait_for_calls("getUpdates", 2, 8),
                        "polling stopped after getUpdates failed: %d calls"
                        % len(self.botapi.calls("getUpdates")))
        self._q(my_chat_member(800001, CHANNEL, "left", "administrator",
                               int(time.time()) - 3600))
        self.eventually(lambda: self.assertTrue(self.chats_of()), timeout=8)

    def test_poll_batch_offsets(self):
        self.add_bot()
        self.botapi.wait_for_calls("getUpdates", 1, 5)
        base = 700000
        self._q(my_chat_member(base + 1, CHANNEL, "left", "administrator",
                               int(time.time()) - 3600))
        self.eventually(lambda: self.assertTrue(self.chats_of()))
        self.add_campaign()
        t = int(time.time()) - 600
        # several updates in one getUpdates answer, with a gap in the ids
        for i, sub in enumerate((ALINA, MARCO, DMITRY)):
            self.botapi.queue_update(BOT_ID, start(base + 10 + i * 5, sub,
                                                   "/start CAMP42-b%d" % i, t + i))
        for sub in (ALINA, MARCO, DMITRY):
            self.find_lead(sub["id"])
        self._offset_call(base + 21)
        self.assertEqual(len(self.leads()), 3)
