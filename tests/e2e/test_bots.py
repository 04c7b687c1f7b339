"""Bots: add / list / chats / del, and bot admin rights (§3.12, §3.13, §6.3)."""

import re
import time

from harness import (BOT_ID, BOT_TOKEN, BOT_USERNAME, CHANNEL, PUBLIC_CHANNEL, SUPERGROUP,
                     ALLOWED_UPDATES, PUBLIC_URL, ALINA, TgleadTestCase, my_chat_member,
                     start, migrate_message, chat_member)


class BotsAddTest(TgleadTestCase):

    def test_add_calls_getme_then_setwebhook(self):
        data = self.add_bot()
        self.assertEqual(str(data["id"]), str(BOT_ID))
        self.assertEqual(data.get("username"), BOT_USERNAME)
        methods = [c["method"].lower() for c in self.botapi.calls()]
        self.assertIn("getme", methods)
        self.assertIn("setwebhook", methods)
        self.assertLess(methods.index("getme"), methods.index("setwebhook"))
        wh = self.botapi.calls("setWebhook")[-1]
        self.assertEqual(wh["token"], BOT_TOKEN)
        p = wh["params"]
        self.assertEqual(p.get("url"), "%s/tg/%d" % (PUBLIC_URL, BOT_ID))
        secret = p.get("secret_token")
        self.assertTrue(secret, "secret_token must be non-empty")
        self.assertRegex(secret, r"^[A-Za-z0-9_-]{1,256}$")
        self.assertEqual(p.get("allowed_updates"), ALLOWED_UPDATES)

    def test_secrets_differ_between_bots(self):
        self.add_bot()
        self.add_bot("123456789:AAsecondbotsecret")
        s1 = self.botapi.webhook_secret(BOT_ID)
        s2 = self.botapi.webhook_secret(123456789)
        self.assertTrue(s1 and s2)
        self.assertNotEqual(s1, s2)

    def test_add_rejected_token(self):
        self.botapi.set_invalid("555:revoked")
        self.assert_error(self.api("/api/bots/add.json", form={"token": "555:revoked"}),
                          400, "token")
        self.assertEqual(self.botapi.calls("setWebhook"), [])
        data, total = self.ok_list("/api/bots/list.json")
        self.assertEqual(total, 0)

    def test_add_token_without_colon(self):
        st, js = self.api("/api/bots/add.json", form={"token": "garbage"})
        self.assertEqual(st, 400, js)
        self.assertEqual(js.get("status"), "error")
        self.assertIn(js.get("error"), ("token", "param"), js)

    def test_add_missing_token_is_param(self):
        self.assert_error(self.api("/api/bots/add.json", form={}), 400, "param", "token")

    def test_add_twice_exists(self):
        self.add_bot()
        self.assert_error(self.api("/api/bots/add.json", form={"token": BOT_TOKEN}),
                          409, "exists")

    def test_add_webhook_failure(self):
        self.botapi.set_webhook_fails(BOT_ID)
        self.assert_error(self.api("/api/bots/add.json", form={"token": BOT_TOKEN}),
                          502, "webhook")

    def test_add_json_body(self):
        data = self.ok("/api/bots/add.json", json_body={"token": BOT_TOKEN}, method="POST")
        self.assertEqual(str(data["id"]), str(BOT_ID))


class BotsListTest(TgleadTestCase):

    def test_list_fields_and_chat_count(self):
        self.add_bot()
        data, total = self.ok_list("/api/bots/list.json")
        self.assertEqual(total, 1)
        b = data[0]
        for f in ("id", "username", "name", "status", "chats"):
            self.assertIn(f, b)
        self.assertEqual(str(b["id"]), str(BOT_ID))
        self.assertEqual(b["username"], BOT_USERNAME)
        self.assertIn("SubTrack", b["name"])
        self.assertEqual(b["status"], 0)
        self.assertEqual(b["chats"], 0)
        self.promote(CHANNEL)
        self.promote(SUPERGROUP)
        self.eventually(lambda: self.assertEqual(self.bot_entry()["chats"], 2))

    def test_chats_fields(self):
        self.add_bot()
        self.promote(PUBLIC_CHANNEL)
        self.promote(SUPERGROUP)
        chats = {}

        def check():
            chats.clear()
            chats.update({str(c["id"]): c for c in self.chats_of()})
            self.assertEqual(len(chats), 2, chats)
        self.eventually(check)
        c = chats[str(PUBLIC_CHANNEL["id"])]
        for f in ("id", "title", "type", "username", "requests", "ok"):
            self.assertIn(f, c)
        self.assertEqual(c["title"], "Daily Deals EU")
        self.assertEqual(c["type"], "channel")
        self.assertEqual(c["username"], "dailydeals_eu")
        self.assertIn(c["requests"], (False, 0))
        self.assertIs(c["ok"], True)
        s = chats[str(SUPERGROUP["id"])]
        self.assertEqual(s["type"], "supergroup")
        self.assertEqual(s["title"], "Crypto Signals Chat")
        self.assertIn(s["username"], ("", None))

    def test_chats_unknown_bot_notfound(self):
        self.assert_error(self.api("/api/bots/chats.json", {"bot": 99999}), 404, "notfound")

    def test_del_removes_webhook_keeps_history(self):
        camp = self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-abc"))
        self.find_lead(ALINA["id"])
        self.assertEqual(self.ok("/api/bots/del.json", form={"id": BOT_ID}, method="POST"),
                         True)
        self.assertTrue(self.botapi.calls("deleteWebhook"), "deleteWebhook not called")
        b = self.bot_entry()
        if b is not None:
            self.assertEqual(b["status"], 3)
        leads = self.leads()
        self.assertEqual([str(l["subscriber"]) for l in leads], [str(ALINA["id"])])
        self.assertEqual(str(leads[0]["campaign"]), str(camp["id"]))

    def test_del_unknown_notfound(self):
        self.assert_error(self.api("/api/bots/del.json", form={"id": 4242}, method="POST"),
                          404, "notfound")


class BotAdminRightsTest(TgleadTestCase):

    def test_promoted_chat_listed(self):
        self.add_bot()
        self.promote(CHANNEL)
        chats = self.eventually(lambda: self._one_chat(CHANNEL["id"]))
        self.assertEqual(chats["title"], CHANNEL["title"])
        self.assertIs(chats["ok"], True)

    def _one_chat(self, chat_id, ok=None):
        for c in self.chats_of():
            if str(c["id"]) == str(chat_id):
                if ok is not None:
                    self.assertIs(c["ok"], ok, c)
                return c
        raise AssertionError("chat %s not listed" % chat_id)

    def _demote_and_check(self, new_status, chat=CHANNEL):
        camp = self.setup_bot_and_campaign(chat=chat)
        self.assertIs(camp["warning"], False)
        self.eventually(lambda: self.assertEqual(self.bot_entry()["status"], 0))
        self.send(my_chat_member(self.next_uid(), chat, "administrator", new_status))
        self.eventually(lambda: self.assertEqual(self.bot_entry()["status"], 1))
        self.eventually(lambda: self._one_chat(chat["id"], ok=False))
        self.eventually(lambda: self.assertIs(self.campaign_by_id(camp["id"])["warning"], True))
        self.assertEqual(self.bot_entry()["chats"], 0)
        # re-promoted: the flags clear
        self.send(my_chat_member(self.next_uid(), chat, new_status, "administrator"))
        self.eventually(lambda: self.assertEqual(self.bot_entry()["status"], 0))
        self.eventually(lambda: self._one_chat(chat["id"], ok=True))
        c = self.campaign_by_id(camp["id"])
        self.assertIs(c["warning"], False)
        self.assertEqual(c["status"], "active")
        self.assertEqual(self.bot_entry()["chats"], 1)

    def test_bot_kicked_flags_and_repromotion(self):
        self._demote_and_check("kicked")

    def test_bot_demoted_to_member_flags(self):
        self._demote_and_check("member", chat=SUPERGROUP)

    def test_bot_left_flags(self):
        self._demote_and_check("left")

    def test_private_block_accepted(self):
        self.add_bot()
        chat = {"id": ALINA["id"], "first_name": "Alina", "type": "private"}
        st = self.post_update(BOT_ID, my_chat_member(self.next_uid(), chat, "member", "kicked",
                                                      from_user=ALINA))
        self.assertEqual(st, 200)
        self.assertEqual(self.bot_entry()["status"], 0)
        self.assertEqual(self.chats_of(), [])

    def test_group_migrated_to_supergroup(self):
        old = {"id": -4012345678, "title": "Crypto Signals Group", "type": "group"}
        new_id = SUPERGROUP["id"]
        camp = self.setup_bot_and_campaign(chat=old)
        self.assertEqual(str(camp["chat"]), str(old["id"]))
        self.send(migrate_message(self.next_uid(), old, new_id))

        def check():
            ids = [str(c["id"]) for c in self.chats_of()]
            self.assertIn(str(new_id), ids)
            self.assertNotIn(str(old["id"]), ids)
            self.assertEqual(str(self.campaign_by_id(camp["id"])["chat"]), str(new_id))
        self.eventually(check)
        # tracking now works on the new id
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-mig"))
        self.find_lead(ALINA["id"], status=0)
        sg = dict(SUPERGROUP)
        self.send(chat_member(self.next_uid(), sg, ALINA, "left", "member"))
        self.find_lead(ALINA["id"], status=2)
