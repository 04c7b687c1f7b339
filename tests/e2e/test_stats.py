"""Statistics §6.3: summary and series."""

import time

from harness import (BOT_ID, CHANNEL, SUPERGROUP, OWNER, ALINA, MARCO, DMITRY, TgleadTestCase,
                     start, chat_member, join_request, user)

SUMMARY_FIELDS = ("starts", "holds", "confirms", "cancels", "trashes", "cr", "organic_joins",
                  "organic_leaves")
SERIES_FIELDS = ("date", "starts", "confirms", "cancels", "trashes", "organic")


def day_start(ts):
    return ts - ts % 86400


def ymd(ts):
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


class StatsTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        now = int(time.time())
        if now - day_start(now) < 180:        # keep "today" events inside today
            time.sleep(180 - (now - day_start(now)))
        self.now = int(time.time())
        self.d0 = day_start(self.now)
        self.camp = self.setup_bot_and_campaign()

    def summary(self, **params):
        d = self.ok("/api/stats/summary.json", params)
        for f in SUMMARY_FIELDS:
            self.assertIn(f, d)
        return d

    def series(self, **params):
        d = self.ok("/api/stats/series.json", params)
        self.assertIsInstance(d, list)
        return d

    def _scenario(self):
        u4 = user(7200000004, "Four")
        dm2 = self.d0 - 2 * 86400 + 3600
        tt = self.now - 120
        ev = [
            start(self.next_uid(), ALINA, "/start CAMP42-a", dm2),
            chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", dm2 + 60),
            chat_member(self.next_uid(), CHANNEL, MARCO, "left", "member", dm2 + 120),
            start(self.next_uid(), DMITRY, "/start CAMP42-d", tt),
            join_request(self.next_uid(), CHANNEL, DMITRY, tt + 5),
            chat_member(self.next_uid(), CHANNEL, ALINA, "member", "left", tt + 10),
            chat_member(self.next_uid(), CHANNEL, MARCO, "member", "left", tt + 15),
            start(self.next_uid(), u4, "/start CAMP42-4", tt + 20),
            chat_member(self.next_uid(), CHANNEL, u4, "left", "member", tt + 25),
            chat_member(self.next_uid(), CHANNEL, u4, "member", "kicked", tt + 30,
                        from_user=OWNER),
        ]
        for u in ev:
            self.send(u)
        self.find_lead(u4["id"], status=4)
        self.find_lead(ALINA["id"], status=3)
        self.find_lead(DMITRY["id"], status=1)
        self.wait_journal(7)

    def test_summary_and_series_agree(self):
        self._scenario()
        frm, to = self.d0 - 2 * 86400, self.d0 + 86399
        s = self.summary(**{"from": frm, "to": to})
        exp = {"starts": 3, "holds": 1, "confirms": 2, "cancels": 1, "trashes": 1,
               "organic_joins": 1, "organic_leaves": 1}
        self.assertEqual({k: s[k] for k in exp}, exp)
        self.assertAlmostEqual(float(s["cr"]), 66.7, places=6)

        today = self.summary(**{"from": self.d0, "to": to})
        exp_today = {"starts": 2, "holds": 1, "confirms": 1, "cancels": 1, "trashes": 1,
                     "organic_joins": 0, "organic_leaves": 1}
        self.assertEqual({k: today[k] for k in exp_today}, exp_today)
        self.assertAlmostEqual(float(today["cr"]), 50.0, places=6)

        rows = self.series(**{"from": frm, "to": to})
        self.assertEqual([r["date"] for r in rows],
                         [ymd(self.d0 - 2 * 86400), ymd(self.d0 - 86400), ymd(self.d0)])
        for r in rows:
            for f in SERIES_FIELDS:
                self.assertIn(f, r)
        self.assertEqual({k: rows[0][k] for k in SERIES_FIELDS[1:]},
                         {"starts": 1, "confirms": 1, "cancels": 0, "trashes": 0, "organic": 1})
        self.assertEqual({k: rows[1][k] for k in SERIES_FIELDS[1:]},
                         {"starts": 0, "confirms": 0, "cancels": 0, "trashes": 0, "organic": 0})
        self.assertEqual({k: rows[2][k] for k in SERIES_FIELDS[1:]},
                         {"starts": 2, "confirms": 1, "cancels": 1, "trashes": 1, "organic": 0})
        for k, sk in (("starts", "starts"), ("confirms", "confirms"), ("cancels", "cancels"),
                      ("trashes", "trashes"), ("organic", "organic_joins")):
            self.assertEqual(sum(r[k] for r in rows), s[sk], k)

    def test_inclusive_bounds(self):
        t = self.d0 - 86400 + 5000
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a", t))
        self.find_lead(ALINA["id"])
        self.assertEqual(self.summary(**{"from": t, "to": t})["starts"], 1)
        self.assertEqual(self.summary(**{"from": t + 1, "to": t + 100})["starts"], 0)
        self.assertEqual(self.summary(**{"from": t - 100, "to": t - 1})["starts"], 0)

    def test_series_restart_same_numbers(self):
        self._scenario()
        frm, to = self.d0 - 2 * 86400, self.d0 + 86399
        before = self.series(**{"from": frm, "to": to})
        self.restart_server()
        self.assertEqual(self.series(**{"from": frm, "to": to}), before)

    def test_empty_range_zero_cr(self):
        frm = self.d0 - 10 * 86400
        s = self.summary(**{"from": frm, "to": frm + 86399})
        self.assertEqual({k: s[k] for k in SUMMARY_FIELDS if k != "cr"},
                         {k: 0 for k in SUMMARY_FIELDS if k != "cr"})
        self.assertEqual(float(s["cr"]), 0.0)
        rows = self.series(**{"from": frm, "to": frm + 3 * 86400 - 1})
        self.assertEqual(len(rows), 3)
        self.assertTrue(all(r["starts"] == 0 and r["organic"] == 0 for r in rows))

    def test_cr_half_up_and_campaign_filter(self):
        base = self.d0 - 3 * 86400 + 7200
        for i in range(16):
            self.send(start(self.next_uid(), user(7300000000 + i, "S%d" % i),
                            "/start CAMP42-c%d" % i, base + i))
        self.send(chat_member(self.next_uid(), CHANNEL, user(7300000000, "S0"), "left",
                              "member", base + 100))
        # another campaign in another chat, with a lead and organic activity
        self.promote(SUPERGROUP)
        c2 = self.add_campaign(chat=SUPERGROUP["id"], code="OTHER")
        self.send(start(self.next_uid(), MARCO, "/start OTHER-x", base + 50))
        self.send(chat_member(self.next_uid(), SUPERGROUP, DMITRY, "left", "member", base + 60))
        self.find_lead(7300000000, status=2)
        self.find_lead(MARCO["id"])
        self.wait_journal(1, chat=SUPERGROUP["id"])
        frm, to = self.d0 - 3 * 86400, self.d0 - 2 * 86400 - 1
        s = self.summary(campaign=self.camp["id"], **{"from": frm, "to": to})
        self.assertEqual((s["starts"], s["confirms"], s["organic_joins"]), (16, 1, 0))
        self.assertAlmostEqual(float(s["cr"]), 6.3, places=6)   # 6.25 rounded half up
        s2 = self.summary(campaign=c2["id"], **{"from": frm, "to": to})
        self.assertEqual((s2["starts"], s2["confirms"], s2["organic_joins"]), (1, 0, 1))
        self.assertEqual(float(s2["cr"]), 0.0)
        s_all = self.summary(**{"from": frm, "to": to})
        self.assertEqual((s_all["starts"], s_all["organic_joins"]), (17, 1))
        rows = self.series(campaign=self.camp["id"], **{"from": frm, "to": to})
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["date"], rows[0]["starts"], rows[0]["confirms"]),
                         (ymd(frm), 16, 1))

    def test_cr_can_exceed_zero_starts(self):
        t = self.d0 - 86400 * 2 + 100
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-a", t))
        self.send(chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", t + 86400))
        self.find_lead(ALINA["id"], status=2)
        s = self.summary(**{"from": self.d0 - 86400, "to": self.d0 - 1})
        self.assertEqual((s["starts"], s["confirms"]), (0, 1))
        self.assertEqual(float(s["cr"]), 0.0)

    def test_stats_param_errors(self):
        self.assert_error(self.api("/api/stats/summary.json", {"from": "x"}), 400, "param",
                          "from")
        self.assert_error(self.api("/api/stats/series.json", {"to": "x"}), 400, "param", "to")
        self.assert_error(self.api("/api/stats/summary.json", key="bad"), 401, "auth")
