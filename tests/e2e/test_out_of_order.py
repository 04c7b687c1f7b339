"""Out-of-order delivery (issue 7): Telegram retries can deliver a subscriber's updates in
another order than they happened; the final lead state follows the events' dates."""

import time

from harness import BOT_ID, CHANNEL, TgleadTestCase, start, chat_member, user


class OutOfOrderTest(TgleadTestCase):

    def test_join_arriving_before_its_start(self):
        sub = user(7700000001, first_name="Ada", username="ada_l")
        self.setup_bot_and_campaign()
        now = int(time.time())
        self.send(chat_member(self.next_uid(), CHANNEL, sub, "left", "member", now - 50))
        self.assert_no_lead(sub["id"])
        self.send(start(self.next_uid(), sub, "/start CAMP42-late_1", now - 60))
        lead = self.find_lead(sub["id"], status=2)
        self.assertEqual(lead["join_time"][:16], time.strftime("%Y-%m-%d %H:%M", time.gmtime(now - 50)))
        pbs = self.postbacks_of(lead["id"])
        self.assertEqual([p["status"] for p in pbs], ["wait", "approve"])
        journal = self.ok("/api/journal/list.json", {"bot": BOT_ID, "chat": CHANNEL["id"]})
        rows = [j for j in journal if str(j["subscriber"]) == str(sub["id"])]
        self.assertEqual([(j["action"], j["paid"]) for j in rows], [("join", 1)])

    def test_join_arriving_after_the_leave(self):
        sub = user(7700000002, first_name="Bo")
        self.setup_bot_and_campaign()
        now = int(time.time())
        self.send(start(self.next_uid(), sub, "/start CAMP42-x_2", now - 60))
        self.find_lead(sub["id"], status=0)
        self.send(chat_member(self.next_uid(), CHANNEL, sub, "member", "left", now - 30))
        self.find_lead(sub["id"], status=3)
        self.send(chat_member(self.next_uid(), CHANNEL, sub, "left", "member", now - 40))  # late
        time.sleep(self.QUIET)
        lead = self.find_lead(sub["id"], status=3)
        self.assertEqual([p["status"] for p in self.postbacks_of(lead["id"])], ["wait", "approve", "cancel"])
