"""`tglead demo` (issue 5): the service beside a simulated Telegram and tracker, with a demo
account, bot, chats, campaigns, two weeks of history and live traffic."""

import http.cookiejar
import json
import os
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.request

from harness import binary_path, free_port


class DemoTest(unittest.TestCase):

    def test_demo_serves_live_data_to_the_demo_login(self):
        tmp = tempfile.mkdtemp(prefix="tglead-demo-")
        port = free_port()
        out_path = os.path.join(tmp, "demo.out")
        with open(out_path, "w") as out:
            proc = subprocess.Popen([binary_path(), "demo", "--listen", "127.0.0.1:%d" % port,
                                     "--db", "sqlite:%s/demo.db" % tmp], stdout=out,
                                    stderr=subprocess.STDOUT, cwd=tmp)
        try:
            deadline = time.monotonic() + 90
            while "is running" not in open(out_path).read():
                self.assertIsNone(proc.poll(), open(out_path).read())
                self.assertLess(time.monotonic(), deadline, "demo did not start")
                time.sleep(0.2)
            text = open(out_path).read()
            self.assertIn("demo@tglead.local", text)

            jar = http.cookiejar.CookieJar()
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
            base = "http://127.0.0.1:%d" % port
            login = urllib.request.Request(base + "/auth/login", method="POST",
                                           data=json.dumps({"email": "demo@tglead.local",
                                                            "password": "demo"}).encode(),
                                           headers={"Content-Type": "application/json"})
            me = json.load(opener.open(login, timeout=10))
            self.assertEqual(me["status"], "ok")

            def get(path):
                return json.load(opener.open(base + path, timeout=10))["data"]

            campaigns = get("/api/campaigns/list.json")
            self.assertEqual(sorted(c["code"] for c in campaigns), ["CAMP42", "DEALS7"])
            summary = get("/api/stats/summary.json")
            self.assertGreater(summary["starts"], 100)
            self.assertGreater(summary["confirms"], 50)
            self.assertGreater(summary["organic_joins"], 0)
            series = get("/api/stats/series.json")
            self.assertGreater(sum(d["starts"] for d in series), 100)
            first_total = summary["starts"]
            # Live traffic keeps coming.
            deadline = time.monotonic() + 20
            while get("/api/stats/summary.json")["starts"] <= first_total:
                self.assertLess(time.monotonic(), deadline, "no live traffic")
                time.sleep(0.5)
            index = opener.open(base + "/", timeout=10)
            self.assertIn("text/html", index.headers.get("Content-Type", ""))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


if __name__ == "__main__":
    unittest.main()
