"""CRM custom fields and segments (PRODUCT.md §8.2) through the real binary: typed fields
validated on every write path (API add/edit, CSV import), segments with live counts, members,
export, lead-status rules fed by real webhook traffic, and workspace isolation."""

import csv
import io
import os
import time

from harness import ALINA, DMITRY, TgleadTestCase, start
from test_contacts import ContactApiMixin


class FieldsSegmentsTest(ContactApiMixin, TgleadTestCase):

    def field(self, **body):
        return self.ok("/api/fields/add.json", method="POST", json_body=body)

    def segment(self, **body):
        return self.ok("/api/segments/add.json", method="POST", json_body=body)

    def preview(self, rules):
        return self.ok("/api/segments/preview.json", method="POST", json_body={"rules": rules})["count"]

    def make_fields(self):
        self.plan = self.field(name="plan", label="Plan", type="dropdown", options=["Free", "Pro", "Team"])
        self.spend = self.field(name="spend", label="Spend", type="number", min=0, max=100000)
        self.vip = self.field(name="vip", label="VIP", type="boolean")
        self.langs = self.field(name="langs", label="Languages", type="multiselect", options="EN,DE,RU")
        self.birthday = self.field(name="birthday", type="date")

    def test_field_definitions(self):
        self.make_fields()
        self.assertEqual(self.langs["options"], ["EN", "DE", "RU"])
        self.assertEqual(self.spend["min"], 0)
        self.assertEqual(self.birthday["label"], "birthday")
        fields, total = self.ok_list("/api/fields/list.json")
        self.assertEqual(total, 5)
        self.assertEqual([f["label"] for f in fields], ["birthday", "Languages", "Plan", "Spend", "VIP"])
        self.assert_error(self.api("/api/fields/add.json", json_body={"name": "plan", "type": "text"}),
                          409, "exists")
        self.assert_error(self.api("/api/fields/add.json", json_body={"name": "Bad Name", "type": "text"}),
                          400, "param", "name")
        self.assert_error(self.api("/api/fields/add.json", json_body={"name": "phone", "type": "text"}),
                          400, "param", "built-in")
        self.assert_error(self.api("/api/fields/add.json", json_body={"name": "x", "type": "colour"}),
                          400, "param", "type")
        self.assert_error(self.api("/api/fields/add.json", json_body={"name": "tier", "type": "dropdown"}),
                          400, "param", "options")
        edited = self.ok("/api/fields/edit.json", method="POST",
                         json_body={"id": self.plan["id"], "label": "Tariff", "required": True,
                                    "options": ["Free", "Pro", "Team", "Enterprise"]})
        self.assertEqual(edited["label"], "Tariff")
        self.assertTrue(edited["required"])
        self.assertEqual(edited["name"], "plan")
        self.assert_error(self.api("/api/fields/edit.json", json_body={"id": self.plan["id"], "name": "tariff"}),
                          400, "param", "fixed")
        self.assert_error(self.api("/api/fields/edit.json", json_body={"id": self.plan["id"], "type": "text"}),
                          400, "param", "fixed")
        self.assert_error(self.api("/api/fields/edit.json", json_body={"id": 999999, "label": "x"}),
                          404, "notfound")

    def test_values_are_validated_and_typed(self):
        self.make_fields()
        added = self.add(username="anna_k", fields={"plan": "pro", "spend": "1 200,50", "vip": "yes",
                                                     "langs": ["de", "EN"], "birthday": "31.12.1990"})
        c = added["contact"]
        self.assertEqual(c["fields"], {"plan": "Pro", "spend": 1200.5, "vip": True,
                                       "langs": ["EN", "DE"], "birthday": "1990-12-31"})
        for bad, mention in (({"plan": "Gold"}, "fields.plan"), ({"spend": -1}, "minimum"),
                             ({"spend": "lots"}, "fields.spend"), ({"vip": "maybe"}, "fields.vip"),
                             ({"birthday": "2025-02-30"}, "fields.birthday"),
                             ({"nope": 1}, "no custom field")):
            self.assert_error(self.api("/api/contacts/edit.json", json_body={"id": c["id"], "fields": bad}),
                              400, "param", mention)
        self.assertEqual(self.ok("/api/contacts/get.json", {"id": c["id"]})["fields"]["plan"], "Pro",
                         "a rejected edit changes nothing")
        # Form bodies carry values as fields[name]=value.
        edited = self.ok("/api/contacts/edit.json", method="POST",
                         form={"id": c["id"], "fields[plan]": "team", "fields[vip]": "false"})
        self.assertEqual(edited["fields"]["plan"], "Team")
        self.assertIs(edited["fields"]["vip"], False)
        cleared = self.ok("/api/contacts/edit.json", method="POST",
                          json_body={"id": c["id"], "fields": {"birthday": None}})
        self.assertNotIn("birthday", cleared["fields"])
        history = self.ok("/api/contacts/get.json", {"id": c["id"]})["history"]
        changes = [h["detail"].get("changes", {}) for h in history if h["kind"] == "updated"]
        self.assertIn(["Pro", "Team"], [ch.get("field:plan") for ch in changes])

    def test_required_fields(self):
        self.field(name="plan", type="dropdown", options=["Free", "Pro"], required=True)
        self.assert_error(self.api("/api/contacts/add.json", json_body={"username": "new_one"}),
                          400, "param", "plan")
        c = self.add(username="new_one", fields={"plan": "Free"})["contact"]
        self.assert_error(self.api("/api/contacts/edit.json", json_body={"id": c["id"], "fields": {"plan": ""}}),
                          400, "param", "required")
        # Campaign starts capture whoever comes: no form, no required fields.
        self.setup_bot_and_campaign()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-c1", int(time.time()) - 60))
        self.contact_of(ALINA["id"])

    def test_import_and_export_round_trip_custom_fields(self):
        self.make_fields()
        text = ("username,first_name,plan,spend,vip,langs,birthday\r\n"
                "anna_k,Anna,pro,120.5,yes,\"DE,EN\",1990-05-01\r\n"
                "boris_b,Boris,Gold,5,no,RU,\r\n"
                "carla_c,Carla,free,-3,no,,2024-02-30\r\n"
                "dmitry_v,Dmitry,,,,,\r\n")
        report = self.ok("/api/contacts/import.json", method="POST", json_body={"csv": text, "wait": True})
        self.assertEqual(report["created"], 2, report)
        reasons = " | ".join(e["reason"] for e in report["errors"])
        self.assertIn("Gold", reasons)
        self.assertIn("minimum", reasons)
        self.assertIn("not a date", reasons)
        # error_count counts rows: row 4 is wrong in two columns, each a line of its own
        self.assertEqual(report["error_count"], 2, report)
        self.assertEqual(len(report["errors"]), 3, report)
        self.assertEqual({e["column"] for e in report["errors"]}, {"plan", "spend", "birthday"})
        anna = self.contacts(q="anna_k")[0]
        self.assertEqual(anna["fields"], {"plan": "Pro", "spend": 120.5, "vip": True, "langs": ["EN", "DE"],
                                          "birthday": "1990-05-01"})
        self.assertEqual(self.contacts(q="dmitry_v")[0]["fields"], {})
        status, headers, body = self.raw("/api/contacts/export.csv")
        self.assertEqual(status, 200)
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
        exported = {r["username"]: r for r in rows}
        self.assertEqual(exported["anna_k"]["langs"], "EN,DE")
        self.assertEqual(exported["anna_k"]["spend"], "120.5")
        self.assertEqual(exported["dmitry_v"]["plan"], "")
        # The export imports back unchanged.
        again = self.ok("/api/contacts/import.json", method="POST",
                        json_body={"csv": body.decode("utf-8"), "wait": True})
        self.assertEqual(again["created"], 0, again)
        self.assertEqual(again["error_count"], 0, again)

    def test_segments_count_list_export(self):
        self.make_fields()
        self.add(username="anna_k", first_name="Anna", country="DE", tags=["vip"],
                 fields={"plan": "Pro", "spend": 500, "vip": True, "langs": ["DE"]})
        self.add(username="boris_b", first_name="Boris", country="RU", tags=["cold"],
                 fields={"plan": "Free", "spend": 0})
        self.add(username="carla_c", first_name="Carla", country="DE")
        rules = [{"field": "country", "op": "eq", "value": "de"},
                 {"field": "field:spend", "op": "gt", "value": 100}]
        self.assertEqual(self.preview(rules), 1)
        self.assertEqual(self.preview(rules[:1]), 2)
        seg = self.segment(name="German spenders", rules=rules, description="DE, spend > 100")
        self.assertEqual(seg["count"], 1)
        # country codes are stored upper-case, and so is the rule (the comparison stays exact)
        self.assertEqual(seg["rules"], [{"field": "country", "op": "eq", "value": "DE"},
                                        {"field": "field:spend", "op": "gt", "value": "100"}])
        members, total = self.ok_list("/api/segments/contacts.json", {"id": seg["id"]})
        self.assertEqual(total, 1)
        self.assertEqual(members[0]["username"], "anna_k")
        # Live: a new matching contact appears without touching the segment.
        self.add(username="dora_d", country="DE", fields={"spend": 101})
        self.assertEqual(self.ok("/api/segments/get.json", {"id": seg["id"]})["count"], 2)
        listed, total = self.ok_list("/api/contacts/list.json", {"segment": seg["id"], "q": "dora"})
        self.assertEqual(total, 1)
        status, headers, body = self.raw("/api/segments/export.csv", {"id": seg["id"]})
        self.assertEqual(status, 200)
        self.assertIn("attachment", headers.get("Content-Disposition", ""))
        names = sorted(r["username"] for r in csv.DictReader(io.StringIO(body.decode("utf-8"))))
        self.assertEqual(names, ["anna_k", "dora_d"])
        # Edit, deactivate, list filters.
        edited = self.ok("/api/segments/edit.json", method="POST",
                         json_body={"id": seg["id"], "rules": [{"field": "tag", "op": "has", "value": "VIP"}],
                                    "active": False})
        self.assertEqual(edited["count"], 1)
        self.assertFalse(edited["active"])
        self.assertEqual(self.ok_list("/api/segments/list.json", {"active": "true"})[1], 0)
        self.assertEqual(self.ok_list("/api/segments/list.json", {"active": "false"})[1], 1)
        self.assert_error(self.api("/api/segments/add.json", json_body={"name": "german SPENDERS"}), 409, "exists")
        # A field used by a segment cannot be deleted out from under it.
        self.ok("/api/segments/edit.json", method="POST",
                json_body={"id": seg["id"], "rules": [{"field": "field:plan", "op": "eq", "value": "pro"}]})
        self.assert_error(self.api("/api/fields/del.json", json_body={"id": self.plan["id"]}), 400, "param",
                          "German spenders")
        self.assertTrue(self.ok("/api/fields/del.json", method="POST", json_body={"id": self.vip["id"]}))
        self.assertTrue(self.ok("/api/segments/del.json", method="POST", json_body={"id": seg["id"]}))
        self.assert_error(self.api("/api/segments/get.json", {"id": seg["id"]}), 404, "notfound")

    def test_counts_follow_another_process_and_every_kind_of_write(self):
        # Counts come from the service's in-memory copy of the contacts; the CLI import writes the
        # same database from another process, and every count must still be exact.
        anna = self.add(username="anna_k", first_name="Anna", country="DE")["contact"]
        boris = self.add(username="boris_b", first_name="Boris", country="RU", tags=["vip"])["contact"]
        everyone, germans = [], [{"field": "country", "op": "eq", "value": "DE"}]
        vip_blocked = [{"field": "tag", "op": "has", "value": "vip"}, {"field": "status", "op": "eq", "value": "blocked"}]
        self.assertEqual((self.preview(everyone), self.preview(germans)), (2, 1))
        path = os.path.join(self.tmp, "more.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("username,first_name,country,tags\ncarla_c,Carla,DE,vip\ndora_d,Dora,FR,\nboris_b,Boris,DE,\n")
        self.run_cli("import", "contacts", path, "--user", self.EMAIL, "--db", self.db, "--quiet")
        self.assertEqual((self.preview(everyone), self.preview(germans)), (4, 3))
        # Dedup on usernames is the service's in-memory index: it must know what the CLI created.
        again = self.add(username="@CARLA_C", last_name="Again")
        self.assertFalse(again["created"])
        self.assertEqual(again["matched_on"], "username")
        self.assertEqual(self.preview(everyone), 4)
        listed, total = self.ok_list("/api/contacts/list.json", {"tag": "vip"})
        self.assertEqual(total, 2)
        self.ok("/api/contacts/edit.json", method="POST", json_body={"id": boris["id"], "status": "blocked"})
        self.assertEqual(self.preview(vip_blocked), 1)
        self.ok("/api/contacts/tag.json", method="POST", json_body={"id": boris["id"], "remove": ["vip"]})
        self.assertEqual(self.preview(vip_blocked), 0)
        self.ok("/api/contacts/merge.json", method="POST", json_body={"primary": anna["id"], "secondary": boris["id"]})
        self.assertEqual((self.preview(everyone), self.preview(germans)), (3, 2))
        carla = {c["username"]: c for c in self.contacts()}["carla_c"]
        self.ok("/api/contacts/del.json", method="POST", json_body={"id": carla["id"], "purge": True})
        self.assertEqual((self.preview(everyone), self.preview(germans)), (2, 1))
        self.assertEqual(self.ok_list("/api/contacts/list.json", {})[1], 2)

    def test_bad_rules_are_named(self):
        self.make_fields()
        for rules, mention in (([{"field": "nope", "op": "eq", "value": 1}], "unknown field"),
                               ([{"field": "first_name", "op": "gt", "value": "a"}], "operator"),
                               ([{"field": "field:plan", "op": "eq", "value": "Gold"}], "options"),
                               ([{"field": "created", "op": "last_days", "value": "soon"}], "days"),
                               ({"field": "x"}, "array")):
            self.assert_error(self.api("/api/segments/preview.json", json_body={"rules": rules}), 400, "param",
                              mention)
        self.assert_error(self.api("/api/segments/add.json", json_body={"name": "", "rules": []}), 400, "param")
        # A form body carries rules as JSON text.
        self.assertEqual(self.ok("/api/segments/preview.json", method="POST",
                                 form={"rules": '[{"field":"status","op":"eq","value":"active"}]'})["count"], 0)
        catalog, _ = self.ok_list("/api/segments/fields.json")
        by_field = {e["field"]: e for e in catalog}
        self.assertEqual(by_field["field:plan"]["values"], ["Free", "Pro", "Team"])
        self.assertIn("last_days", by_field["created"]["ops"])

    def test_lead_status_rules_follow_real_traffic(self):
        camp = self.setup_bot_and_campaign()
        t0 = int(time.time()) - 600
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a", t0))
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-d", t0 + 1))
        self.find_lead(ALINA["id"])
        self.find_lead(DMITRY["id"])
        seg = self.segment(name="Waiting", rules=[{"field": "lead_status", "op": "eq", "value": "wait",
                                                    "campaign": camp["id"]}])
        self.assertEqual(seg["count"], 2)
        self.assertEqual(self.preview([{"field": "lead_status", "op": "eq", "value": "approve"}]), 0)
        self.assertEqual(self.preview([{"field": "source", "op": "eq", "value": "campaign"},
                                       {"field": "username", "op": "eq", "value": "@alina_k"}]), 1)

    def test_other_workspace_sees_nothing(self):
        self.make_fields()
        seg = self.segment(name="Mine", rules=[])
        self.add(username="anna_k", fields={"plan": "Pro"})
        other = self.add_user("other@example.com")
        self.assertEqual(self.ok("/api/fields/list.json", key=other), [])
        self.assertEqual(self.ok("/api/segments/list.json", key=other), [])
        for path, body in (("/api/segments/get.json", {"id": seg["id"]}),
                           ("/api/segments/contacts.json", {"id": seg["id"]}),
                           ("/api/segments/export.csv", {"id": seg["id"]}),
                           ("/api/segments/edit.json", {"id": seg["id"], "name": "x"}),
                           ("/api/segments/del.json", {"id": seg["id"]}),
                           ("/api/fields/edit.json", {"id": self.plan["id"], "label": "x"}),
                           ("/api/fields/del.json", {"id": self.plan["id"]}),
                           ("/api/contacts/list.json", {"segment": seg["id"]})):
            self.assert_error(self.api(path, json_body=body, key=other), 404, "notfound")
        self.assert_error(self.api("/api/contacts/add.json", json_body={"username": "x_person",
                                                                         "fields": {"plan": "Pro"}}, key=other),
                          400, "param", "no custom field")
        self.assertEqual(self.preview([{"field": "first_name", "op": "empty"}]), 1)
        self.assertEqual(self.ok("/api/segments/preview.json", method="POST", key=other,
                                 json_body={"rules": []})["count"], 0)
