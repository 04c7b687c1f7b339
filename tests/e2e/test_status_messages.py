"""Per-status bot messages of a campaign (§5): a text sent to the subscriber when the lead
reaches a status, with macros, only while the campaign runs."""

import time

from harness import CHANNEL, TgleadTestCase, start, chat_member, user


def to_chat(uid):
    return lambda c: str(c["params"].get("chat_id")) == str(uid)


class StatusMessagesTest(TgleadTestCase):

    def test_message_on_approve_and_cancel_with_macros(self):
        sub = user(7600000001, first_name="Zoe", username="zoe_w")
        camp = self.setup_bot_and_campaign(messages={"approve": "Welcome aboard, {first_name}!",
                                                     "cancel": "Sorry to see you go ({click})"})
        self.assertEqual(camp["messages"]["approve"], "Welcome aboard, {first_name}!")
        self.assertEqual(camp["messages"]["hold"], "")
        now = int(time.time())
        self.send(start(self.next_uid(), sub, "/start CAMP42-k_1", now - 60))
        self.send(chat_member(self.next_uid(), CHANNEL, sub, "left", "member", now - 50))
        self.send(chat_member(self.next_uid(), CHANNEL, sub, "member", "left", now - 40))
        # The welcome comes first; one message per second per chat (§5) spaces the rest.
        calls = self.botapi.wait_for_calls("sendMessage", 3, self.ASYNC_TIMEOUT, to_chat(sub["id"]))
        texts = [c["params"].get("text") for c in calls]
        self.assertIn("Welcome aboard, Zoe!", texts)
        self.assertIn("Sorry to see you go (k_1)", texts)

    def test_paused_campaign_sends_no_status_message(self):
        sub = user(7600000002, first_name="Liam")
        camp = self.setup_bot_and_campaign(messages={"approve": "Hi {first_name}"})
        now = int(time.time())
        self.send(start(self.next_uid(), sub, "/start CAMP42-x", now - 60))
        self.find_lead(sub["id"], status=0)
        self.ok("/api/campaigns/pause.json", {"id": camp["id"]}, method="POST")
        self.send(chat_member(self.next_uid(), CHANNEL, sub, "left", "member", now - 50))
        self.find_lead(sub["id"], status=2)
        time.sleep(self.QUIET)
        texts = [c["params"].get("text") for c in self.botapi.calls("sendMessage")
                 if str(c["params"].get("chat_id")) == str(sub["id"])]
        self.assertNotIn("Hi Liam", texts)

    def test_bad_messages_are_param_errors(self):
        self.add_bot()
        self.promote(CHANNEL)
        st, body = self.add_campaign(chat=CHANNEL["id"], code="CAMP42", messages={"joined": "x"},
                                     expect_ok=False)
        self.assertEqual((st, body["error"]), (400, "param"))
        st, body = self.add_campaign(chat=CHANNEL["id"], code="CAMP42", messages={"approve": 5},
                                     expect_ok=False)
        self.assertEqual((st, body["error"]), (400, "param"))
