"""Hostile input (PRODUCT.md §9): the service keeps running and answers clear errors.

Oversized headers, many slow (slowloris) connections, invalid UTF-8, 100k-deep JSON, 64-bit
ids at the edges, SQL-looking strings in every text parameter, huge `limit`, negative `offset`.
"""

import json
import os
import socket
import threading
import time
import unittest
import urllib.parse

from harness import (BOT_ID, CHANNEL, ALINA, TgleadTestCase, chat_member, start)

INT64_MAX = 2 ** 63 - 1
INT64_MIN = -2 ** 63
SQLISH = ["x' OR '1'='1", "1; DROP TABLE leads;--", "\"); DELETE FROM users; --",
          "' UNION SELECT api_key FROM users --", "%' --", "\\'; --", "\x00nul"]


def raw_http(port, data, timeout=10, read_all=True):
    """Send raw bytes, return (status or None, full response bytes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not b:
                break
            chunks.append(b)
            if not read_all and b"\r\n\r\n" in b"".join(chunks):
                break
        resp = b"".join(chunks)
    finally:
        s.close()
    status = None
    if resp.startswith(b"HTTP/1."):
        try:
            status = int(resp.split(b" ", 2)[1])
        except ValueError:
            pass
    return status, resp


def body_of(resp):
    return resp.split(b"\r\n\r\n", 1)[1] if b"\r\n\r\n" in resp else b""


class HostileInputTest(TgleadTestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(self.stop_server)   # also when the rest of setUp fails
        self.camp = self.setup_bot_and_campaign()
        self.t0 = int(time.time()) - 3600
        self.send(start(self.next_uid(), ALINA, "/start CAMP42-seed", self.t0))
        self.lead = self.find_lead(ALINA["id"])

    # ---- helpers ----------------------------------------------------------------------
    def assert_error_json(self, status, js, codes=("param",), http_statuses=(400,)):
        self.assertIn(status, http_statuses, js)
        self.assertIsInstance(js, dict, "error answer is not JSON")
        self.assertEqual(js.get("status"), "error", js)
        self.assertIn(js.get("error"), codes, js)
        self.assertTrue(js.get("message"), js)

    def assert_still_serving(self):
        self.assert_alive()
        data, _ = self.ok_list("/api/leads/list.json")
        self.assertTrue(any(str(l["subscriber"]) == str(ALINA["id"]) for l in data))
        self.ok_list("/api/campaigns/list.json")
        self.ok_list("/api/bots/list.json")
        self.ok("/api/profile/get.json")

    def _secret(self):
        return self.botapi.webhook_secret(BOT_ID)

    # ---- headers ----------------------------------------------------------------------
    def test_oversized_header_431(self):
        big = b"X-Big: " + b"a" * (64 * 1024) + b"\r\n"
        st, resp = raw_http(self.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + big + b"\r\n")
        self.assertEqual(st, 431, resp[:200])
        js = json.loads(body_of(resp))
        self.assertEqual((js["status"], js["error"]), ("error", "param"))
        # many small headers adding up
        many = b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(400))
        st, resp = raw_http(self.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
        self.assertEqual(st, 431, resp[:200])
        # a huge request line (path)
        st, resp = raw_http(self.port, b"GET /api/leads/list.json?x=" + b"c" * 70000
                            + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertIn(st, (414, 431, 400), resp[:200])
        self.assert_still_serving()

    def test_garbage_request_lines(self):
        for junk in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64,   # TLS hello
                     b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"\r\n\r\n\r\n",
                     b"POST /tg/1 HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
                     b"POST /tg/1 HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
                     b"POST /tg/1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"):
            st, resp = raw_http(self.port, junk, timeout=5)
            self.assertTrue(st is None or 400 <= st < 500, "%r -> %r" % (junk[:40], resp[:100]))
        self.assert_still_serving()

    def test_slow_connections_do_not_block_others(self):
        # 50 slowloris clients sending a header byte by byte; the service must keep serving.
        stop = threading.Event()
        socks = []
        for _ in range(50):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            socks.append(s)
        line = b"POST /tg/%d HTTP/1.1\r\nHost: x\r\nX-Slow: " % BOT_ID

        def dribble():
            i = 0
            while not stop.is_set():
                for s in socks:
                    try:
                        s.send(line[i:i + 1] if i < len(line) else b"a")
                    except OSError:
                        pass
                i += 1
                stop.wait(0.2)

        t = threading.Thread(target=dribble, daemon=True)
        t.start()
        try:
            time.sleep(1.0)
            worst = 0.0
            for i in range(40):
                t1 = time.monotonic()
                self.ok_list("/api/leads/list.json")
                if i % 4 == 0:
                    u = chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member",
                                    self.t0 + 10) if i == 0 else \
                        start(self.next_uid(), ALINA, "/start CAMP42-seed", self.t0 + 20 + i)
                    self.send(u)
                worst = max(worst, time.monotonic() - t1)
            self.assertLess(worst, 3.0, "a request took %.2fs with 50 slow clients open" % worst)
            self.find_lead(ALINA["id"], status=2)
        finally:
            stop.set()
            t.join(5)
            for s in socks:
                s.close()
        self.assert_still_serving()

    # ---- invalid UTF-8 ----------------------------------------------------------------
    def test_invalid_utf8_webhook(self):
        u = json.dumps(start(self.next_uid(), ALINA, "/start CAMP42-XXXX", self.t0)).encode()
        for bad in (b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xc0\xaf"):
            body = u.replace(b"XXXX", bad)
            st = self.post_update(BOT_ID, None, raw_body=body)
            self.assertTrue(st == 200 or 400 <= st < 500, "%r -> %s" % (bad, st))
            # first_name with invalid UTF-8
            u2 = json.dumps(start(self.next_uid(), ALINA, "/start CAMP42-utf", self.t0)).encode()
            st = self.post_update(BOT_ID, None,
                                  raw_body=u2.replace(b'"Alina"', b'"Al' + bad + b'na"'))
            self.assertTrue(st == 200 or 400 <= st < 500, "%r -> %s" % (bad, st))
        # every answer that lists leads/journal must still be valid JSON
        self.assert_still_serving()
        self.journal()
        st, _, body = self.raw("/api/leads/export.csv")
        self.assertEqual(st, 200)

    def test_invalid_utf8_api_params(self):
        cid = self.camp["id"]
        for bad in (b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"):
            # form body
            form = b"id=" + str(cid).encode() + b"&name=N" + bad
            st, _, resp = self.raw("/api/campaigns/edit.json", method="POST", body=form,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
            self.assertIn(st, (200, 400), resp[:200])
            js = json.loads(resp)
            if st == 400:
                self.assertEqual(js["error"], "param", js)
            # percent-encoded in the query
            q = urllib.parse.quote(b"N" + bad)
            st, _, resp = self.raw("/api/campaigns/edit.json?id=%s&name=%s" % (cid, q),
                                   method="POST", body=b"")
            self.assertIn(st, (200, 400), resp[:200])
            json.loads(resp)
            # raw bytes in a JSON body
            jb = b'{"id": %d, "name": "N' % cid + bad + b'"}'
            st, _, resp = self.raw("/api/campaigns/edit.json", method="POST", body=jb,
                                   headers={"Content-Type": "application/json"})
            self.assertEqual(st, 400, resp[:200])
            self.assertEqual(json.loads(resp)["error"], "param")
            # in the code of a new campaign and in a search-like param
            st, _, resp = self.raw("/api/journal/list.json?bot=%d&chat=%d&action=%s"
                                   % (BOT_ID, CHANNEL["id"], q))
            self.assertEqual(st, 400, resp[:200])
            # in the API key
            st, _, resp = self.raw("/api/profile/get.json?key=%s" % q, key="")
            self.assertEqual(st, 401, resp[:200])
        # whatever was stored must come back as valid JSON
        c = self.campaign_by_id(cid)
        self.assertIsNotNone(c)
        json.dumps(c)
        self.assert_still_serving()

    # ---- deep nesting -----------------------------------------------------------------
    def test_deep_json_nesting(self):
        depth = 100000
        deep_arr = b"[" * depth + b"]" * depth
        deep_obj = b'{"a":' * depth + b"1" + b"}" * depth
        unterminated = b"[" * depth
        for blob in (deep_arr, deep_obj, unterminated):
            st = self.post_update(BOT_ID, None, raw_body=blob)
            self.assertEqual(st, 400, "deep webhook body -> %s" % st)
            # a valid Update carrying a deep value
            wrapped = b'{"update_id": %d, "message": {"x": ' % self.next_uid() + blob + b"}}"
            st = self.post_update(BOT_ID, None, raw_body=wrapped)
            self.assertTrue(st == 200 or 400 <= st < 500, "deep value -> %s" % st)
            if blob is deep_obj:
                continue   # a deep JSON *object* as API body: see test_deep_object_api_body
            st, _, resp = self.raw("/api/campaigns/add.json", method="POST", body=blob,
                                   headers={"Content-Type": "application/json"})
            self.assertEqual(st, 400, resp[:200])
            self.assertEqual(json.loads(resp)["error"], "param")
            wrapped = b'{"bot": %d, "chat": %d, "code": "DEEP", "postbacks": ' % (
                BOT_ID, CHANNEL["id"]) + blob + b"}"
            st, _, resp = self.raw("/api/campaigns/add.json", method="POST", body=wrapped,
                                   headers={"Content-Type": "application/json"})
            self.assertIn(st, (400,), resp[:200])
            # bracket keys nested deeply in a form
            form = b"postbacks" + b"[a]" * 5000 + b"=x"
            st, _, resp = self.raw("/api/profile/edit.json", method="POST", body=form,
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
            self.assertIn(st, (200, 400), resp[:200])
            json.loads(resp)
        self.assert_still_serving()

    def test_deep_object_api_body(self):
        # Regression: a 100k-deep JSON object as an API body used to overflow the stack
        # while Params copied the parsed value. Expected: 400 param, service alive.
        depth = 100000
        blob = b'{"a":' * depth + b"1" + b"}" * depth
        try:
            st, _, resp = self.raw("/api/campaigns/add.json", method="POST", body=blob,
                                   headers={"Content-Type": "application/json"}, timeout=10)
        except OSError as e:
            self.fail("no answer: %r" % e)
        self.assertEqual(st, 400, resp[:200])
        self.assert_still_serving()

    def test_series_at_int64_max(self):
        # Regression: a series ending near INT64_MAX used to overflow the day loop and spin
        # forever. Expected: 400 param (or an empty series) at once.
        st, _, resp = self.raw("/api/stats/series.json",
                               {"from": INT64_MAX, "to": INT64_MAX}, timeout=5)
        self.assertIn(st, (200, 400), resp[:200])
        self.assert_still_serving()

    def test_series_to_int64_min(self):
        # Regression (UBSan, scripts/sanitize.sh): the default `from` was computed as 30 days
        # before `to` before `to` was checked, a signed overflow for INT64_MIN.
        st, js = self.api("/api/stats/series.json", {"to": INT64_MIN})
        self.assert_error_json(st, js, ("param",), (400,))
        self.assertIn("to", js["message"])
        # Near the epoch the default `from` stops at 0 instead of going negative.
        st, js = self.api("/api/stats/series.json", {"to": 86400})
        self.assertEqual(st, 200, js)
        self.assertEqual(len(js["data"]), 2, js)

    # ---- 64-bit edges -----------------------------------------------------------------
    def test_int64_edges_in_updates(self):
        for uid in (INT64_MAX, INT64_MIN, 2 ** 63, 2 ** 64, -1, 0):
            u = start(uid, ALINA, "/start CAMP42-edge", self.t0)
            st = self.post_update(BOT_ID, u)
            if uid in (2 ** 63, 2 ** 64):
                self.assertEqual(st, 400, "update_id %d -> %s" % (uid, st))
            else:
                self.assertIn(st, (200, 400), "update_id %d -> %s" % (uid, st))
        for field_val in (INT64_MAX, INT64_MIN, 2 ** 63, -2 ** 63 - 1):
            u = start(self.next_uid(), ALINA, "/start CAMP42-edge2", self.t0)
            u["message"]["from"]["id"] = field_val
            u["message"]["chat"]["id"] = field_val
            st = self.post_update(BOT_ID, u)
            self.assertTrue(st == 200 or 400 <= st < 500, "user id %d -> %s" % (field_val, st))
            u = chat_member(self.next_uid(), CHANNEL, ALINA, "left", "member", field_val)
            st = self.post_update(BOT_ID, u)
            self.assertTrue(st == 200 or 400 <= st < 500, "date %d -> %s" % (field_val, st))
            u = chat_member(self.next_uid(), dict(CHANNEL, id=field_val), ALINA, "left",
                            "member", self.t0)
            st = self.post_update(BOT_ID, u)
            self.assertTrue(st == 200 or 400 <= st < 500, "chat %d -> %s" % (field_val, st))
        self.assert_still_serving()

    def test_int64_edges_in_params(self):
        for v in (INT64_MAX, INT64_MIN):
            for path, params in (("/api/leads/postbacks.json", {"lead": v}),
                                 ("/api/leads/list.json", {"campaign": v}),
                                 ("/api/bots/chats.json", {"bot": v}),
                                 ("/api/stats/summary.json", {"campaign": v}),
                                 ("/api/journal/list.json", {"bot": v, "chat": v})):
                st, js = self.api(path, params)
                self.assert_error_json(st, js, ("notfound",), (404,))
            for path in ("/api/campaigns/pause.json", "/api/campaigns/del.json",
                         "/api/bots/del.json", "/api/notices/dismiss.json"):
                st, js = self.api(path, method="POST", form={"id": v})
                if st == 200:   # dismiss of an unknown id (see test_isolation)
                    self.assertEqual(js.get("status"), "ok")
                else:
                    self.assert_error_json(st, js, ("notfound",), (404,))
        for v in ("9223372036854775808", "-9223372036854775809", "18446744073709551616",
                  "1e3", "0x10", " 1", "1 ", "+1", "--1", "1" * 400):
            st, js = self.api("/api/leads/postbacks.json", {"lead": v})
            self.assert_error_json(st, js, ("param", "notfound"), (400, 404))
            st, js = self.api("/api/leads/list.json", {"offset": v})
            self.assertIn(st, (200, 400), js)
            if st == 400:
                self.assertEqual(js["error"], "param", js)
        # time ranges at the edges
        for params in ({"from": INT64_MIN, "to": INT64_MAX}, {"from": 0, "to": INT64_MAX},
                       {"from": INT64_MAX, "to": INT64_MAX}, {"from": INT64_MIN},
                       {"to": INT64_MIN}, {"from": INT64_MAX}):
            for path in ("/api/stats/summary.json", "/api/stats/series.json",
                         "/api/leads/list.json", "/api/leads/export.csv"):
                if path == "/api/stats/series.json" and params.get("to") == INT64_MAX \
                        and params.get("from") == INT64_MAX:
                    continue   # see test_series_at_int64_max (known bug, hangs)
                st, _, resp = self.raw(path, params)
                self.assertIn(st, (200, 400), "%s %r -> %s %r" % (path, params, st, resp[:200]))
                if st == 400:
                    self.assertEqual(json.loads(resp)["error"], "param")
            st, js = self.api("/api/journal/list.json",
                              dict(params, bot=BOT_ID, chat=CHANNEL["id"]))
            self.assertIn(st, (200, 400), js)
        # campaign numbers at the edges
        st, js = self.api("/api/campaigns/edit.json", method="POST",
                          json_body={"id": self.camp["id"], "unsub_window": INT64_MAX})
        self.assertIn(st, (200, 400), js)
        st, js = self.api("/api/campaigns/edit.json", method="POST",
                          json_body={"id": self.camp["id"], "unsub_window": -1})
        self.assert_error_json(st, js)
        st, js = self.api("/api/profile/edit.json", method="POST",
                          json_body={"telegram_id": 2 ** 63})
        self.assert_error_json(st, js)
        self.assert_still_serving()

    # ---- SQL-looking strings ------------------------------------------------------------
    def test_sql_looking_strings_everywhere(self):
        cid = self.camp["id"]
        for i, s in enumerate(SQLISH):
            # stored text params round-trip literally
            st, js = self.api("/api/campaigns/edit.json", method="POST",
                              json_body={"id": cid, "name": s})
            if st == 200:
                self.assertEqual(js["data"]["name"], s)
            else:
                self.assert_error_json(st, js)
            st, js = self.api("/api/campaigns/add.json", method="POST",
                              json_body={"bot": BOT_ID, "chat": CHANNEL["id"], "code": s,
                                         "name": s})
            self.assert_error_json(st, js)   # code must be [A-Za-z0-9_] (a deep-link part)
            for path, params in (("/api/leads/list.json", {"campaign": s}),
                                 ("/api/leads/list.json", {"status": s}),
                                 ("/api/leads/list.json", {"from": s}),
                                 ("/api/leads/list.json", {"limit": s}),
                                 ("/api/leads/export.csv", {"campaign": s}),
                                 ("/api/leads/postbacks.json", {"lead": s}),
                                 ("/api/journal/list.json", {"bot": BOT_ID,
                                                             "chat": CHANNEL["id"],
                                                             "action": s}),
                                 ("/api/journal/list.json", {"bot": s, "chat": s}),
                                 ("/api/campaigns/list.json", {"status": s}),
                                 ("/api/stats/summary.json", {"campaign": s}),
                                 ("/api/stats/series.json", {"from": s}),
                                 ("/api/bots/chats.json", {"bot": s}),
                                 ("/api/postbacks/presets.json", {"tracker": s})):
                st, js = self.api(path, params)
                self.assertIn(st, (400, 404), "%s %r -> %s %r" % (path, params, st, js))
                self.assertEqual(js.get("status"), "error", js)
            for path, form in (("/api/bots/add.json", {"token": s}),
                               ("/api/profile/edit.json", {"timezone": s}),
                               ("/api/postbacks/test.json", {"url": s}),
                               ("/api/postbacks/test.json", {"url": self.tpl("wait"),
                                                             "status": s}),
                               ("/api/transfer/send.json", {"to": s, "campaign": cid}),
                               ("/api/notices/dismiss.json", {"id": s}),
                               ("/api/campaigns/edit.json", {"id": s})):
                st, js = self.api(path, method="POST", form=form)
                self.assertIn(st, (400, 404), "%s %r -> %s %r" % (path, form, st, js))
                self.assertEqual(js.get("status"), "error", js)
            # a /start payload and a first name that look like SQL
            u = start(self.next_uid(), dict(ALINA, first_name=s, username="u'%d" % i),
                      "/start CAMP42-" + s.replace(" ", "_"), self.t0 + i)
            st = self.post_update(BOT_ID, u)
            self.assertIn(st, (200, 400))
            st, _, resp = self.raw("/api/profile/get.json", key=s)
            # a NUL byte in a header line is a malformed request (400); anything else is auth
            self.assertIn(st, (400, 401) if "\x00" in s else (401,), resp[:200])
            st, _, resp = self.raw("/api/profile/get.json", key="' OR 1=1 --", auth="query")
            self.assertEqual(st, 401)
        # welcome text with SQL is just text
        st, js = self.api("/api/campaigns/edit.json", method="POST",
                          json_body={"id": cid, "welcome": {"text": SQLISH[1], "buttons": []}})
        self.assertIn(st, (200, 400), js)
        # everything still there, nothing dropped
        self.assert_still_serving()
        self.assertEqual(len([c for c in self.ok("/api/campaigns/list.json")
                              if str(c["id"]) == str(cid)]), 1)

    # ---- paging -----------------------------------------------------------------------
    def test_paging_edges(self):
        for limit in (201, 10 ** 6, INT64_MAX):
            st, js = self.api("/api/leads/list.json", {"limit": limit})
            self.assertEqual(st, 200, js)
            self.assertLessEqual(len(js["data"]), 200)
            st, js = self.api("/api/journal/list.json",
                              {"bot": BOT_ID, "chat": CHANNEL["id"], "limit": limit})
            self.assertEqual(st, 200, js)
        for limit in (0, -1, INT64_MIN):
            st, js = self.api("/api/leads/list.json", {"limit": limit})
            self.assert_error_json(st, js)
            self.assertIn("limit", js["message"])
        for offset in (-1, INT64_MIN):
            st, js = self.api("/api/leads/list.json", {"offset": offset})
            self.assert_error_json(st, js)
            self.assertIn("offset", js["message"])
            st, js = self.api("/api/journal/list.json",
                              {"bot": BOT_ID, "chat": CHANNEL["id"], "offset": offset})
            self.assert_error_json(st, js)
        for offset in (10 ** 9, INT64_MAX):
            st, js = self.api("/api/leads/list.json", {"offset": offset, "limit": INT64_MAX})
            self.assertEqual(st, 200, js)
            self.assertEqual(js["data"], [])
            self.assertEqual(js["total"], 1)
            st, js = self.api("/api/journal/list.json",
                              {"bot": BOT_ID, "chat": CHANNEL["id"], "offset": offset})
            self.assertEqual(st, 200, js)
            self.assertEqual(js["data"], [])
        self.assert_still_serving()
