"""Contact crawling (PRODUCT.md §8.2): chats the bot administers are crawled once the account
starts a crawl (message authors, chat_member subjects, join requesters, administrators), and
Telegram Desktop exports (result.json) are imported through the API and the CLI; results of a
source are cached for 24 h."""

import copy
import json
import os
import time

from harness import (ALINA, APPROVAL_GROUP, BOT_ID, DMITRY, MARCO, SUPERGROUP, TgleadTestCase,
                     bot_user, chat_member, join_request, user)


def group_message(update_id, chat, usr, text="hello", date=None, sender_chat=None):
    """A message in a group or supergroup (the shape of fixture 01 in a group chat)."""
    body = {"message_id": update_id % 100000 + 1, "from": copy.deepcopy(usr), "chat": copy.deepcopy(chat),
            "date": int(date if date is not None else time.time()), "text": text}
    if sender_chat is not None:
        body["sender_chat"] = copy.deepcopy(sender_chat)
    return {"update_id": update_id, "message": body}


def export_file(name="Crypto Signals Chat", extra_messages=()):
    """A Telegram Desktop chat export (result.json) of a supergroup."""
    messages = [
        {"id": 1, "type": "service", "date": "2025-11-21T16:05:00", "date_unixtime": "1763741100",
         "actor": "Alina Korneeva", "actor_id": "user%d" % ALINA["id"], "action": "join_group_by_link",
         "inviter": "Group", "text": "", "text_entities": []},
        {"id": 2, "type": "message", "date": "2025-11-21T16:06:00", "date_unixtime": "1763741160",
         "from": "Alina Korneeva", "from_id": "user%d" % ALINA["id"],
         "text": ["Hi ", {"type": "bold", "text": "all"}],
         "text_entities": [{"type": "plain", "text": "Hi "}, {"type": "bold", "text": "all"}]},
        {"id": 3, "type": "message", "date": "2025-11-21T16:07:00", "date_unixtime": "1763741220",
         "from": "Crypto Signals Daily", "from_id": "channel2381745923", "text": "Signal",
         "text_entities": []},
        {"id": 4, "type": "message", "date": "2025-11-21T16:08:00", "date_unixtime": "1763741280",
         "from": None, "from_id": "user1111111111", "text": "gone", "text_entities": []},
        {"id": 5, "type": "message", "date": "2025-11-21T16:09:00", "date_unixtime": "1763741340",
         "from": "Marco", "from_id": "user%d" % MARCO["id"], "text": "ciao", "text_entities": []},
    ] + list(extra_messages)
    return {"name": name, "type": "private_supergroup", "id": 1954328761, "messages": messages}


class CrawlingTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.add_bot()
        self.promote(SUPERGROUP)

    # ---- helpers ---------------------------------------------------------
    def contacts(self, **params):
        params.setdefault("limit", 200)
        data, _ = self.ok_list("/api/contacts/list.json", params)
        return data

    def contact_of(self, telegram_id):
        found = [c for c in self.contacts() if c["telegram_id"] == telegram_id]
        return found[0] if found else None

    def start_crawl(self, chat=SUPERGROUP):
        return self.ok("/api/crawl/start.json", method="POST", json_body={"bot": BOT_ID, "chat": chat["id"]})

    def members(self, crawl_id):
        data, total = self.ok_list("/api/crawl/members.json", {"id": crawl_id})
        self.assertEqual(total, len(data))
        return data

    def upload(self, export, **extra):
        body = {"export": json.dumps(export, ensure_ascii=False)}
        body.update(extra)
        return self.api("/api/crawl/import.json", method="POST", json_body=body)

    # ---- chats the bot administers --------------------------------------
    def test_messages_in_a_crawled_supergroup_create_crawling_contacts(self):
        crawl = self.start_crawl()
        self.assertEqual(crawl["kind"], "chat")
        self.assertTrue(crawl["active"])
        self.assertFalse(crawl["cached"])
        self.assertEqual(crawl["title"], "Crypto Signals Chat")
        self.assertEqual(len(self.botapi.calls("getChatAdministrators")), 1)

        self.send(group_message(self.next_uid(), SUPERGROUP, ALINA, "gm"))
        self.send(group_message(self.next_uid(), SUPERGROUP, ALINA, "second message"))
        self.send(group_message(self.next_uid(), SUPERGROUP, bot_user(), "a bot"))
        self.send(group_message(self.next_uid(), SUPERGROUP, user(777000, "Telegram", language_code=None),
                                "relayed channel post",
                                sender_chat={"id": -1002381745923, "title": "Crypto Signals Daily",
                                             "type": "channel"}))

        crawled = self.contacts(source="crawling")
        self.assertEqual([c["telegram_id"] for c in crawled], [ALINA["id"]])
        alina = crawled[0]
        self.assertEqual(alina["group"], "Crypto Signals Chat")
        self.assertEqual(alina["username"], "alina_k")
        self.assertEqual(alina["first_name"], "Alina")
        self.assertEqual(alina["last_name"], "Korneeva")
        history = self.ok("/api/contacts/get.json", {"id": alina["id"]})["history"]
        kinds = [h["kind"] for h in history]
        self.assertEqual(kinds.count("crawled"), 1, kinds)
        crawled_entry = [h for h in history if h["kind"] == "crawled"][0]
        self.assertEqual(crawled_entry["detail"]["via"], "message")

        got = self.ok("/api/crawl/get.json", {"id": crawl["id"]})
        self.assertEqual(got["members"], 1)
        self.assertEqual(got["created"], 1)
        members = self.members(crawl["id"])
        self.assertEqual(members[0]["telegram_id"], ALINA["id"])
        self.assertEqual(members[0]["contact"], alina["id"])
        self.assertEqual(members[0]["via"], "message")

    def test_a_chat_without_a_crawl_collects_nothing(self):
        self.promote(APPROVAL_GROUP)
        self.send(group_message(self.next_uid(), SUPERGROUP, MARCO, "before the crawl"))
        self.start_crawl(SUPERGROUP)
        self.send(group_message(self.next_uid(), APPROVAL_GROUP, DMITRY, "not crawled"))
        self.send(chat_member(self.next_uid(), APPROVAL_GROUP, DMITRY, "left", "member"))
        self.assertEqual(self.contacts(), [])

    def test_members_and_join_requests_are_collected(self):
        crawl = self.start_crawl()
        self.send(chat_member(self.next_uid(), SUPERGROUP, MARCO, "left", "member"))
        self.send(join_request(self.next_uid(), SUPERGROUP, DMITRY, bio="Trader"))
        self.assertEqual(self.contact_of(MARCO["id"])["group"], "Crypto Signals Chat")
        dmitry = self.contact_of(DMITRY["id"])
        self.assertEqual(dmitry["source"], "crawling")
        self.assertEqual(dmitry["username"], "dmitry_v")
        self.assertEqual(sorted(m["via"] for m in self.members(crawl["id"])), ["member", "request"])

    def test_a_repeated_start_within_24h_is_answered_from_the_cache(self):
        first = self.start_crawl()
        again = self.start_crawl()
        self.assertTrue(again["cached"])
        self.assertEqual(again["id"], first["id"])
        self.assertEqual(again["refreshed"], first["refreshed"])
        self.assertEqual(len(self.botapi.calls("getChatAdministrators")), 1)
        listed, total = self.ok_list("/api/crawl/list.json", {"kind": "chat"})
        self.assertEqual(total, 1)
        self.assertEqual(listed[0]["id"], first["id"])

    def test_stop_ends_collecting_and_a_start_resumes_it(self):
        crawl = self.start_crawl()
        stopped = self.ok("/api/crawl/stop.json", method="POST", json_body={"id": crawl["id"]})
        self.assertFalse(stopped["active"])
        self.send(group_message(self.next_uid(), SUPERGROUP, MARCO, "while stopped"))
        self.assertIsNone(self.contact_of(MARCO["id"]))
        resumed = self.start_crawl()
        self.assertTrue(resumed["active"])
        self.assertTrue(resumed["cached"])
        self.send(group_message(self.next_uid(), SUPERGROUP, MARCO, "after the restart"))
        self.assertEqual(self.contact_of(MARCO["id"])["source"], "crawling")

    def test_an_existing_contact_keeps_its_source(self):
        added = self.ok("/api/contacts/add.json", method="POST",
                        json_body={"telegram_id": ALINA["id"], "first_name": "Alina"})
        self.start_crawl()
        self.send(group_message(self.next_uid(), SUPERGROUP, ALINA, "hi"))
        alina = self.contact_of(ALINA["id"])
        self.assertEqual(alina["id"], added["contact"]["id"])
        self.assertEqual(alina["source"], "manual")
        self.assertEqual(alina["group"], "Crypto Signals Chat")
        self.assertEqual(alina["username"], "alina_k")
        self.assertEqual(len(self.contacts()), 1)

    def test_only_chats_the_bot_administers_can_be_crawled(self):
        self.assert_error(self.api("/api/crawl/start.json", method="POST",
                                   json_body={"bot": BOT_ID, "chat": APPROVAL_GROUP["id"]}),
                          400, "param", mentions=str(APPROVAL_GROUP["id"]))
        self.assert_error(self.api("/api/crawl/start.json", method="POST",
                                   json_body={"bot": 123456, "chat": SUPERGROUP["id"]}), 404, "notfound")
        self.assert_error(self.api("/api/crawl/get.json", {"id": 999}), 404, "notfound")
        other_key = self.add_user("other@example.com")
        crawl = self.start_crawl()
        self.assert_error(self.api("/api/crawl/get.json", {"id": crawl["id"]}, key=other_key), 404, "notfound")

    # ---- Telegram Desktop exports ---------------------------------------
    def test_an_uploaded_export_creates_contacts_and_a_repeat_is_cached(self):
        status, js = self.upload(export_file(), file_name="result.json")
        self.assertEqual(status, 200, js)
        report = js["data"]
        self.assertFalse(report["cached"])
        self.assertEqual(report["name"], "Crypto Signals Chat")
        self.assertEqual(report["messages"], 5)
        self.assertEqual(report["authors"], 3)
        self.assertEqual(report["created"], 2)
        self.assertEqual(report["skipped"], 1)
        self.assertEqual(report["ignored_messages"], 1)
        alina = self.contact_of(ALINA["id"])
        self.assertEqual(alina["source"], "crawling")
        self.assertEqual(alina["group"], "Crypto Signals Chat")
        self.assertEqual(alina["first_name"], "Alina Korneeva")
        self.assertIsNone(self.contact_of(1111111111))

        # The same content sent as the raw file body: the same source, answered from the cache.
        status, _, body = self.raw("/api/crawl/import.json", method="POST",
                                   body=json.dumps(export_file(), ensure_ascii=False).encode("utf-8"),
                                   headers={"Content-Type": "application/octet-stream"})
        js = json.loads(body)
        self.assertEqual(status, 200, js)
        self.assertTrue(js["data"]["cached"])
        self.assertEqual(js["data"]["crawl"], report["crawl"])
        self.assertEqual(js["data"]["created"], 2)
        self.assertEqual(len(self.contacts()), 2)

        # Different content is a different source: no cache, and nothing is duplicated.
        status, js = self.upload(export_file(extra_messages=[
            {"id": 6, "type": "message", "date": "2025-11-21T17:00:00", "from": "Dmitry Volkov",
             "from_id": "user%d" % DMITRY["id"], "text": "hi", "text_entities": []}]))
        self.assertEqual(status, 200, js)
        self.assertFalse(js["data"]["cached"])
        self.assertEqual(js["data"]["created"], 1)
        self.assertEqual(js["data"]["unchanged"], 2)
        crawls, total = self.ok_list("/api/crawl/list.json", {"kind": "export"})
        self.assertEqual(total, 2)
        self.assertEqual(crawls[1]["report"]["created"], 2)
        self.assertEqual(len(self.members(report["crawl"])), 2)

    def test_a_broken_export_is_refused_with_a_reason(self):
        self.assert_error(self.api("/api/crawl/import.json", method="POST", json_body={"export": "Name,Phone"}),
                          400, "param", mentions="not valid JSON")
        cut = json.dumps(export_file())[:300]
        self.assert_error(self.api("/api/crawl/import.json", method="POST", json_body={"export": cut}),
                          400, "param", mentions="ends before")
        self.assert_error(self.api("/api/crawl/import.json", method="POST",
                                   json_body={"export": json.dumps({"name": "x"})}),
                          400, "param", mentions="messages")
        self.assert_error(self.api("/api/crawl/import.json", method="POST", json_body={}), 400, "param",
                          mentions="export")
        self.assertEqual(self.contacts(), [])
        self.assert_alive()

    def test_the_cli_imports_an_export_file(self):
        path = os.path.join(self.tmp, "result.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(export_file(), f, ensure_ascii=False, indent=1)
        p = self.run_cli("import", "telegram-export", path, "--user", self.EMAIL, "--quiet", "--db", self.db)
        self.assertIn("created: 2", p.stdout)
        self.assertIn("skipped: 1", p.stdout)
        self.assertNotIn("cached", p.stdout)
        again = self.run_cli("import", "telegram-export", path, "--user", self.EMAIL, "--db", self.db)
        self.assertIn("cached", again.stdout)
        self.assertIn("created: 2", again.stdout)
        self.assertEqual(self.contact_of(MARCO["id"])["group"], "Crypto Signals Chat")

        with open(path, "w") as f:
            f.write('{"about": "x", "chats": {"list": []}}')
        bad = self.run_cli("import", "telegram-export", path, "--user", self.EMAIL, "--db", self.db, check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("full account export", bad.stderr)
        missing = self.run_cli("import", "telegram-export", path, "--user", "nobody@example.com", "--db", self.db,
                               check=False)
        self.assertEqual(missing.returncode, 1)
