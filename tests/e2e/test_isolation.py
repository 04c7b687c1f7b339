"""Tenant isolation: account A probes every endpoint of docs/api.md with account B's ids.

Each probe must answer `notfound` (or `access`), must not change B's data, and nothing of B may
appear in any of A's lists, exports or stats.
"""

import json
import time
import unittest

from harness import (BOT_ID, BOT_TOKEN, CHANNEL, SUPERGROUP, ALINA, MARCO, TgleadTestCase,
                     chat_member, my_chat_member, start, join_request)

B_BOT_ID = 6123456789
B_BOT_TOKEN = "%d:BBsecondAccountToken_x" % B_BOT_ID
B_CHANNEL = {"id": -1001122334455, "title": "Account B Channel", "type": "channel"}
B_SUB = {"id": 7700000001, "is_bot": False, "first_name": "Bsub", "username": "b_sub_only"}


class TenantIsolationTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(self.stop_server)   # also when the rest of setUp fails
        t0 = int(time.time()) - 3600
        # --- account A: bot, channel, campaign, one lead with postbacks ----------------
        self.a_camp = self.setup_bot_and_campaign(code="ACAMP")
        self.send(start(self.next_uid(), ALINA, "/start ACAMP-aclick", t0))
        self.a_lead = self.find_lead(ALINA["id"])
        # --- account B: its own bot, channel, campaign, lead, journal, notice ---------
        self.b_key = self.add_user("other@example.com")
        self.botapi.set_username(B_BOT_ID, "b_account_bot", "BBot")
        b_bot = self.ok("/api/bots/add.json", form={"token": B_BOT_TOKEN}, method="POST",
                        key=self.b_key)
        self.assertEqual(str(b_bot["id"]), str(B_BOT_ID))
        self.send(my_chat_member(self.next_uid(), B_CHANNEL, "left", "administrator",
                                 date=t0 - 86400, bot_id=B_BOT_ID), B_BOT_ID)
        self.send(my_chat_member(self.next_uid(), SUPERGROUP, "left", "administrator",
                                 date=t0 - 86400, bot_id=B_BOT_ID), B_BOT_ID)
        # demoted in the supergroup -> a notice for B
        self.send(my_chat_member(self.next_uid(), SUPERGROUP, "administrator", "left",
                                 date=t0 - 80000, bot_id=B_BOT_ID), B_BOT_ID)
        body = {"bot": B_BOT_ID, "chat": B_CHANNEL["id"], "code": "BCAMP", "name": "B camp",
                "postbacks": self.all_templates(),
                "welcome": {"text": "B welcome", "image": "", "buttons": [], "join_button": ""}}
        self.b_camp = self.ok("/api/campaigns/add.json", json_body=body, method="POST",
                              key=self.b_key)
        self.send(start(self.next_uid(), B_SUB, "/start BCAMP-bclick", t0 + 10), B_BOT_ID)
        self.send(join_request(self.next_uid(), B_CHANNEL, B_SUB, t0 + 20), B_BOT_ID)
        self.send(chat_member(self.next_uid(), B_CHANNEL, B_SUB, "left", "member", t0 + 30,
                              via_join_request=True), B_BOT_ID)
        self.b_lead = self.eventually(self._b_lead_approved)
        notices = self.ok("/api/notices/list.json", key=self.b_key)
        self.assertTrue(notices, "B should have a notice after its bot was demoted")
        self.b_notice = notices[0]
        self.wait_hits(4)   # A: wait; B: wait, hold, approve

    def _b_lead_approved(self):
        data = self.ok("/api/leads/list.json", key=self.b_key)
        self.assertEqual(len(data), 1)
        self.assertEqual(data[0]["status"], 2)   # approve
        return data[0]

    # ---- helpers ----------------------------------------------------------------------
    def assert_hidden(self, path, params=None, method="GET", json_body=None, form=None):
        """A's call with B's ids answers notfound (or access) with the error envelope."""
        res = self.api(path, params, method, json_body, form=form)
        status, js = res
        self.assertIn(status, (403, 404), "%s %r -> %s %r (expected notfound/access)"
                      % (path, params or json_body or form, status, js))
        self.assertIsInstance(js, dict)
        self.assertEqual(js.get("status"), "error", js)
        self.assertIn(js.get("error"), ("notfound", "access"), js)
        # the message must not leak B's data
        msg = js.get("message", "")
        for secret in ("BCAMP", "b_account_bot", "b_sub_only", "Account B", "other@example.com"):
            self.assertNotIn(secret, msg, "%s leaks %r: %r" % (path, secret, msg))
        return js

    def assert_b_untouched(self):
        camps = self.ok("/api/campaigns/list.json", key=self.b_key)
        mine = [c for c in camps if str(c["id"]) == str(self.b_camp["id"])]
        self.assertEqual(len(mine), 1, camps)
        c = mine[0]
        self.assertEqual(c["code"], "BCAMP")
        self.assertEqual(c["name"], "B camp")
        self.assertEqual(c["status"], self.b_camp["status"])
        bots = self.ok("/api/bots/list.json", key=self.b_key)
        self.assertEqual([str(b["id"]) for b in bots], [str(B_BOT_ID)])
        self.assertNotEqual(bots[0]["status"], 3, "B's bot was deleted")
        leads = self.ok("/api/leads/list.json", key=self.b_key)
        self.assertEqual(len(leads), 1)
        self.assertEqual(leads[0]["status"], 2)   # approve

    def _a_texts(self):
        """Everything A can list, concatenated."""
        out = []
        for path, params in (("/api/leads/list.json", {"limit": 200}),
                             ("/api/campaigns/list.json", None),
                             ("/api/campaigns/list.json", {"status": "paused"}),
                             ("/api/bots/list.json", None),
                             ("/api/bots/chats.json", {"bot": BOT_ID}),
                             ("/api/notices/list.json", None),
                             ("/api/profile/get.json", None),
                             ("/api/journal/list.json", {"bot": BOT_ID, "chat": CHANNEL["id"]}),
                             ("/api/leads/postbacks.json", {"lead": self.a_lead["id"]}),
                             ("/api/stats/summary.json", None),
                             ("/api/stats/series.json", None)):
            st, _, body = self.raw(path, params)
            self.assertEqual(st, 200, "%s -> %s %r" % (path, st, body[:300]))
            out.append(body.decode("utf-8"))
        st, _, body = self.raw("/api/leads/export.csv")
        self.assertEqual(st, 200)
        out.append(body.decode("utf-8"))
        return "\n".join(out)

    # ---- lists show nothing of B -------------------------------------------------------
    def test_lists_show_nothing_of_the_other_account(self):
        text = self._a_texts()
        for needle in ("BCAMP", "B camp", "b_account_bot", str(B_BOT_ID), str(B_SUB["id"]),
                       "b_sub_only", "bclick", str(B_CHANNEL["id"]), "Account B",
                       self.b_notice["text"]):
            self.assertNotIn(needle, text, "A sees B's %r" % needle)
        summary = self.ok("/api/stats/summary.json")
        self.assertEqual(summary["starts"], 1, summary)     # only A's lead
        self.assertEqual(summary["confirms"], 0, summary)
        self.assertEqual(summary["holds"], 0, summary)
        series = self.ok("/api/stats/series.json")
        self.assertEqual(sum(d["confirms"] for d in series), 0, series)
        self.assertEqual(sum(d["starts"] for d in series), 1, series)
        # and the other way round
        st, _, body = self.raw("/api/leads/export.csv", key=self.b_key)
        self.assertEqual(st, 200)
        self.assertNotIn("aclick", body.decode())
        self.assertNotIn(str(ALINA["id"]), body.decode())

    # ---- every id-taking endpoint ------------------------------------------------------
    def test_leads_endpoints(self):
        self.assert_hidden("/api/leads/list.json", {"campaign": self.b_camp["id"]})
        self.assert_hidden("/api/leads/export.csv", {"campaign": self.b_camp["id"]})
        self.assert_hidden("/api/leads/postbacks.json", {"lead": self.b_lead["id"]})
        # the error for someone else's id is the same as for an id that does not exist
        other = self.api("/api/leads/postbacks.json", {"lead": self.b_lead["id"]})
        missing = self.api("/api/leads/postbacks.json", {"lead": 987654321})
        self.assertEqual(other[0], missing[0])
        self.assertEqual(other[1]["error"], missing[1]["error"])

    def test_journal(self):
        self.assert_hidden("/api/journal/list.json", {"bot": B_BOT_ID, "chat": B_CHANNEL["id"]})
        # A's own bot with B's chat: a valid request, but nothing of B's chat in it
        st, js = self.api("/api/journal/list.json", {"bot": BOT_ID, "chat": B_CHANNEL["id"]})
        if st == 200:
            self.assertEqual(js["data"], [], js)
        else:
            self.assertIn(js.get("error"), ("notfound", "access", "param"), js)

    def test_stats_campaign_filter(self):
        self.assert_hidden("/api/stats/summary.json", {"campaign": self.b_camp["id"]})
        self.assert_hidden("/api/stats/series.json", {"campaign": self.b_camp["id"]})

    def test_bots_endpoints(self):
        self.assert_hidden("/api/bots/chats.json", {"bot": B_BOT_ID})
        self.assert_hidden("/api/bots/del.json", method="POST", form={"id": B_BOT_ID})
        # connecting B's bot token from A must not take it over
        st, js = self.api("/api/bots/add.json", method="POST", form={"token": B_BOT_TOKEN})
        self.assertNotEqual(st, 200, js)
        self.assertEqual(js.get("status"), "error", js)
        self.assert_b_untouched()
        # B's bot keeps working for B
        self.send(start(self.next_uid(), MARCO, "/start BCAMP-m2", int(time.time()) - 60),
                  B_BOT_ID)
        self.eventually(lambda: self.assertEqual(
            len(self.ok("/api/leads/list.json", key=self.b_key)), 2))

    def test_campaign_endpoints(self):
        cid = self.b_camp["id"]
        self.assert_hidden("/api/campaigns/edit.json", method="POST",
                           json_body={"id": cid, "name": "hijacked"})
        self.assert_hidden("/api/campaigns/edit.json", method="POST",
                           json_body={"id": cid, "postbacks": {"wait": self.tpl("wait")}})
        self.assert_hidden("/api/campaigns/pause.json", method="POST", form={"id": cid})
        self.assert_hidden("/api/campaigns/resume.json", method="POST", form={"id": cid})
        self.assert_hidden("/api/campaigns/del.json", method="POST", form={"id": cid})
        self.assert_b_untouched()

    def test_campaign_add_with_other_accounts_bot_or_chat(self):
        # B's bot
        st, js = self.api("/api/campaigns/add.json", method="POST",
                          json_body={"bot": B_BOT_ID, "chat": B_CHANNEL["id"], "code": "STEAL"})
        self.assertIn(st, (400, 403, 404), js)
        self.assertIn(js.get("error"), ("notfound", "access", "param"), js)
        # A's bot, B's chat (A's bot was never promoted there)
        st, js = self.api("/api/campaigns/add.json", method="POST",
                          json_body={"bot": BOT_ID, "chat": B_CHANNEL["id"], "code": "STEAL2"})
        self.assertIn(st, (400, 403, 404), js)
        self.assertIn(js.get("error"), ("notfound", "access", "param"), js)
        codes = [c["code"] for c in self.ok("/api/campaigns/list.json")]
        self.assertNotIn("STEAL", codes)
        self.assertNotIn("STEAL2", codes)
        # editing A's campaign onto B's bot
        st, js = self.api("/api/campaigns/edit.json", method="POST",
                          json_body={"id": self.a_camp["id"], "bot": B_BOT_ID})
        if st == 200:   # if `bot` is not editable it must be ignored, not applied
            c = self.campaign_by_id(self.a_camp["id"])
            self.assertEqual(str(c["bot"]), str(BOT_ID), c)
        else:
            self.assertIn(js.get("error"), ("notfound", "access", "param"), js)

    def test_transfer_with_other_accounts_ids(self):
        prof_b = self.ok("/api/profile/get.json", key=self.b_key)
        token_a = self.ok("/api/profile/get.json").get("transfer_token")
        if token_a is None and prof_b.get("transfer_token") is None:
            self.skipTest("profile exposes no transfer token")
        # A tries to hand B's campaign / bot to A's own... or any account: notfound
        to = prof_b.get("transfer_token")
        self.assert_hidden("/api/transfer/send.json", method="POST",
                           form={"to": to, "campaign": self.b_camp["id"]})
        self.assert_hidden("/api/transfer/send.json", method="POST",
                           form={"to": to, "bot": B_BOT_ID})
        self.assert_b_untouched()

    def test_notice_dismiss_other_account(self):
        nid = self.b_notice["id"]
        self.assert_hidden("/api/notices/dismiss.json", method="POST", form={"id": nid})

    def test_notice_dismiss_other_account_has_no_effect(self):
        nid = self.b_notice["id"]
        self.api("/api/notices/dismiss.json", method="POST", form={"id": nid})
        ids = [n["id"] for n in self.ok("/api/notices/list.json", key=self.b_key)]
        self.assertIn(nid, ids, "A dismissed B's notice")

    def test_webhook_with_other_accounts_secret(self):
        u = start(self.next_uid(), MARCO, "/start ACAMP-x", int(time.time()) - 60)
        self.assertEqual(self.post_update(BOT_ID, u, secret=self.botapi.webhook_secret(B_BOT_ID)),
                         401)
        u = start(self.next_uid(), MARCO, "/start BCAMP-x", int(time.time()) - 60)
        self.assertEqual(self.post_update(B_BOT_ID, u, secret=self.botapi.webhook_secret(BOT_ID)),
                         401)
        # A's bot with B's campaign code: no lead anywhere
        self.send(start(self.next_uid(), MARCO, "/start BCAMP-cross", int(time.time()) - 60))
        self.quiet()
        self.assertEqual([l["subscriber"] for l in self.leads()
                          if str(l["subscriber"]) == str(MARCO["id"])], [])
        self.assertEqual(len(self.ok("/api/leads/list.json", key=self.b_key)), 1)


if __name__ == "__main__":
    unittest.main()


class CrmIsolationTest(TgleadTestCase):
    """The CRM endpoints (contacts, tags, custom fields, segments, imports, crawls) with the
    other account's ids: notfound, nothing of B leaks or changes, and A's lists stay empty."""

    SECRETS = ("b_secret_handle", "Bsecret", "b-tag-secret", "b_field_secret", "B secret segment",
               "B Secret Group", "other@example.com")

    def setUp(self):
        super().setUp()
        self.addCleanup(self.stop_server)
        self.b_key = self.add_user("other@example.com")
        b = lambda path, body: self.ok(path, method="POST", json_body=body, key=self.b_key)
        self.b_field = b("/api/fields/add.json", {"name": "b_field_secret", "label": "B field",
                                                   "type": "text"})
        self.b_contact = b("/api/contacts/add.json", {
            "username": "b_secret_handle", "first_name": "Bsecret", "telegram_id": 7700000001,
            "tags": ["b-tag-secret"], "fields": {"b_field_secret": "hidden"}})["contact"]
        self.b_tag = [t for t in self.ok("/api/tags/list.json", key=self.b_key)
                      if t["name"] == "b-tag-secret"][0]
        self.b_segment = b("/api/segments/add.json", {
            "name": "B secret segment", "rules": [{"field": "tag", "op": "has", "value": "b-tag-secret"}]})
        self.b_import = b("/api/contacts/import.json", {
            "csv": "username,first_name\nb_imported_one,Bsecret\n", "wait": True})
        export = {"name": "B Secret Group", "type": "private_supergroup", "id": 55,
                  "messages": [{"id": 1, "type": "message", "from": "Bsecret",
                                "from_id": "user7700000002", "text": "hi"}]}
        self.b_crawl = b("/api/crawl/import.json", {"export": json.dumps(export)})
        # A has a contact of its own, so a merge has a primary to offer
        self.a_contact = self.ok("/api/contacts/add.json", method="POST",
                                 json_body={"username": "a_own_handle"})["contact"]

    def assert_hidden(self, path, params=None, method="GET", json_body=None):
        status, js = self.api(path, params, method, json_body)
        self.assertIn(status, (403, 404), "%s %r -> %s %r" % (path, params or json_body, status, js))
        self.assertIn(js.get("error"), ("notfound", "access"), js)
        for secret in self.SECRETS:
            self.assertNotIn(secret, js.get("message", ""), "%s leaks %r" % (path, secret))

    def test_every_crm_endpoint_with_the_other_accounts_ids(self):
        cid, tid = self.b_contact["id"], self.b_tag["id"]
        fid, sid = self.b_field["id"], self.b_segment["id"]
        iid, crawl = self.b_import["id"], self.b_crawl["crawl"]
        post = "POST"
        self.assert_hidden("/api/contacts/get.json", {"id": cid})
        self.assert_hidden("/api/contacts/edit.json", method=post, json_body={"id": cid, "first_name": "Mine"})
        self.assert_hidden("/api/contacts/tag.json", method=post, json_body={"id": cid, "add": ["x"]})
        self.assert_hidden("/api/contacts/merge.json", method=post,
                           json_body={"primary": self.a_contact["id"], "secondary": cid})
        self.assert_hidden("/api/contacts/merge.json", method=post,
                           json_body={"primary": cid, "secondary": self.a_contact["id"]})
        self.assert_hidden("/api/contacts/del.json", method=post, json_body={"id": cid, "purge": True})
        self.assert_hidden("/api/contacts/list.json", {"segment": sid})
        self.assert_hidden("/api/contacts/export.csv", {"segment": sid})
        self.assert_hidden("/api/tags/edit.json", method=post, json_body={"id": tid, "name": "Mine"})
        self.assert_hidden("/api/tags/del.json", method=post, json_body={"id": tid})
        self.assert_hidden("/api/fields/edit.json", method=post, json_body={"id": fid, "label": "Mine"})
        self.assert_hidden("/api/fields/del.json", method=post, json_body={"id": fid})
        self.assert_hidden("/api/segments/get.json", {"id": sid})
        self.assert_hidden("/api/segments/contacts.json", {"id": sid})
        self.assert_hidden("/api/segments/export.csv", {"id": sid})
        self.assert_hidden("/api/segments/edit.json", method=post, json_body={"id": sid, "name": "Mine"})
        self.assert_hidden("/api/segments/del.json", method=post, json_body={"id": sid})
        self.assert_hidden("/api/contacts/imports/get.json", {"id": iid})
        self.assert_hidden("/api/contacts/imports/errors.csv", {"id": iid})
        self.assert_hidden("/api/contacts/imports/revert.json", method=post, json_body={"id": iid})
        self.assert_hidden("/api/crawl/get.json", {"id": crawl})
        self.assert_hidden("/api/crawl/members.json", {"id": crawl})
        self.assert_hidden("/api/crawl/stop.json", method=post, json_body={"id": crawl})

        # B's data is as it was
        mine = self.ok("/api/contacts/get.json", {"id": cid}, key=self.b_key)
        self.assertEqual((mine["first_name"], mine["tags"], mine["status"]), ("Bsecret", ["b-tag-secret"], "active"))
        self.assertEqual(mine["fields"], {"b_field_secret": "hidden"})
        self.assertEqual(self.ok("/api/segments/get.json", {"id": sid}, key=self.b_key)["count"], 1)
        self.assertEqual(self.ok("/api/contacts/imports/get.json", {"id": iid}, key=self.b_key)["state"], "done")
        self.assertEqual([f["name"] for f in self.ok("/api/fields/list.json", key=self.b_key)],
                         ["b_field_secret"])
        self.assertEqual([t["name"] for t in self.ok("/api/tags/list.json", key=self.b_key)], ["b-tag-secret"])

        # and nothing of it shows on A's side
        for path in ("/api/contacts/list.json", "/api/tags/list.json", "/api/fields/list.json",
                     "/api/segments/list.json", "/api/contacts/imports.json", "/api/crawl/list.json"):
            status, js = self.api(path)
            self.assertEqual(status, 200, js)
            text = json.dumps(js)
            for secret in self.SECRETS:
                self.assertNotIn(secret, text, "%s shows %r" % (path, secret))
        status, _, body = self.raw("/api/contacts/export.csv")
        self.assertEqual(status, 200)
        self.assertNotIn(b"b_secret_handle", body)
        # A's own tag of the same name is A's, not B's
        mine = self.ok("/api/tags/add.json", method="POST", json_body={"name": "b-tag-secret"})
        self.assertNotEqual(mine["id"], tid)
