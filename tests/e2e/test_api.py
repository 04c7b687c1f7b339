"""User API §6.3: envelope, auth, params, leads, export, journal, profile."""

import csv
import io
import json
import time

from harness import (BOT_ID, CHANNEL, SUPERGROUP, OWNER, ALINA, MARCO, DMITRY, ZERO_DATE,
                     DATE_RE, TgleadTestCase, start, chat_member, fmt, user)

LEAD_FIELDS = ("id", "campaign", "subscriber", "username", "click", "status", "start_time",
               "join_time", "leave_time", "updated")


class AuthAndEnvelopeTest(TgleadTestCase):

    def test_ok_envelope(self):
        st, js = self.api("/api/bots/list.json")
        self.assertEqual(st, 200)
        self.assertEqual(js, {"status": "ok", "data": [], "total": 0})

    def test_missing_key(self):
        for path in ("/api/leads/list.json", "/api/profile/get.json", "/api/bots/list.json"):
            self.assert_error(self.api(path, key=""), 401, "auth")

    def test_wrong_key_bearer_and_query(self):
        self.assert_error(self.api("/api/leads/list.json", key="nope"), 401, "auth")
        self.assert_error(self.api("/api/leads/list.json", key="nope", auth="query"), 401,
                          "auth")
        self.assert_error(self.api("/api/bots/add.json", form={"token": "1:x"}, key="nope"),
                          401, "auth")

    def test_query_key_works(self):
        st, js = self.api("/api/profile/get.json", auth="query")
        self.assertEqual(st, 200, js)
        self.assertEqual(js["data"]["email"], self.EMAIL)

    def test_param_errors_name_the_parameter(self):
        self.add_bot()
        self.assert_error(self.api("/api/leads/list.json", {"limit": "abc"}), 400, "param",
                          "limit")
        self.assert_error(self.api("/api/leads/list.json", {"offset": "-x"}), 400, "param",
                          "offset")
        self.assert_error(self.api("/api/leads/list.json", {"status": "9"}), 400, "param",
                          "status")
        self.assert_error(self.api("/api/leads/list.json", {"from": "yesterday"}), 400,
                          "param", "from")
        self.assert_error(self.api("/api/journal/list.json", {"chat": CHANNEL["id"]}), 400,
                          "param", "bot")
        self.assert_error(self.api("/api/journal/list.json", {"bot": BOT_ID}), 400, "param",
                          "chat")
        self.assert_error(self.api("/api/journal/list.json",
                                   {"bot": BOT_ID, "chat": CHANNEL["id"], "action": "dance"}),
                          400, "param", "action")


class LeadsListTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.camp = self.setup_bot_and_campaign()
        self.now = int(time.time())

    def test_fields_dates_and_order(self):
        t = self.now - 3 * 3600
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a", t - 300))
        self.send(start(self.next_uid(), MARCO, "/start CAMP42-m", t - 100))
        self.send(start(self.next_uid(), DMITRY, "/start CAMP42-d", t - 200))
        self.send(chat_member(self.next_uid(), CHANNEL, DMITRY, "left", "member", t - 50))
        self.find_lead(DMITRY["id"], status=2)
        self.find_lead(MARCO["id"])
        self.find_lead(ALINA["id"])
        data, total = self.ok_list("/api/leads/list.json")
        self.assertEqual(total, 3)
        self.assertEqual([str(l["subscriber"]) for l in data],
                         [str(MARCO["id"]), str(DMITRY["id"]), str(ALINA["id"])])
        for l in data:
            for f in LEAD_FIELDS:
                self.assertIn(f, l)
            for f in ("start_time", "join_time", "leave_time", "updated"):
                self.assertRegex(l[f], DATE_RE)
            self.assertIsInstance(l["status"], int)
        m = data[0]
        self.assertEqual(m["start_time"], fmt(t - 100))
        self.assertEqual(m["join_time"], ZERO_DATE)
        self.assertEqual(m["leave_time"], ZERO_DATE)
        self.assertEqual(m["username"] or "", "")
        self.assertEqual(m["click"], "m")
        d = data[1]
        self.assertEqual(d["status"], 2)
        self.assertEqual(d["join_time"], fmt(t - 50))
        self.assertEqual(d["username"], "dmitry_v")
        self.assertEqual(str(d["subscriber"]), "6702145590")

    def test_filters(self):
        t = self.now - 3 * 3600
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a", t))
        self.send(start(self.next_uid(), MARCO, "/start CAMP42-m", t + 100))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", t + 200))
        self.find_lead(ALINA["id"], status=2)
        self.find_lead(MARCO["id"])
        data, total = self.ok_list("/api/leads/list.json", {"status": 2})
        self.assertEqual((total, [str(l["subscriber"]) for l in data]), (1, [str(ALINA["id"])]))
        data, total = self.ok_list("/api/leads/list.json", {"status": 0})
        self.assertEqual(total, 1)
        data, total = self.ok_list("/api/leads/list.json", {"from": t + 100, "to": t + 100})
        self.assertEqual((total, [str(l["subscriber"]) for l in data]), (1, [str(MARCO["id"])]))
        data, total = self.ok_list("/api/leads/list.json", {"from": t, "to": t + 99})
        self.assertEqual((total, [str(l["subscriber"]) for l in data]), (1, [str(ALINA["id"])]))
        data, total = self.ok_list("/api/leads/list.json", {"campaign": self.camp["id"]})
        self.assertEqual(total, 2)
        self.promote(SUPERGROUP)
        c2 = self.add_campaign(chat=SUPERGROUP["id"], code="EMPTY")
        data, total = self.ok_list("/api/leads/list.json", {"campaign": c2["id"]})
        self.assertEqual((data, total), ([], 0))

    def test_paging_default_max_and_offset(self):
        base = self.now - 7200
        n = 205
        for i in range(n):
            u = user(8000000000 + i, "U%d" % i)
            self.send(start(self.next_uid(), u, "/start CAMP42-p%d" % i, base + i))
        self.eventually(lambda: self.assertEqual(
            self.ok_list("/api/leads/list.json", {"limit": 1})[1], n), timeout=10)
        data, total = self.ok_list("/api/leads/list.json")
        self.assertEqual((len(data), total), (50, n))
        self.assertEqual(str(data[0]["subscriber"]), str(8000000000 + n - 1))
        data, total = self.ok_list("/api/leads/list.json", {"limit": 1000})
        self.assertEqual((len(data), total), (200, n))
        data, total = self.ok_list("/api/leads/list.json", {"limit": 200, "offset": 200})
        self.assertEqual((len(data), total), (5, n))
        self.assertEqual(str(data[-1]["subscriber"]), "8000000000")
        data, total = self.ok_list("/api/leads/list.json", {"limit": 10, "offset": 10})
        self.assertEqual([str(l["subscriber"]) for l in data],
                         [str(8000000000 + n - 11 - i) for i in range(10)])

    def test_export_csv(self):
        t = self.now - 3 * 3600
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a_1-x", t))
        self.send(start(self.next_uid(), MARCO, "/start CAMP42", t + 10))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", t + 20))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left", t + 30))
        self.find_lead(ALINA["id"], status=3)
        self.find_lead(MARCO["id"])
        st, headers, body = self.raw("/api/leads/export.csv")
        self.assertEqual(st, 200)
        ctype = {k.lower(): v for k, v in headers.items()}.get("content-type", "")
        self.assertIn("text/csv", ctype)
        text = body.decode("utf-8")
        self.assertTrue(text.startswith(
            "id,campaign,campaign_code,subscriber,username,click,status,start_time,join_time,"
            "leave_time\r\n") or text.startswith(
            "id,campaign,campaign_code,subscriber,username,click,status,start_time,join_time,"
            "leave_time\n"), text[:200])
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        self.assertEqual(len(rows), 2)
        by = {r["subscriber"]: r for r in rows}
        a = by[str(ALINA["id"])]
        self.assertEqual(a["campaign"], str(self.camp["id"]))
        self.assertEqual(a["campaign_code"], "CAMP42")
        self.assertEqual(a["username"], "alina_k")
        self.assertEqual(a["click"], "a_1-x")
        self.assertEqual(a["status"], "cancel")
        self.assertEqual(a["start_time"], fmt(t))
        self.assertEqual(a["join_time"], fmt(t + 20))
        self.assertEqual(a["leave_time"], fmt(t + 30))
        m = by[str(MARCO["id"])]
        self.assertEqual(m["status"], "wait")
        self.assertEqual(m["click"], "")
        self.assertEqual(m["join_time"], ZERO_DATE)
        # filters apply, no paging
        st, _, body = self.raw("/api/leads/export.csv", {"status": 0, "limit": 1})
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))
        self.assertEqual([r["subscriber"] for r in rows], [str(MARCO["id"])])

    def test_export_csv_quoting(self):
        t = self.now - 3600
        u = user(7100000001, first_name="Comma, \"quoted\"")
        self.send(start(self.next_uid(), u, "/start CAMP42-q", t))
        self.find_lead(u["id"])
        st, _, body = self.raw("/api/leads/export.csv")
        self.assertEqual(st, 200)
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        self.assertEqual(len(rows), 2)
        self.assertTrue(all(len(r) == 10 for r in rows), rows)

    def test_export_requires_auth(self):
        st, _, body = self.raw("/api/leads/export.csv", key="")
        self.assertEqual(st, 401)
        self.assertEqual(json.loads(body)["error"], "auth")


class JournalTest(TgleadTestCase):

    def test_journal_fields_order_filter(self):
        self.setup_bot_and_campaign()
        t = int(time.time()) - 3 * 3600
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-j", t))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", t + 10))
        self.send(chat_member(self.next_uid(), CHANNEL, MARCO, "left", "member", t + 20))
        self.send(chat_member(self.next_uid(), CHANNEL, MARCO, "member", "kicked", t + 30,
                              from_user=OWNER))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left", t + 40))
        rows = self.wait_journal(4)
        data, total = self.ok_list("/api/journal/list.json",
                                   {"bot": BOT_ID, "chat": CHANNEL["id"]})
        self.assertEqual(total, 4)
        for r in data:
            for f in ("id", "subscriber", "username", "action", "paid", "time"):
                self.assertIn(f, r)
        self.assertEqual([(r["action"], r["paid"], r["time"]) for r in data],
                         [("leave", 1, fmt(t + 40)), ("ban", 0, fmt(t + 30)),
                          ("join", 0, fmt(t + 20)), ("join", 1, fmt(t + 10))])
        self.assertEqual(data[0]["username"], "alina_k")
        data, total = self.ok_list("/api/journal/list.json",
                                   {"bot": BOT_ID, "chat": CHANNEL["id"], "action": "join"})
        self.assertEqual(total, 2)
        self.assertEqual([r["action"] for r in data], ["join", "join"])
        data, total = self.ok_list("/api/journal/list.json",
                                   {"bot": BOT_ID, "chat": CHANNEL["id"], "limit": 1,
                                    "offset": 1})
        self.assertEqual((total, len(data), data[0]["action"]), (4, 1, "ban"))
        data, total = self.ok_list("/api/journal/list.json",
                                   {"bot": BOT_ID, "chat": CHANNEL["id"], "from": t + 15,
                                    "to": t + 30})
        self.assertEqual([r["time"] for r in data], [fmt(t + 30), fmt(t + 20)])

    def test_journal_other_users_bot_notfound(self):
        self.assert_error(self.api("/api/journal/list.json", {"bot": 31337, "chat": -100}),
                          404, "notfound")


class ProfileTest(TgleadTestCase):

    def test_profile_get(self):
        p = self.ok("/api/profile/get.json")
        for f in ("id", "email", "plan", "paid_until", "postbacks", "transfer_token",
                  "telegram_id"):
            self.assertIn(f, p)
        self.assertEqual(p["email"], self.EMAIL)
        self.assertEqual(p["plan"], "tiger")
        self.assertRegex(p["paid_until"], DATE_RE)
        paid = time.mktime(time.strptime(p["paid_until"], "%Y-%m-%d %H:%M:%S")) - time.timezone
        self.assertAlmostEqual(paid, time.time() + 30 * 86400, delta=2 * 86400)
        self.assertEqual(sorted(p["postbacks"]), sorted(["wait", "hold", "approve", "cancel",
                                                         "trash"]))
        self.assertEqual(set(p["postbacks"].values()), {""})
        self.assertTrue(p["transfer_token"])
        self.assertNotEqual(p["transfer_token"], self.key)

    def test_profile_edit(self):
        pbs = {"wait": "https://tracker.example.com/pb?c={click}&s=wait", "hold": "",
               "approve": "https://tracker.example.com/pb?c={click}&s=ok", "cancel": "",
               "trash": ""}
        p = self.ok("/api/profile/edit.json", method="POST",
                    json_body={"postbacks": pbs, "telegram_id": 287654193})
        self.assertEqual(p["postbacks"], pbs)
        self.assertEqual(str(p["telegram_id"]), "287654193")
        self.assertEqual(self.ok("/api/profile/get.json")["postbacks"], pbs)

    def test_profile_edit_form_style(self):
        p = self.ok("/api/profile/edit.json", method="POST",
                    form={"postbacks[wait]": "https://t.example.com/w?c={click}"})
        self.assertEqual(p["postbacks"]["wait"], "https://t.example.com/w?c={click}")

    def test_regenerate_key(self):
        old = self.key
        data = self.ok("/api/profile/key.json", method="POST")
        new = data["key"]
        self.assertTrue(new)
        self.assertNotEqual(new, old)
        self.assert_error(self.api("/api/profile/get.json", key=old), 401, "auth")
        self.assert_error(self.api("/api/profile/get.json", key=old, auth="query"), 401, "auth")
        st, js = self.api("/api/profile/get.json", key=new)
        self.assertEqual(st, 200, js)
