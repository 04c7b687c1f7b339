"""Campaigns CRUD §6.3 and plan limits §7."""

import time

from harness import (BOT_ID, BOT_USERNAME, CHANNEL, SUPERGROUP, APPROVAL_GROUP, PUBLIC_CHANNEL,
                     ALINA, TgleadTestCase, start)

STATUSES = ("wait", "hold", "approve", "cancel", "trash")
CAMPAIGN_FIELDS = ("id", "code", "name", "bot", "chat", "status", "warning", "link",
                   "unsub_window", "approve_requests", "postbacks", "welcome")


class CampaignCrudTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.add_bot()
        self.promote(CHANNEL)
        self.promote(SUPERGROUP)
        self.promote(APPROVAL_GROUP)

    def test_add_defaults_and_link(self):
        c = self.add_campaign(postbacks=None, welcome=None)
        for f in CAMPAIGN_FIELDS:
            self.assertIn(f, c)
        self.assertIsInstance(c["id"], int)
        self.assertEqual(c["code"], "CAMP42")
        self.assertEqual(c["name"], "Camp 42")
        self.assertEqual(str(c["bot"]), str(BOT_ID))
        self.assertEqual(str(c["chat"]), str(CHANNEL["id"]))
        self.assertEqual(c["status"], "active")
        self.assertIs(c["warning"], False)
        self.assertEqual(c["link"], "https://t.me/%s?start=CAMP42-{click}" % BOT_USERNAME)
        self.assertEqual(c["unsub_window"], 0)
        self.assertIs(c["approve_requests"], False)
        self.assertEqual(c["postbacks"], {s: "" for s in STATUSES})
        for f in ("text", "image", "buttons", "join_button"):
            self.assertIn(f, c["welcome"])

    def test_add_full_and_list(self):
        welcome = {"text": "Hi *there*", "image": "https://img.example.com/a.png",
                   "buttons": [{"text": "Site", "url": "https://example.com/?c={click}"}],
                   "join_button": "Join"}
        c = self.add_campaign(code="Abc123", name="Full", unsub_window=86400,
                              approve_requests=True, welcome=welcome)
        self.assertEqual(c["unsub_window"], 86400)
        self.assertIs(c["approve_requests"], True)
        self.assertEqual(c["postbacks"], self.all_templates())
        self.assertEqual(c["welcome"]["text"], "Hi *there*")
        self.assertEqual(c["welcome"]["image"], "https://img.example.com/a.png")
        self.assertEqual(c["welcome"]["buttons"],
                         [{"text": "Site", "url": "https://example.com/?c={click}"}])
        self.assertEqual(c["welcome"]["join_button"], "Join")
        data, total = self.ok_list("/api/campaigns/list.json")
        self.assertEqual(total, 1)
        self.assertEqual(data[0], c)

    def test_form_body_add(self):
        form = {"bot": BOT_ID, "chat": CHANNEL["id"], "code": "FORM1", "name": "Form",
                "postbacks[wait]": self.tpl("wait"), "unsub_window": "120"}
        c = self.ok("/api/campaigns/add.json", form=form, method="POST")
        self.assertEqual(c["code"], "FORM1")
        self.assertEqual(c["postbacks"]["wait"], self.tpl("wait"))
        self.assertEqual(c["postbacks"]["hold"], "")
        self.assertEqual(c["unsub_window"], 120)

    def test_edit(self):
        c = self.add_campaign()
        e = self.ok("/api/campaigns/edit.json", method="POST",
                    json_body={"id": c["id"], "name": "Renamed", "unsub_window": 3600,
                               "postbacks": {"wait": self.tpl("wait", "&v=2")}})
        self.assertEqual(e["name"], "Renamed")
        self.assertEqual(e["unsub_window"], 3600)
        self.assertEqual(e["postbacks"]["wait"], self.tpl("wait", "&v=2"))
        self.assertEqual(e["code"], "CAMP42")
        self.assertEqual(self.campaign_by_id(c["id"])["name"], "Renamed")
        self.assert_error(self.api("/api/campaigns/edit.json", method="POST",
                                   json_body={"id": 999999, "name": "x"}), 404, "notfound")

    def test_pause_resume_del_and_status_filter(self):
        c1 = self.add_campaign(code="ONE")
        c2 = self.add_campaign(code="TWO", chat=SUPERGROUP["id"])
        p = self.ok("/api/campaigns/pause.json", form={"id": c1["id"]}, method="POST")
        self.assertEqual(p["status"], "paused")
        data, total = self.ok_list("/api/campaigns/list.json", {"status": "paused"})
        self.assertEqual(([d["code"] for d in data], total), (["ONE"], 1))
        data, total = self.ok_list("/api/campaigns/list.json", {"status": "active"})
        self.assertEqual(([d["code"] for d in data], total), (["TWO"], 1))
        r = self.ok("/api/campaigns/resume.json", form={"id": c1["id"]}, method="POST")
        self.assertEqual(r["status"], "active")
        self.assertEqual(self.ok("/api/campaigns/del.json", form={"id": c2["id"]},
                                 method="POST"), True)
        data, total = self.ok_list("/api/campaigns/list.json")
        self.assertEqual([d["code"] for d in data], ["ONE"])
        self.assert_error(self.api("/api/campaigns/pause.json", form={"id": 424242}), 404,
                          "notfound")

    def test_deleted_code_stops_tracking(self):
        c = self.add_campaign()
        self.ok("/api/campaigns/del.json", form={"id": c["id"]}, method="POST")
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-x"))
        self.assert_no_lead(ALINA["id"])

    def test_duplicate_code_exists(self):
        self.add_campaign(code="CAMP42")
        self.assert_error(self.add_campaign(code="CAMP42", chat=SUPERGROUP["id"],
                                            expect_ok=False), 409, "exists")

    def test_duplicate_active_bot_chat_exists(self):
        c1 = self.add_campaign(code="ONE")
        self.assert_error(self.add_campaign(code="TWO", expect_ok=False), 409, "exists")
        self.ok("/api/campaigns/pause.json", form={"id": c1["id"]}, method="POST")
        self.add_campaign(code="TWO")
        self.assert_error(self.api("/api/campaigns/resume.json", form={"id": c1["id"]}), 409,
                          "exists")

    def test_invalid_codes(self):
        for bad in ("bad-code", "A" * 17, "", "with space", "kod_1", "Кириллица"):
            self.assert_error(self.add_campaign(code=bad, expect_ok=False), 400, "param",
                              "code")
        self.add_campaign(code="A" * 16)

    def test_unknown_chat_is_param(self):
        self.assert_error(self.add_campaign(chat=PUBLIC_CHANNEL["id"], expect_ok=False), 400,
                          "param", "chat")

    def test_unknown_bot_is_notfound(self):
        self.assert_error(self.add_campaign(bot=111222333, expect_ok=False), 404, "notfound")

    def test_missing_fields_param(self):
        self.assert_error(self.api("/api/campaigns/add.json", method="POST",
                                   json_body={"chat": CHANNEL["id"], "code": "X1"}), 400,
                          "param", "bot")
        self.assert_error(self.api("/api/campaigns/add.json", method="POST",
                                   json_body={"bot": BOT_ID, "chat": CHANNEL["id"],
                                              "code": "X1", "unsub_window": "soon"}), 400,
                          "param", "unsub_window")

    def test_link_uses_bot_username(self):
        self.botapi.set_username("222333444", "other_e2e_bot")
        self.add_bot("222333444:AAother")
        self.promote(CHANNEL, bot_id=222333444)
        c = self.add_campaign(bot=222333444, code="OB1")
        self.assertEqual(c["link"], "https://t.me/other_e2e_bot?start=OB1-{click}")


class KittenPlanTest(TgleadTestCase):
    PLAN = "kitten"
    EMAIL = "kitten@example.com"

    def test_plan_limit_and_plan_set(self):
        self.add_bot()
        self.promote(CHANNEL)
        self.promote(SUPERGROUP)
        self.assertEqual(self.ok("/api/profile/get.json")["plan"], "kitten")
        c1 = self.add_campaign(code="ONE")
        self.assert_error(self.add_campaign(code="TWO", chat=SUPERGROUP["id"],
                                            expect_ok=False), 409, "limit")
        self.ok("/api/campaigns/pause.json", form={"id": c1["id"]}, method="POST")
        c2 = self.add_campaign(code="TWO", chat=SUPERGROUP["id"])
        self.assert_error(self.api("/api/campaigns/resume.json", form={"id": c1["id"]}), 409,
                          "limit")
        self.assertEqual(self.campaign_by_id(c1["id"])["status"], "paused")
        self.run_cli("plan", "set", self.EMAIL, "tiger", "--days", "30", "--db", self.db)
        r = self.ok("/api/campaigns/resume.json", form={"id": c1["id"]}, method="POST")
        self.assertEqual(r["status"], "active")
        self.assertEqual(self.ok("/api/profile/get.json")["plan"], "tiger")
        self.promote(APPROVAL_GROUP)
        self.add_campaign(code="THREE", chat=APPROVAL_GROUP["id"])
        data, total = self.ok_list("/api/campaigns/list.json", {"status": "active"})
        self.assertEqual(total, 3)
