"""Webhook §6.2 and bad input §9."""

import http.client
import json
import socket
import time

from harness import (BOT_ID, CHANNEL, ALINA, MARCO, TgleadTestCase, start, chat_member)


class WebhookAuthTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.camp = self.setup_bot_and_campaign()
        self.t0 = int(time.time()) - 3600

    def _nothing_stored(self):
        self.quiet()
        self.assertEqual(self.leads(), [])
        self.assertEqual(self.journal(), [])
        self.assertEqual(self.hits(), [])
        self.assertEqual(self.botapi.calls("sendMessage"), [])

    def test_wrong_secret_401(self):
        u = start(self.next_uid(), ALINA, "/start CAMP42-x", self.t0)
        self.assertEqual(self.post_update(BOT_ID, u, secret="wrong-secret"), 401)
        j = chat_member(self.next_uid(), CHANNEL, MARCO, "left", "member", self.t0)
        self.assertEqual(self.post_update(BOT_ID, j, secret="wrong-secret"), 401)
        self._nothing_stored()

    def test_missing_secret_401(self):
        u = start(self.next_uid(), ALINA, "/start CAMP42-x", self.t0)
        self.assertEqual(self.post_update(BOT_ID, u, no_secret=True), 401)
        self.assertEqual(self.post_update(BOT_ID, u, secret=""), 401)
        self._nothing_stored()

    def test_rejected_update_id_not_burnt(self):
        u = start(self.next_uid(), ALINA, "/start CAMP42-x", self.t0)
        self.assertEqual(self.post_update(BOT_ID, u, secret="wrong"), 401)
        self.assertEqual(self.post_update(BOT_ID, u), 200)
        self.find_lead(ALINA["id"])

    def test_unknown_bot(self):
        u = start(self.next_uid(), ALINA, "/start CAMP42-x", self.t0)
        st = self.post_update(999888777, u, secret=self.botapi.webhook_secret(BOT_ID))
        self.assertIn(st, (401, 404))
        st = self.post_update("notanumber", u, secret="x")
        self.assertIn(st, (400, 401, 404))
        self._nothing_stored()

    def test_other_bots_secret_rejected(self):
        self.add_bot("123456789:AAsecond")
        u = start(self.next_uid(), ALINA, "/start CAMP42-x", self.t0)
        st = self.post_update(BOT_ID, u, secret=self.botapi.webhook_secret(123456789))
        self.assertEqual(st, 401)
        self._nothing_stored()

    def test_deleted_bot_webhook_refused(self):
        self.ok("/api/bots/del.json", form={"id": BOT_ID}, method="POST")
        u = start(self.next_uid(), ALINA, "/start CAMP42-x", self.t0)
        st = self.post_update(BOT_ID, u)
        self.assertIn(st, (200, 401, 404, 410))
        self.assert_alive()


class WebhookBodyTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.camp = self.setup_bot_and_campaign()
        self.t0 = int(time.time()) - 3600

    def test_malformed_json(self):
        for body in (b"{not json", b"", b"[1,2,3]", b"\"str\"", b"{\"update_id\": \"x\"}",
                     b"\xff\xfe\x00garbage"):
            st = self.post_update(BOT_ID, None, raw_body=body)
            self.assertTrue(400 <= st < 500 or st == 200,
                            "malformed body %r -> %s" % (body, st))
            if body in (b"{not json", b"", b"\xff\xfe\x00garbage"):
                self.assertTrue(400 <= st < 500, "malformed JSON %r -> %s" % (body, st))
        self.assert_alive()
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-ok", self.t0))
        self.find_lead(ALINA["id"])

    def test_wrong_types_inside_update(self):
        bad = start(self.next_uid(), ALINA, "/start CAMP42-x", self.t0)
        bad["message"]["from"]["id"] = "not-a-number"
        st = self.post_update(BOT_ID, bad)
        self.assertTrue(st == 200 or 400 <= st < 500, st)
        bad2 = chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", self.t0)
        del bad2["chat_member"]["new_chat_member"]
        st = self.post_update(BOT_ID, bad2)
        self.assertTrue(st == 200 or 400 <= st < 500, st)
        self.assert_alive()
        self.assertEqual(self.leads(), [])

    def test_oversized_body_413(self):
        size = 2 * 1024 * 1024
        blob = json.dumps({"update_id": self.next_uid(),
                           "message": {"message_id": 1, "date": self.t0,
                                       "chat": {"id": 1, "type": "private"},
                                       "text": "x" * size}}).encode()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        status = None
        try:
            conn.putrequest("POST", "/tg/%d" % BOT_ID)
            conn.putheader("Content-Type", "application/json")
            conn.putheader("Content-Length", str(len(blob)))
            conn.putheader("X-Telegram-Bot-Api-Secret-Token", self.botapi.webhook_secret(BOT_ID))
            conn.endheaders()
            try:
                for i in range(0, len(blob), 65536):
                    conn.send(blob[i:i + 65536])
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                pass
            try:
                resp = conn.getresponse()
                status = resp.status
            except (ConnectionResetError, http.client.HTTPException, socket.timeout) as e:
                status = "no response (%s)" % e.__class__.__name__
        finally:
            conn.close()
        self.assertEqual(status, 413)
        self.assert_alive()

    def test_oversized_api_body_413(self):
        body = json.dumps({"postbacks": {"wait": "https://x.example.com/?" + "a" * (2 << 20)}})
        try:
            st, _, _ = self.raw("/api/profile/edit.json", method="POST", body=body.encode(),
                                headers={"Content-Type": "application/json"})
        except (ConnectionResetError, BrokenPipeError) as e:
            st = "connection error %s" % e
        self.assertEqual(st, 413)
        self.assert_alive()

    def test_unknown_update_types_ignored(self):
        edited = start(self.next_uid(), ALINA, "/start CAMP42-x", self.t0)
        edited["edited_message"] = edited.pop("message")
        edited["edited_message"]["edit_date"] = self.t0 + 5
        poll = {"update_id": self.next_uid(),
                "poll": {"id": "5318008421000001", "question": "Q?", "options": [
                    {"text": "a", "voter_count": 1}, {"text": "b", "voter_count": 0}],
                    "total_voter_count": 1, "is_closed": False, "is_anonymous": True,
                    "type": "regular", "allows_multiple_answers": False}}
        cbq = {"update_id": self.next_uid(),
               "callback_query": {"id": "77", "from": ALINA, "chat_instance": "-1",
                                  "data": "x"}}
        only_id = {"update_id": self.next_uid()}
        for u in (edited, poll, cbq, only_id):
            self.assertEqual(self.post_update(BOT_ID, u), 200, u)
        # non-command text and a group message are not starts either
        txt = start(self.next_uid(), ALINA, "hello CAMP42-x", self.t0)
        del txt["message"]["entities"]
        self.assertEqual(self.post_update(BOT_ID, txt), 200)
        self.quiet()
        self.assertEqual(self.leads(), [])
        self.assertEqual(self.hits(), [])
        self.assert_alive()

    def test_invalid_payload_chars(self):
        # payload outside [A-Za-z0-9_-] or longer than 64 chars: no lead, no crash
        for text in ("/start CAMP42-a.b", "/start CAMP42-" + "x" * 64, "/start CAMP42-a b"):
            self.assertIn(self.post_update(BOT_ID, start(self.next_uid(), ALINA, text,
                                                           self.t0)), (200,))
        self.assert_alive()

    def test_api_unknown_path_404_json(self):
        st, js = self.api("/api/nope/nothing.json")
        self.assertEqual(st, 404)
        self.assertEqual((js or {}).get("status"), "error")
        self.assertEqual(js.get("error"), "notfound")

    def test_malformed_json_api_body(self):
        st, _, body = self.raw("/api/campaigns/add.json", method="POST", body=b"{oops",
                               headers={"Content-Type": "application/json"})
        self.assertEqual(st, 400)
        js = json.loads(body)
        self.assertEqual((js["status"], js["error"]), ("error", "param"))
        self.assert_alive()
