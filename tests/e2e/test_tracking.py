"""Tracking rules §3.1 - §3.11."""

import time

from harness import (BOT_ID, CHANNEL, SUPERGROUP, APPROVAL_GROUP, OWNER, ALINA, MARCO, DMITRY,
                     ZERO_DATE, TgleadTestCase, start, chat_member, join_request, invite_link,
                     fmt, user, bot_user)


class DeepLinkTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.camp = self.setup_bot_and_campaign()
        self.t0 = int(time.time()) - 6 * 3600

    def test_click_split_on_first_dash(self):
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-3tq8v1m0-c9h_sa7e2kxd", self.t0))
        ld = self.find_lead(DMITRY["id"], self.camp["id"])
        self.assertEqual(ld["click"], "3tq8v1m0-c9h_sa7e2kxd")
        self.assertEqual(ld["status"], 0)
        self.assertEqual(ld["start_time"], fmt(self.t0))
        self.assertEqual(ld["join_time"], ZERO_DATE)
        self.assertEqual(ld["leave_time"], ZERO_DATE)
        self.assertEqual(str(ld["campaign"]), str(self.camp["id"]))
        self.assertEqual(ld["username"], "dmitry_v")
        hits = self.wait_hits(1, "wait")
        self.assertEqual(len(hits), 1)
        self.assertEqual(hits[0]["query"]["click"], "3tq8v1m0-c9h_sa7e2kxd")
        self.assertEqual(hits[0]["query"]["status"], "wait")

    def test_code_only_gives_empty_click(self):
        self.send(start(self.next_uid(), ALINA, "/start CAMP42", self.t0))
        ld = self.find_lead(ALINA["id"])
        self.assertEqual(ld["click"], "")
        hits = self.wait_hits(1, "wait")
        self.assertEqual(hits[0]["query"].get("click"), "")

    def test_bare_start_single_active_campaign(self):
        self.send(start(self.next_uid(), MARCO, "/start", self.t0))
        ld = self.find_lead(MARCO["id"], self.camp["id"])
        self.assertEqual(ld["click"], "")
        self.assertEqual(ld["status"], 0)

    def test_bare_start_two_active_campaigns_no_lead(self):
        self.promote(SUPERGROUP)
        self.add_campaign(chat=SUPERGROUP["id"], code="CAMP77")
        self.send(start(self.next_uid(), MARCO, "/start", self.t0))
        self.assert_no_lead(MARCO["id"])
        self.assertEqual(self.hits(), [])

    def test_bare_start_one_active_one_paused(self):
        self.promote(SUPERGROUP)
        c2 = self.add_campaign(chat=SUPERGROUP["id"], code="CAMP77")
        self.ok("/api/campaigns/pause.json", form={"id": c2["id"]}, method="POST")
        self.send(start(self.next_uid(), MARCO, "/start", self.t0))
        ld = self.find_lead(MARCO["id"])
        self.assertEqual(str(ld["campaign"]), str(self.camp["id"]))

    def test_unknown_code_no_lead_no_welcome(self):
        self.send(start(self.next_uid(), ALINA, "/start NOPE-abc", self.t0))
        self.quiet()
        self.assert_no_lead(ALINA["id"])
        self.assertEqual(self.botapi.calls("sendMessage"), [])
        self.assertEqual(self.botapi.calls("sendPhoto"), [])
        self.assertEqual(self.hits(), [])

    def test_welcome_sent_on_every_start(self):
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a", self.t0))
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a", self.t0 + 10))
        self.send(start(self.next_uid(), ALINA, "/start CAMP42", self.t0 + 20))
        calls = self.botapi.wait_for_calls("sendMessage", 3, self.ASYNC_TIMEOUT)
        self.assertEqual(len(calls), 3)
        for c in calls:
            self.assertEqual(str(c["params"].get("chat_id")), str(ALINA["id"]))
            self.assertEqual(str(c["bot_id"]), str(BOT_ID))
            self.assertIn("Welcome", c["params"].get("text", ""))


class LeadLifecycleTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.camp = self.setup_bot_and_campaign()
        self.t0 = int(time.time()) - 6 * 3600

    def s(self, usr, text, dt):
        self.send(start(self.next_uid(), usr, text, self.t0 + dt))

    def cm(self, usr, old, new, dt, chat=CHANNEL, **kw):
        self.send(chat_member(self.next_uid(), chat, usr, old, new, self.t0 + dt, **kw))

    def test_same_click_repeated_fires_nothing(self):
        self.s(ALINA, "/start CAMP42-k1", 0)
        self.wait_hits(1, "wait")
        self.s(ALINA, "/start CAMP42-k1", 30)
        self.s(ALINA, "/start CAMP42", 40)   # empty click does not overwrite either
        self.quiet()
        self.assertEqual(len(self.hits("wait")), 1)
        ld = self.find_lead(ALINA["id"])
        self.assertEqual(ld["click"], "k1")
        self.assertEqual(ld["start_time"], fmt(self.t0))
        self.assertEqual(len(self.leads()), 1)

    def test_new_click_overwrites_and_fires_wait(self):
        self.s(ALINA, "/start CAMP42-k1", 0)
        self.wait_hits(1, "wait")
        self.s(ALINA, "/start CAMP42-k2_x", 60)
        hits = self.wait_hits(2, "wait")
        self.assertEqual([h["query"]["click"] for h in hits], ["k1", "k2_x"])
        ld = self.find_lead(ALINA["id"])
        self.assertEqual(ld["click"], "k2_x")
        self.assertEqual(ld["status"], 0)
        self.assertEqual(ld["start_time"], fmt(self.t0))
        self.assertRegex(ld["updated"], r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
        self.assertNotEqual(ld["updated"], ZERO_DATE)
        self.assertEqual(len(self.leads()), 1)

    def test_new_click_keeps_approve_status(self):
        self.s(ALINA, "/start CAMP42-k1", 0)
        self.cm(ALINA, "left", "member", 60)
        self.find_lead(ALINA["id"], status=2)
        self.s(ALINA, "/start CAMP42-k2", 120)
        self.wait_hits(2, "wait")
        ld = self.find_lead(ALINA["id"])
        self.assertEqual(ld["status"], 2)
        self.assertEqual(ld["click"], "k2")

    def test_new_click_from_cancel_returns_to_wait(self):
        self.s(ALINA, "/start CAMP42-k1", 0)
        self.cm(ALINA, "left", "member", 60)
        self.cm(ALINA, "member", "left", 120)
        self.find_lead(ALINA["id"], status=3)
        self.s(ALINA, "/start CAMP42-k2", 180)
        ld = self.find_lead(ALINA["id"], status=0)
        self.assertEqual(ld["click"], "k2")
        hits = self.wait_hits(2, "wait")
        self.assertEqual(hits[-1]["query"]["click"], "k2")

    def test_new_click_from_trash_returns_to_wait(self):
        self.s(DMITRY, "/start CAMP42-k1", 0)
        self.cm(DMITRY, "left", "member", 60)
        self.cm(DMITRY, "member", "kicked", 120, from_user=OWNER)
        self.find_lead(DMITRY["id"], status=4)
        self.s(DMITRY, "/start CAMP42-k9", 180)
        self.find_lead(DMITRY["id"], status=0)

    def test_join_leave_statuses_times_and_postbacks(self):
        self.s(ALINA, "/start CAMP42-c1", 0)
        self.cm(ALINA, "left", "member", 100)
        ld = self.find_lead(ALINA["id"], status=2)
        self.assertEqual(ld["join_time"], fmt(self.t0 + 100))
        self.assertEqual(ld["leave_time"], ZERO_DATE)
        self.cm(ALINA, "member", "left", 500)
        ld = self.find_lead(ALINA["id"], status=3)
        self.assertEqual(ld["leave_time"], fmt(self.t0 + 500))
        self.assertEqual(ld["join_time"], fmt(self.t0 + 100))
        hits = self.wait_hits(3)
        self.assertEqual([h["path"] for h in hits], ["/pb/wait", "/pb/approve", "/pb/cancel"])
        rows = self.wait_journal(2)
        self.assertEqual([r["action"] for r in rows], ["leave", "join"])
        self.assertEqual([r["paid"] for r in rows], [1, 1])

    def test_kick_is_trash_and_ban(self):
        self.s(DMITRY, "/start CAMP42-c1", 0)
        self.cm(DMITRY, "left", "member", 100)
        self.cm(DMITRY, "member", "kicked", 200, from_user=OWNER)
        ld = self.find_lead(DMITRY["id"], status=4)
        self.assertEqual(ld["leave_time"], fmt(self.t0 + 200))
        hits = self.wait_hits(3)
        self.assertEqual([h["path"] for h in hits], ["/pb/wait", "/pb/approve", "/pb/trash"])
        rows = self.wait_journal(2)
        self.assertEqual(rows[0]["action"], "ban")
        self.assertEqual(rows[0]["paid"], 1)

    def test_removed_by_admin_left_is_trash(self):
        self.s(DMITRY, "/start CAMP42-c1", 0)
        self.cm(DMITRY, "left", "member", 100)
        self.cm(DMITRY, "member", "left", 200, from_user=OWNER)
        ld = self.find_lead(DMITRY["id"], status=4)
        self.assertEqual(ld["leave_time"], fmt(self.t0 + 200))
        rows = self.wait_journal(2)
        self.assertEqual(rows[0]["action"], "ban")

    def test_join_approve_fired_once(self):
        self.s(ALINA, "/start CAMP42-c1", 0)
        self.cm(ALINA, "left", "member", 100)
        self.find_lead(ALINA["id"], status=2)
        # member -> restricted(is_member) is not a new join
        self.cm(ALINA, "member", "restricted", 150, from_user=OWNER, new_is_member=True)
        self.wait_hits(2)
        self.quiet()
        self.assertEqual(len(self.hits("approve")), 1)
        self.assertEqual(self.find_lead(ALINA["id"])["status"], 2)

    def test_leave_while_wait_reconciles_join_first(self):
        self.s(ALINA, "/start CAMP42-c1", 0)
        self.wait_hits(1, "wait")
        self.cm(ALINA, "member", "left", 300)
        ld = self.find_lead(ALINA["id"], status=3)
        self.assertEqual(ld["join_time"], fmt(self.t0 + 300))
        self.assertEqual(ld["leave_time"], fmt(self.t0 + 300))
        hits = self.wait_hits(3)
        self.assertEqual([h["path"] for h in hits], ["/pb/wait", "/pb/approve", "/pb/cancel"])

    def test_kick_while_hold_reconciles_join_first(self):
        self.s(DMITRY, "/start CAMP42-c1", 0)
        self.send(join_request(self.next_uid(), CHANNEL, DMITRY, self.t0 + 50))
        self.find_lead(DMITRY["id"], status=1)
        self.cm(DMITRY, "member", "kicked", 300, from_user=OWNER)
        ld = self.find_lead(DMITRY["id"], status=4)
        self.assertEqual(ld["join_time"], fmt(self.t0 + 300))
        hits = self.wait_hits(4)
        self.assertEqual([h["path"] for h in hits],
                         ["/pb/wait", "/pb/hold", "/pb/approve", "/pb/trash"])

    def test_rejoin_after_cancel(self):
        self.s(ALINA, "/start CAMP42-c1", 0)
        self.cm(ALINA, "left", "member", 100)
        self.cm(ALINA, "member", "left", 200)
        self.find_lead(ALINA["id"], status=3)
        self.cm(ALINA, "left", "member", 400)
        ld = self.find_lead(ALINA["id"], status=2)
        self.assertEqual(ld["join_time"], fmt(self.t0 + 400))
        hits = self.wait_hits(2, "approve")
        self.assertEqual(len(hits), 2)
        self.assertEqual(len(self.leads()), 1)
        self.assertEqual([h["path"] for h in self.wait_hits(4)],
                         ["/pb/wait", "/pb/approve", "/pb/cancel", "/pb/approve"])

    def test_rejoin_after_trash(self):
        self.s(DMITRY, "/start CAMP42-c1", 0)
        self.cm(DMITRY, "left", "member", 100)
        self.cm(DMITRY, "member", "kicked", 200, from_user=OWNER)
        self.find_lead(DMITRY["id"], status=4)
        self.cm(DMITRY, "kicked", "member", 400, from_user=OWNER)
        self.find_lead(DMITRY["id"], status=2)
        self.assertEqual(len(self.wait_hits(2, "approve")), 2)
        self.assertEqual(len(self.leads()), 1)

    def test_restricted_is_member_counts_as_join(self):
        self.s(MARCO, "/start CAMP42-r1", 0)
        self.cm(MARCO, "left", "restricted", 100, new_is_member=True, from_user=OWNER)
        ld = self.find_lead(MARCO["id"], status=2)
        self.assertEqual(ld["join_time"], fmt(self.t0 + 100))

    def test_restricted_not_member_is_not_join(self):
        self.s(MARCO, "/start CAMP42-r1", 0)
        self.cm(MARCO, "left", "restricted", 100, new_is_member=False, from_user=OWNER)
        self.quiet()
        self.assertEqual(self.find_lead(MARCO["id"])["status"], 0)
        self.assertEqual(self.hits("approve"), [])


class JoinRequestTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.t0 = int(time.time()) - 6 * 3600

    def test_request_with_lead_is_hold(self):
        camp = self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-h1", self.t0))
        self.send(join_request(self.next_uid(), CHANNEL, DMITRY, self.t0 + 20,
                               link=invite_link(True)))
        ld = self.find_lead(DMITRY["id"], status=1)
        self.assertEqual(ld["join_time"], ZERO_DATE)
        hits = self.wait_hits(2)
        self.assertEqual([h["path"] for h in hits], ["/pb/wait", "/pb/hold"])
        rows = self.wait_journal(1)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["action"], "request")
        self.assertEqual(rows[0]["paid"], 1)
        self.assertEqual(str(rows[0]["subscriber"]), str(DMITRY["id"]))
        self.assertEqual(rows[0]["time"], fmt(self.t0 + 20))
        self.quiet(0.3)
        self.assertEqual(self.botapi.calls("approveChatJoinRequest"), [],
                         "approve_requests is off by default")
        # approval arrives as chat_member with the same creates_join_request link
        self.send(chat_member(self.next_uid(), CHANNEL, DMITRY, "left", "member",
                              self.t0 + 25, from_user=bot_user(),
                              invite_link=invite_link(True)))
        ld = self.find_lead(DMITRY["id"], status=2)
        self.assertEqual(ld["join_time"], fmt(self.t0 + 25))
        rows = self.wait_journal(2)
        self.assertEqual(rows[0]["action"], "approve")
        self.assertEqual(rows[0]["paid"], 1)
        self.assertEqual([h["path"] for h in self.wait_hits(3)],
                         ["/pb/wait", "/pb/hold", "/pb/approve"])

    def test_request_without_lead_is_organic(self):
        self.setup_bot_and_campaign()
        self.send(join_request(self.next_uid(), CHANNEL, MARCO, self.t0))
        rows = self.wait_journal(1)
        self.assertEqual(len(rows), 1)
        self.assertEqual(rows[0]["action"], "request")
        self.assertEqual(rows[0]["paid"], 0)
        self.assert_no_lead(MARCO["id"])
        self.assertEqual(self.hits(), [])
        self.assertEqual(self.botapi.calls("approveChatJoinRequest"), [])

    def test_approve_requests_calls_telegram(self):
        self.setup_bot_and_campaign(approve_requests=True)
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-h1", self.t0))
        self.send(join_request(self.next_uid(), CHANNEL, DMITRY, self.t0 + 20))
        calls = self.botapi.wait_for_calls("approveChatJoinRequest", 1, self.ASYNC_TIMEOUT)
        self.assertEqual(len(calls), 1)
        p = calls[0]["params"]
        self.assertEqual(str(p.get("chat_id")), str(CHANNEL["id"]))
        self.assertEqual(str(p.get("user_id")), str(DMITRY["id"]))
        # organic requests are not approved by the bot
        self.send(join_request(self.next_uid(), CHANNEL, MARCO, self.t0 + 30))
        self.quiet()
        self.assertEqual(len(self.botapi.calls("approveChatJoinRequest")), 1)

    def test_join_via_join_request_flag_is_approve(self):
        self.setup_bot_and_campaign(chat=APPROVAL_GROUP)
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-v", self.t0))
        self.send(chat_member(self.next_uid(), APPROVAL_GROUP, DMITRY, "left", "member",
                              self.t0 + 10, from_user=OWNER, via_join_request=True))
        self.find_lead(DMITRY["id"], status=2)
        rows = self.wait_journal(1, chat=APPROVAL_GROUP["id"])
        self.assertEqual(rows[0]["action"], "approve")

    def test_join_from_hold_without_link_is_approve(self):
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-v", self.t0))
        self.send(join_request(self.next_uid(), CHANNEL, DMITRY, self.t0 + 5))
        self.find_lead(DMITRY["id"], status=1)
        self.send(chat_member(self.next_uid(), CHANNEL, DMITRY, "left", "member",
                              self.t0 + 10, from_user=OWNER))
        self.find_lead(DMITRY["id"], status=2)
        rows = self.wait_journal(2)
        self.assertEqual([r["action"] for r in rows], ["approve", "request"])

    def test_plain_join_is_join(self):
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-v", self.t0))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member",
                              self.t0 + 10, invite_link=invite_link(False)))
        self.find_lead(ALINA["id"], status=2)
        rows = self.wait_journal(1)
        self.assertEqual(rows[0]["action"], "join")
        self.assertEqual(rows[0]["paid"], 1)


class OrganicAndPausedTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.camp = self.setup_bot_and_campaign()
        self.t0 = int(time.time()) - 6 * 3600

    def test_organic_join_leave(self):
        self.send(chat_member(self.next_uid(), CHANNEL, MARCO, "left", "member", self.t0))
        self.send(chat_member(self.next_uid(), CHANNEL, MARCO, "member", "left", self.t0 + 50))
        rows = self.wait_journal(2)
        self.assertEqual([(r["action"], r["paid"]) for r in rows], [("leave", 0), ("join", 0)])
        self.assertEqual(str(rows[0]["subscriber"]), str(MARCO["id"]))
        self.assertEqual(rows[0]["time"], fmt(self.t0 + 50))
        self.assert_no_lead(MARCO["id"])
        self.assertEqual(self.hits(), [])

    def test_lead_of_other_campaign_is_organic_here(self):
        self.promote(SUPERGROUP)
        self.add_campaign(chat=SUPERGROUP["id"], code="OTHER")
        self.send(start(self.next_uid(), ALINA, "/start OTHER-x", self.t0))
        self.wait_hits(1, "wait")
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 5))
        rows = self.wait_journal(1)
        self.assertEqual(rows[0]["paid"], 0)
        self.quiet()
        self.assertEqual(len(self.hits()), 1)
        self.assertEqual(self.find_lead(ALINA["id"])["status"], 0)

    def test_paused_campaign(self):
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-p1", self.t0))
        self.wait_hits(1, "wait")
        self.ok("/api/campaigns/pause.json", form={"id": self.camp["id"]}, method="POST")
        # no new lead
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-p2", self.t0 + 10))
        # existing lead transitions are still recorded
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0 + 20))
        ld = self.find_lead(ALINA["id"], status=2)
        self.assertEqual(ld["join_time"], fmt(self.t0 + 20))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left", self.t0 + 30))
        self.find_lead(ALINA["id"], status=3)
        self.quiet()
        self.assert_no_lead(DMITRY["id"])
        self.assertEqual([h["path"] for h in self.hits()], ["/pb/wait"],
                         "a paused campaign fires no postbacks")


class IdempotencyTest(TgleadTestCase):

    def test_duplicate_update_id_applied_once(self):
        self.setup_bot_and_campaign()
        t0 = int(time.time()) - 3600
        s = start(self.next_uid(), ALINA, "/start CAMP42-d1", t0)
        j = chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", t0 + 10)
        for u in (s, s, j, j):
            self.assertEqual(self.post_update(BOT_ID, u), 200)
        self.find_lead(ALINA["id"], status=2)
        self.wait_hits(2)
        self.quiet()
        self.assertEqual([h["path"] for h in self.hits()], ["/pb/wait", "/pb/approve"])
        self.assertEqual(len(self.leads()), 1)
        self.assertEqual(len(self.journal()), 1)
        self.assertEqual(len(self.botapi.calls("sendMessage")), 1)
        # the same update_id replayed with different content is still ignored
        leave = chat_member(j["update_id"], CHANNEL, ALINA, "member", "left", t0 + 20)
        self.assertEqual(self.post_update(BOT_ID, leave), 200)
        self.quiet()
        self.assertEqual(self.find_lead(ALINA["id"])["status"], 2)
