"""CRM contacts (PRODUCT.md §8.1-§8.2): campaign starts create contacts, blocks mark them,
the API adds with dedup / conflicts / merge / tags, and CSV imports through the CLI and the API."""

import csv
import io
import os
import time

from harness import (ALINA, BOT_ID, DMITRY, MARCO, TgleadTestCase, my_chat_member, start, user)


class ContactApiMixin:

    def contacts(self, **params):
        params.setdefault("limit", 200)
        data, total = self.ok_list("/api/contacts/list.json", params)
        return data

    def contact_of(self, telegram_id, timeout=5.0):
        def check():
            found = [c for c in self.contacts() if c["telegram_id"] == telegram_id]
            self.assertEqual(len(found), 1, "contact of %s: %r" % (telegram_id, found))
            return found[0]
        return self.eventually(check, timeout)

    def add(self, **fields):
        return self.ok("/api/contacts/add.json", method="POST", json_body=fields)


class CampaignContactTest(ContactApiMixin, TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.camp = self.setup_bot_and_campaign()
        self.t0 = int(time.time()) - 3600

    def test_start_creates_one_contact_and_restart_updates_it(self):
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-clk1", self.t0))
        c = self.contact_of(ALINA["id"])
        self.assertEqual(c["username"], "alina_k")
        self.assertEqual(c["first_name"], "Alina")
        self.assertEqual(c["last_name"], "Korneeva")
        self.assertEqual(c["language"], "ru")
        self.assertEqual(c["source"], "campaign")
        self.assertEqual(c["status"], "active")
        renamed = dict(ALINA, first_name="Alina K.")
        self.send(start(self.next_uid(), renamed, "/start CAMP42-clk2", self.t0 + 60))
        self.eventually(lambda: self.assertEqual(self.contact_of(ALINA["id"])["first_name"], "Alina K."))
        self.assertEqual(len(self.contacts()), 1)
        detail = self.ok("/api/contacts/get.json", {"id": c["id"]})
        kinds = [h["kind"] for h in detail["history"]]
        self.assertEqual(kinds.count("campaign_start"), 2, kinds)
        self.assertIn("created", kinds)
        starts = [h for h in detail["history"] if h["kind"] == "campaign_start"]
        self.assertEqual(starts[0]["detail"]["code"], "CAMP42")
        self.assertEqual(starts[0]["detail"]["click"], "clk2")

    def test_start_adopts_a_manually_added_username(self):
        added = self.add(username="@Dmitry_V", phone="+7 916 123-45-67")
        self.assertTrue(added["created"])
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-x", self.t0))
        c = self.contact_of(DMITRY["id"])
        self.assertEqual(c["id"], added["contact"]["id"])
        self.assertEqual(c["phone"], "+79161234567")
        self.assertEqual(c["source"], "manual")
        self.assertEqual(len(self.contacts()), 1)

    def test_blocking_the_bot_marks_the_contact_blocked(self):
        self.send(start(self.next_uid(), MARCO, "/start CAMP42-x", self.t0))
        self.contact_of(MARCO["id"])
        private = {"id": MARCO["id"], "first_name": "Marco", "type": "private"}
        self.send(my_chat_member(self.next_uid(), private, "member", "kicked", from_user=MARCO))
        self.eventually(lambda: self.assertEqual(self.contact_of(MARCO["id"])["status"], "blocked"))
        self.assertEqual([c["telegram_id"] for c in self.contacts(status="blocked")], [MARCO["id"]])
        self.send(my_chat_member(self.next_uid(), private, "kicked", "member", from_user=MARCO))
        self.eventually(lambda: self.assertEqual(self.contact_of(MARCO["id"])["status"], "active"))


class ContactsApiTest(ContactApiMixin, TgleadTestCase):

    def test_add_dedups_across_identifier_spellings(self):
        a = self.add(username="alina_k", first_name="Alina", tags=["vip"])
        self.assertTrue(a["created"])
        self.assertEqual(a["contact"]["source"], "manual")
        self.assertEqual(a["contact"]["tags"], ["vip"])
        b = self.add(username="https://t.me/ALINA_K", phone="8 (916) 123-45-67", region="RU")
        self.assertFalse(b["created"])
        self.assertEqual(b["matched_on"], "username")
        self.assertEqual(b["contact"]["id"], a["contact"]["id"])
        self.assertEqual(b["contact"]["phone"], "+79161234567")
        self.assertEqual(b["contact"]["username"], "alina_k")
        c = self.add(phone="+7 916 123 45 67", telegram_id=ALINA["id"])
        self.assertEqual(c["matched_on"], "phone")
        self.assertEqual(c["contact"]["telegram_id"], ALINA["id"])
        self.assertEqual(len(self.contacts()), 1)
        # create-only mode refuses an existing contact
        self.assert_error(self.api("/api/contacts/add.json", method="POST",
                                   json_body={"username": "ALINA_K", "mode": "create"}),
                          409, "exists")

    def test_invalid_identifiers_are_rejected_with_reasons(self):
        self.assert_error(self.api("/api/contacts/add.json", method="POST",
                                   json_body={"username": "abc"}), 400, "param", "5-32")
        self.assert_error(self.api("/api/contacts/add.json", method="POST",
                                   json_body={"phone": "8 916 123 45 67"}), 400, "param", "country code")
        self.assert_error(self.api("/api/contacts/add.json", method="POST",
                                   json_body={"first_name": "Nobody"}), 400, "param", "identifier")
        self.assertEqual(self.contacts(), [])

    def test_conflicting_identifiers_are_reported_not_merged(self):
        a = self.add(telegram_id=100200300, username="old_handle")["contact"]
        b = self.add(username="new_handle")["contact"]
        st, js = self.api("/api/contacts/add.json", method="POST",
                          json_body={"telegram_id": 100200300, "username": "new_handle"})
        self.assert_error((st, js), 409, "exists")
        self.assertEqual(js["conflicts"][0]["field"], "username")
        self.assertEqual(js["conflicts"][0]["contact"], b["id"])
        self.assertEqual(len(self.contacts()), 2)
        self.assertEqual(self.ok("/api/contacts/get.json", {"id": a["id"]})["username"], "old_handle")
        # edit cannot take another contact's identifier either
        st, js = self.api("/api/contacts/edit.json", method="POST",
                          json_body={"id": a["id"], "username": "NEW_HANDLE"})
        self.assert_error((st, js), 409, "exists")

    def test_edit_delete_merge_and_tags(self):
        a = self.add(username="primary_one", tags=["vip"])["contact"]
        b = self.add(telegram_id=900800700, phone="+49 30 12345678", first_name="Sec",
                     tags="crypto,VIP")["contact"]
        e = self.ok("/api/contacts/edit.json", method="POST",
                    json_body={"id": a["id"], "priority": "high", "country": "de"})
        self.assertEqual(e["priority"], "high")
        self.assertEqual(e["country"], "DE")
        m = self.ok("/api/contacts/merge.json", method="POST",
                    json_body={"primary": a["id"], "secondary": b["id"]})
        self.assertEqual(m["telegram_id"], 900800700)
        self.assertEqual(m["phone"], "+493012345678")
        self.assertEqual(m["first_name"], "Sec")
        self.assertEqual(m["tags"], ["crypto", "vip"])
        self.assert_error(self.api("/api/contacts/get.json", {"id": b["id"]}), 404, "notfound")
        kinds = [h["kind"] for h in self.ok("/api/contacts/get.json", {"id": a["id"]})["history"]]
        self.assertIn("merged", kinds)
        self.assertEqual(kinds.count("created"), 2)
        # tags
        t = self.ok("/api/contacts/tag.json", method="POST",
                    json_body={"id": a["id"], "add": ["Hot lead"], "remove": ["crypto"]})
        self.assertEqual(t["tags"], ["Hot lead", "vip"])
        tags, total = self.ok_list("/api/tags/list.json")
        self.assertEqual({x["name"]: x["contacts"] for x in tags}, {"crypto": 0, "Hot lead": 1, "vip": 1})
        self.assertEqual([c["id"] for c in self.contacts(tag="VIP")], [a["id"]])
        self.assertEqual(self.contacts(tag="nope"), [])
        new = self.ok("/api/tags/add.json", method="POST", json_body={"name": "cold", "colour": "#00FF00"})
        self.assertEqual(new["colour"], "#00ff00")
        self.assert_error(self.api("/api/tags/add.json", method="POST", json_body={"name": "COLD"}),
                          409, "exists")
        self.ok("/api/tags/del.json", method="POST", json_body={"id": new["id"]})
        # search and filters
        self.assertEqual(len(self.contacts(q="primary")), 1)
        self.assertEqual(len(self.contacts(q="900800700")), 1)
        self.assertEqual(len(self.contacts(source="manual")), 1)
        self.assertEqual(self.contacts(source="campaign"), [])
        # delete = archive; purge = gone
        self.ok("/api/contacts/del.json", method="POST", json_body={"id": a["id"]})
        self.assertEqual(self.ok("/api/contacts/get.json", {"id": a["id"]})["status"], "archived")
        self.ok("/api/contacts/del.json", method="POST", json_body={"id": a["id"], "purge": True})
        self.assertEqual(self.contacts(), [])

    def test_edit_clears_details_sent_empty(self):
        a = self.add(username="to_clear", telegram_id=900800711, first_name="Olga", country="de",
                     group="Buyers")["contact"]
        e = self.ok("/api/contacts/edit.json", method="POST",
                    json_body={"id": a["id"], "first_name": "", "country": None, "username": "",
                               "last_name": "Stays"})
        self.assertEqual((e["first_name"], e["country"], e["username"], e["last_name"], e["group"]),
                         ("", "", "", "Stays", "Buyers"), e)
        self.assertEqual(e["telegram_id"], 900800711)
        # the last identifier cannot go: the edit is refused as a whole
        self.assert_error(self.api("/api/contacts/edit.json", method="POST",
                                   json_body={"id": a["id"], "telegram_id": "", "group": ""}),
                          400, "param", "telegram_id")
        self.assertEqual(self.ok("/api/contacts/get.json", {"id": a["id"]})["group"], "Buyers")
        # the freed handle can be taken by another contact
        self.add(username="to_clear")

    def test_tag_rename_and_recolour_keeps_segments(self):
        a = self.add(username="tagged_one", tags=["vip"])["contact"]
        vip = [t for t in self.ok_list("/api/tags/list.json")[0] if t["name"] == "vip"][0]
        seg = self.ok("/api/segments/add.json", method="POST",
                      json_body={"name": "VIPs", "rules": [{"field": "tag", "op": "has", "value": "VIP"}]})
        self.assertEqual(seg["count"], 1)
        t = self.ok("/api/tags/edit.json", method="POST",
                    json_body={"id": vip["id"], "name": "Gold", "colour": "#AA00AA"})
        self.assertEqual((t["id"], t["name"], t["colour"]), (vip["id"], "Gold", "#aa00aa"))
        self.assertEqual(self.ok("/api/contacts/get.json", {"id": a["id"]})["tags"], ["Gold"])
        seg = self.ok("/api/segments/get.json", {"id": seg["id"]})
        self.assertEqual(seg["rules"], [{"field": "tag", "op": "has", "value": "Gold"}])
        self.assertEqual(seg["count"], 1)
        # colour alone; a name another tag has; bad input; unknown and foreign ids
        self.assertEqual(self.ok("/api/tags/edit.json", method="POST",
                                 json_body={"id": vip["id"], "colour": "#000000"})["name"], "Gold")
        self.ok("/api/tags/add.json", method="POST", json_body={"name": "cold"})
        self.assert_error(self.api("/api/tags/edit.json", method="POST",
                                   json_body={"id": vip["id"], "name": "COLD"}), 409, "exists")
        self.assert_error(self.api("/api/tags/edit.json", method="POST",
                                   json_body={"id": vip["id"], "colour": "red"}), 400, "param")
        self.assert_error(self.api("/api/tags/edit.json", method="POST",
                                   json_body={"id": vip["id"], "name": "a,b"}), 400, "param")
        self.assert_error(self.api("/api/tags/edit.json", method="POST",
                                   json_body={"id": 999999, "name": "x"}), 404, "notfound")
        other = self.add_user("tags-other@example.com")
        self.assert_error(self.api("/api/tags/edit.json", {"id": vip["id"], "name": "Stolen"},
                                   method="POST", key=other), 404, "notfound")
        self.assertEqual(self.ok("/api/contacts/get.json", {"id": a["id"]})["tags"], ["Gold"])

    def test_contacts_are_per_account(self):
        a = self.add(username="private_one")["contact"]
        other = self.add_user("other@example.com")
        st, js = self.api("/api/contacts/get.json", {"id": a["id"]}, key=other)
        self.assert_error((st, js), 404, "notfound")
        data = self.ok("/api/contacts/add.json", method="POST", json_body={"username": "private_one"},
                       key=other)
        self.assertTrue(data["created"])

    def test_import_via_api_and_safe_export(self):
        body = ("first_name;username;phone_number;tags\n"
                "\"=cmd|' /C calc'!A0\";formula_guy;+7 916 765 43 21;a,b\n"
                "\"=cmd|' /C calc'!A0\";formula_guy;+7 916 765 43 21;a,b\n"
                "Bad;abc;;\n")
        r = self.ok("/api/contacts/import.json", method="POST", json_body={"csv": body, "wait": True})
        self.assertEqual((r["rows"], r["created"], r["duplicates"], r["error_count"]), (3, 1, 1, 1))
        self.assertEqual(r["errors"][0]["row"], 4)
        status, headers, raw = self.raw("/api/contacts/export.csv")
        self.assertEqual(status, 200)
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
        self.assertEqual(rows[0][:4], ["id", "telegram_id", "username", "phone_number"])
        self.assertEqual(rows[1][4], "'=cmd|' /C calc'!A0")
        self.assertEqual(rows[1][2], "formula_guy")


class ContactImportCliTest(ContactApiMixin, TgleadTestCase):

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(text.encode("utf-8"))
        return path

    def test_cli_import_report_modes_and_dedup(self):
        path = self.write("contacts.csv",
                          "\ufefffirst_name,last_name,username,phone_number,telegram_id,country,language,tags\r\n"
                          "Alina,Korneeva,@alina_k,8 916 123-45-67,,ru,ru,\"vip,crypto\"\r\n"
                          "Alina,Korneeva,@alina_k,8 916 123-45-67,,ru,ru,\"vip,crypto\"\r\n"
                          "Marco,,t.me/marco_it,,984312765,IT,it,\r\n"
                          "Bad,,x,,,,,\r\n"
                          "Dmitry,Volkov,,+7 916 000,,,,\r\n")
        p = self.run_cli("import", "contacts", path, "--user", self.EMAIL, "--db", self.db,
                         "--region", "RU", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        report = dict(line.split(": ", 1) for line in p.stdout.splitlines()
                      if ": " in line and not line.startswith("error: "))
        self.assertEqual(report["rows"], "5")
        self.assertEqual(report["created"], "2")
        self.assertEqual(report["duplicates"], "1")
        self.assertEqual(report["errors"], "2")
        errors = [l for l in p.stdout.splitlines() if l.startswith("error: row ")]
        self.assertTrue(errors[0].startswith("error: row 5: "), errors)
        self.assertTrue(errors[1].startswith("error: row 6: "), errors)
        self.assertIn("importing: 100%", p.stderr)
        cs = {c["username"]: c for c in self.contacts()}
        self.assertEqual(set(cs), {"alina_k", "marco_it"})
        self.assertEqual(cs["alina_k"]["phone"], "+79161234567")
        self.assertEqual(cs["alina_k"]["tags"], ["crypto", "vip"])
        self.assertEqual(cs["alina_k"]["source"], "file_upload")
        self.assertEqual(cs["marco_it"]["telegram_id"], 984312765)
        # update-only with ';' and a new phone for Marco, matched by Telegram id; unknown rows skipped
        path2 = self.write("update.csv", "telegram_id;phone_number;username\n"
                                         "984312765;+39 06 1234 5678;\n"
                                         "111222333;;someone_new\n")
        p = self.run_cli("import", "contacts", path2, "--user", self.EMAIL, "--db", self.db,
                         "--mode", "update", "--quiet")
        self.assertIn("updated: 1", p.stdout)
        self.assertIn("skipped: 1", p.stdout)
        self.assertEqual(p.stderr.strip(), "")
        self.assertEqual({c["username"]: c["phone"] for c in self.contacts()}["marco_it"], "+390612345678")
        self.assertEqual(len(self.contacts()), 2)

    def test_cli_import_errors(self):
        path = self.write("names.csv", "first_name,last_name\nA,B\n")
        p = self.run_cli("import", "contacts", path, "--user", self.EMAIL, "--db", self.db, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("identifier column", p.stderr)
        p = self.run_cli("import", "contacts", path, "--user", "nobody@example.com", "--db", self.db,
                         check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no user", p.stderr)
