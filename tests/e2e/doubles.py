"""Test doubles for the tglead end-to-end suite (standard library only).

* BotApiDouble  -- a fake Telegram Bot API server (``/bot<token>/<method>``).
* TrackerDouble -- a fake ad tracker that records postback requests.

Both run a ThreadingHTTPServer on 127.0.0.1 with an ephemeral port in a
daemon thread.  Every wait helper is bounded.
"""

import email.parser
import email.policy
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["BotApiDouble", "TrackerDouble"]


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):  # keep test output clean
        pass


class _Base:
    def __init__(self, handler_cls):
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        handler = type("Handler", (handler_cls,), {"double": self})
        self.server = _QuietServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _maybe_json(value):
    """Form/query parameters carry JSON-serialized arrays/objects."""
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _parse_params(handler, body):
    parsed = urllib.parse.urlsplit(handler.path)
    params = {}
    for k, v in urllib.parse.parse_qsl(parsed.query, keep_blank_values=True):
        params[k] = _maybe_json(v)
    ctype = handler.headers.get("Content-Type", "") or ""
    if body:
        if "json" in ctype or (not ctype and body[:1] in (b"{", b"[")):
            try:
                obj = json.loads(body.decode("utf-8"))
                if isinstance(obj, dict):
                    params.update(obj)
            except ValueError:
                params["_unparsed_body"] = body.decode("utf-8", "replace")
        elif "multipart/form-data" in ctype:
            msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body)
            for part in msg.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if not name:
                    continue
                payload = part.get_payload(decode=True) or b""
                if part.get_filename():
                    params[name] = {"filename": part.get_filename(),
                                    "size": len(payload)}
                else:
                    params[name] = _maybe_json(payload.decode("utf-8", "replace"))
        else:  # application/x-www-form-urlencoded or unknown
            for k, v in urllib.parse.parse_qsl(body.decode("utf-8", "replace"),
                                               keep_blank_values=True):
                params[k] = _maybe_json(v)
    return parsed.path, params


def _as_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return v


# --------------------------------------------------------------------------
# Telegram Bot API double
# --------------------------------------------------------------------------

class _BotApiHandler(BaseHTTPRequestHandler):
    double = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, params = _parse_params(self, body)
        delay = self.double._delay_for(path)
        if delay:
            time.sleep(delay)     # a slow Bot API method (outside the lock)
        code, payload = self.double._dispatch(path, params)
        data = json.dumps(payload).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = _handle
    do_POST = _handle


class BotApiDouble(_Base):
    """Fake Bot API.  Tokens look like ``<id>:<secret>``."""

    def __init__(self):
        super().__init__(_BotApiHandler)
        self.reset()

    # ---- configuration -------------------------------------------------
    def reset(self):
        with self._lock:
            self._calls = []
            self.usernames = {}          # token or bot id -> username
            self.first_names = {}        # token or bot id -> first name
            self.invalid_tokens = set()
            self.webhook_fail = set()    # tokens (or bot ids) whose setWebhook fails
            self.webhooks = {}           # bot id -> setWebhook params
            self.chats = {}              # chat id -> dict merged into getChat result
            self.members = {}            # (chat id, user id) -> status for getChatMember
            self.method_errors = {}      # method(lower) -> (code, description, parameters)
            self.fail_rules = []         # [method, pred, times left, code, desc, parameters]
            self.updates = {}            # bot id -> [(update, redeliver)] for getUpdates
            self.poll_wait = 0.5         # max seconds an empty getUpdates waits
            self.method_delays = {}      # method(lower) -> seconds before answering
            self._msg_id = 1000

    def set_username(self, bot, username, first_name=None):
        with self._lock:
            self.usernames[str(bot)] = username
            if first_name is not None:
                self.first_names[str(bot)] = first_name

    def set_invalid(self, token):
        with self._lock:
            self.invalid_tokens.add(token)

    def set_webhook_fails(self, token_or_id):
        with self._lock:
            self.webhook_fail.add(str(token_or_id))

    def set_chat(self, chat_id, **fields):
        with self._lock:
            self.chats.setdefault(int(chat_id), {}).update(fields)

    def set_member_status(self, chat_id, user_id, status):
        with self._lock:
            self.members[(int(chat_id), int(user_id))] = status

    def fail_method(self, method, code, description, parameters=None):
        with self._lock:
            self.method_errors[method.lower()] = (code, description, parameters)

    def fail_method_times(self, method, code, description, parameters=None, times=1,
                          pred=None):
        """Answer the next `times` calls of method (matching pred(params)) with an error,
        then behave normally again."""
        with self._lock:
            self.fail_rules.append([method.lower(), pred, times, code, description,
                                    parameters])

    def delay_method(self, method, seconds):
        """Answer every call of `method` only after `seconds` (a slow Bot API)."""
        with self._lock:
            self.method_delays[method.lower()] = float(seconds)

    def _delay_for(self, path):
        method = path.rsplit("/", 1)[-1].lower()
        with self._lock:
            return self.method_delays.get(method, 0.0)

    def queue_update(self, bot_id, update, redeliver=False):
        """Queue an update for getUpdates.  redeliver=True hands it out even when the
        offset already confirmed it (Telegram re-delivering an update)."""
        with self._cond:
            self.updates.setdefault(str(bot_id), []).append((update, redeliver))
            self._cond.notify_all()

    def pending_updates(self, bot_id):
        with self._lock:
            return [u for u, _ in self.updates.get(str(bot_id), [])]

    # ---- inspection ----------------------------------------------------
    def calls(self, method=None, bot_id=None):
        with self._lock:
            out = list(self._calls)
        if method is not None:
            out = [c for c in out if c["method"].lower() == method.lower()]
        if bot_id is not None:
            out = [c for c in out if c["bot_id"] == str(bot_id)]
        return out

    def wait_for_calls(self, method, n=1, timeout=10.0, pred=None):
        """Wait until at least n calls of method (matching pred) exist."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [c for c in self._calls if c["method"].lower() == method.lower()
                       and (pred is None or pred(c))]
                if len(got) >= n:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    return got
                self._cond.wait(min(left, 0.1))

    def webhook_secret(self, bot_id):
        with self._lock:
            wh = self.webhooks.get(str(bot_id))
        return wh.get("secret_token") if wh else None

    # ---- dispatch ------------------------------------------------------
    def _bot_user(self, token):
        bid = token.split(":", 1)[0]
        username = self.usernames.get(token) or self.usernames.get(bid) or ("bot%s" % bid)
        first = self.first_names.get(token) or self.first_names.get(bid) or ("Bot %s" % bid)
        return {"id": _as_int(bid), "is_bot": True, "first_name": first, "username": username}

    def _dispatch(self, path, params):
        # path: /bot<token>/<method>
        if not path.startswith("/bot") or "/" not in path[4:]:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        token, method = path[4:].split("/", 1)
        token = urllib.parse.unquote(token)
        bot_id = token.split(":", 1)[0] if ":" in token else token
        with self._cond:
            self._calls.append({"method": method, "token": token, "bot_id": bot_id,
                                "params": params, "time": time.time()})
            self._cond.notify_all()
            return self._answer(token, bot_id, method.lower(), params)

    @staticmethod
    def _err(code, description, parameters=None):
        body = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        return code, body

    @staticmethod
    def _ok(result):
        return 200, {"ok": True, "result": result}

    def _answer(self, token, bot_id, m, p):
        if ":" not in token or token in self.invalid_tokens or bot_id in self.invalid_tokens:
            return self._err(401, "Unauthorized")
        if m in self.method_errors:
            return self._err(*self.method_errors[m])
        for rule in self.fail_rules:
            if rule[0] == m and rule[2] > 0 and (rule[1] is None or rule[1](p)):
                rule[2] -= 1
                return self._err(rule[3], rule[4], rule[5])
        now = int(time.time())
        bot = self._bot_user(token)
        if m == "getme":
            r = dict(bot)
            r.update({"can_join_groups": True, "can_read_all_group_messages": False,
                      "supports_inline_queries": False, "can_connect_to_business": False,
                      "has_main_web_app": False})
            return self._ok(r)
        if m == "setwebhook":
            if token in self.webhook_fail or bot_id in self.webhook_fail:
                return self._err(400, "Bad Request: bad webhook: Failed to resolve host: "
                                      "Name or service not known")
            self.webhooks[bot_id] = dict(p)
            return self._ok(True)
        if m == "deletewebhook":
            self.webhooks.pop(bot_id, None)
            return self._ok(True)
        if m == "getwebhookinfo":
            wh = self.webhooks.get(bot_id, {})
            return self._ok({"url": wh.get("url", ""), "has_custom_certificate": False,
                             "pending_update_count": 0, "max_connections": 40,
                             "allowed_updates": wh.get("allowed_updates", [])})
        if m in ("sendmessage", "sendphoto"):
            self._msg_id += 1
            cid = _as_int(p.get("chat_id"))
            chat = {"id": cid, "type": "private" if isinstance(cid, int) and cid > 0 else "channel"}
            msg = {"message_id": self._msg_id, "from": bot, "chat": chat, "date": now}
            if m == "sendmessage":
                msg["text"] = p.get("text", "")
            else:
                msg["photo"] = [{"file_id": "AgACAgIAAx0Cphoto%d" % self._msg_id,
                                 "file_unique_id": "AQADphoto%d" % self._msg_id,
                                 "width": 320, "height": 240, "file_size": 12345}]
                if p.get("caption"):
                    msg["caption"] = p.get("caption")
            return self._ok(msg)
        if m in ("approvechatjoinrequest", "declinechatjoinrequest"):
            return self._ok(True)
        if m == "createchatinvitelink":
            cjr = p.get("creates_join_request") in (True, "true", "True", 1, "1")
            r = {"invite_link": "https://t.me/+E2eLink%06d" % len(self._calls),
                 "creator": bot, "creates_join_request": cjr, "is_primary": False,
                 "is_revoked": False}
            if p.get("name"):
                r["name"] = p.get("name")
            return self._ok(r)
        if m == "getchatmember":
            cid, uid = _as_int(p.get("chat_id")), _as_int(p.get("user_id"))
            status = self.members.get((cid, uid), "left")
            user = bot if str(uid) == bot_id else {"id": uid, "is_bot": False,
                                                   "first_name": "User"}
            r = {"user": user, "status": status}
            if status == "kicked":
                r["until_date"] = 0
            return self._ok(r)
        if m == "getchat":
            cid = _as_int(p.get("chat_id"))
            r = {"id": cid, "type": "channel", "title": "Chat %s" % cid,
                 "accent_color_id": 0, "max_reaction_count": 11}
            r.update(self.chats.get(cid, {}) if isinstance(cid, int) else {})
            return self._ok(r)
        if m == "getchatmembercount":
            return self._ok(42)
        if m == "getchatadministrators":
            return self._ok([{"user": bot, "status": "administrator", "can_be_edited": False,
                              "is_anonymous": False, "can_manage_chat": True,
                              "can_delete_messages": True, "can_manage_video_chats": False,
                              "can_restrict_members": True, "can_promote_members": False,
                              "can_change_info": False, "can_invite_users": True,
                              "can_post_stories": False, "can_edit_stories": False,
                              "can_delete_stories": False}])
        if m == "getupdates":
            if bot_id in self.webhooks:
                return self._err(409, "Conflict: can't use getUpdates method while webhook "
                                      "is active; use deleteWebhook to delete the webhook first")
            queue = self.updates.setdefault(bot_id, [])
            offset = _as_int(p.get("offset"))
            if isinstance(offset, int) and offset > 0:
                # confirmed updates are forgotten, except those set to be re-delivered
                queue[:] = [(u, r) for u, r in queue if r or u["update_id"] >= offset]
            timeout = min(float(p.get("timeout") or 0), self.poll_wait)
            if not queue and timeout:
                self._cond.wait(timeout)
            out = []
            for i, (u, r) in enumerate(list(queue)):
                out.append(u)
                if r:   # a re-delivery is handed out once
                    queue[i] = None
            queue[:] = [q for q in queue if q is not None]
            return self._ok(out)
        # anything else (setMyCommands, answerCallbackQuery, ...) -- accept
        return self._ok(True)


# --------------------------------------------------------------------------
# Tracker double
# --------------------------------------------------------------------------

class _TrackerHandler(BaseHTTPRequestHandler):
    double = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        rec, (code, body, headers, delay) = self.double._record_full(self.command, self.path)
        if delay:
            # a slow (or hanging) tracker; released early by reset()/stop()
            self.double._release.wait(delay)
        data = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()
        self.double._mark_done(rec)

    do_GET = _handle
    do_POST = _handle
    do_HEAD = _handle


class TrackerDouble(_Base):
    def __init__(self):
        super().__init__(_TrackerHandler)
        self.reset()

    def reset(self):
        old = getattr(self, "_release", None)
        if old is not None:
            old.set()          # let hanging handlers of the previous test finish
        with self._lock:
            self._requests = []
            self.responses = {}   # path -> (code, body)
            self._extra = {}      # path -> (headers, delay)
            self._release = threading.Event()

    def stop(self):
        self._release.set()
        super().stop()

    def set_response(self, path, code, body=None, headers=None, delay=0.0):
        """Answer `path` with code/body; optional extra headers (e.g. Location) and a
        delay in seconds before answering (a slow tracker)."""
        with self._lock:
            self.responses[path] = (code, body if body is not None else "code %d" % code)
            self._extra[path] = (dict(headers or {}), float(delay or 0))

    def hang(self, path, seconds=30.0):
        """Never answer `path` (within `seconds`, or until reset)."""
        self.set_response(path, 200, "late", delay=seconds)

    def _record(self, method, raw_path):
        return self._record_full(method, raw_path)[1][:2]

    def _record_full(self, method, raw_path):
        parts = urllib.parse.urlsplit(raw_path)
        query = {}
        for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True):
            query.setdefault(k, v)
        rec = {"method": method, "path": parts.path, "query": query,
               "raw_query": parts.query, "raw_path": raw_path,
               "time": time.time(), "done": None}
        with self._cond:
            self._requests.append(rec)
            self._cond.notify_all()
            code, body = self.responses.get(parts.path, (200, "OK"))
            headers, delay = self._extra.get(parts.path, ({}, 0.0))
            return rec, (code, body, headers, delay)

    def _mark_done(self, rec):
        with self._cond:
            rec["done"] = time.time()
            self._cond.notify_all()

    def requests(self, path=None):
        with self._lock:
            out = list(self._requests)
        if path is not None:
            out = [r for r in out if r["path"] == path]
        return out

    def wait_for(self, n=1, timeout=10.0, pred=None):
        """Wait until at least n requests (matching pred) were received."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                got = [r for r in self._requests if pred is None or pred(r)]
                if len(got) >= n:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    return got
                self._cond.wait(min(left, 0.1))


if __name__ == "__main__":  # tiny self-test
    import urllib.request

    with BotApiDouble() as api, TrackerDouble() as trk:
        def call(token, method, body=None, form=False):
            url = "%s/bot%s/%s" % (api.url, token, method)
            if body is None:
                req = urllib.request.Request(url)
            elif form:
                req = urllib.request.Request(url, data=urllib.parse.urlencode(body).encode(),
                                             headers={"Content-Type":
                                                      "application/x-www-form-urlencoded"})
            else:
                req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json"})
            try:
                with urllib.request.urlopen(req) as r:
                    return r.status, json.loads(r.read())
            except urllib.error.HTTPError as e:
                return e.code, json.loads(e.read())

        api.set_username("7412583690", "subtrack_demo_bot")
        print(call("7412583690:AAE", "getMe"))
        print(call("nocolon", "getMe"))
        print(call("7412583690:AAE", "setwebhook",
                   {"url": "https://x/tg/7412583690", "secret_token": "s3",
                    "allowed_updates": ["message"]}))
        print(call("7412583690:AAE", "sendMessage",
                   {"chat_id": "5", "text": "hi"}, form=True))
        assert api.webhook_secret(7412583690) == "s3"
        assert len(api.wait_for_calls("SENDMESSAGE", 1, 1)) == 1
        api.set_webhook_fails("1:x")
        print(call("1:x", "setWebhook", {"url": "u"}))
        trk.set_response("/pb/bad", 404)
        for p in ("/pb/ok?click=a_b-c&fn=%D0%90", "/pb/bad?x=1"):
            try:
                urllib.request.urlopen(trk.url + p)
            except urllib.error.HTTPError as e:
                print("tracker", e.code)
        got = trk.wait_for(2, 1)
        print([(r["path"], r["query"]) for r in got])
        assert got[0]["query"]["fn"] == "\u0410"
        print("self-test ok")
