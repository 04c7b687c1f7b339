"""Background contact imports (PRODUCT.md §8.2, issue 6) through the real binary: CSV and XLSX
uploads, progress polled to done, the error file, revert, malformed files, restarts and the CLI."""

import csv
import io
import os
import sqlite3
import time
import zipfile
from xml.sax.saxutils import escape

from harness import TgleadTestCase

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def col_name(i):
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def xlsx(rows, sheet_xml=None):
    """A real .xlsx: strings shared, numbers (int/float) as numeric cells, None as a gap.
    `rows` maps sheet row numbers to cell lists, or is a list (rows 1..n)."""
    if isinstance(rows, list):
        rows = {i + 1: r for i, r in enumerate(rows)}
    shared, index = [], {}
    body = []
    for r in sorted(rows):
        cells = []
        for c, v in enumerate(rows[r]):
            ref = "%s%d" % (col_name(c), r)
            if v is None:
                continue
            if isinstance(v, bool):
                cells.append('<c r="%s" t="b"><v>%d</v></c>' % (ref, v))
            elif isinstance(v, (int, float)):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, repr(v) if isinstance(v, float) else v))
            else:
                if v not in index:
                    index[v] = len(shared)
                    shared.append(v)
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, index[v]))
        body.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    sheet = sheet_xml if sheet_xml is not None else (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet '
        'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>'
        % "".join(body))
    sst = ('<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           + "".join('<si><t xml:space="preserve">%s</t></si>' % escape(s) for s in shared) + "</sst>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/>'
                   '</Relationships>' % REL)
        z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   'xmlns:r="%s"><sheets><sheet name="Leads" sheetId="1" r:id="rId1"/></sheets></workbook>' % REL)
        z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/relationships"><Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
                   '<Relationship Id="rId2" Type="%s/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
                   % (REL, REL))
        z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


class ImportMixin:

    def upload(self, data, content_type, expect=200, **params):
        params.setdefault("region", "DE")
        status, _, body = self.raw("/api/contacts/import.json", params, method="POST", body=data,
                                   headers={"Content-Type": content_type})
        import json
        js = json.loads(body.decode("utf-8"))
        self.assertEqual(status, expect, js)
        return js["data"] if expect == 200 else js

    def wait_run(self, run_id, timeout=20.0):
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            run = self.ok("/api/contacts/imports/get.json", {"id": run_id})
            seen.append(run["state"])
            if run["state"] not in ("queued", "running"):
                return run, seen
            time.sleep(0.05)
        self.fail("import %s still %s after %ss" % (run_id, seen[-1], timeout))

    def contacts(self, **params):
        params.setdefault("limit", 200)
        data, _ = self.ok_list("/api/contacts/list.json", params)
        return data

    def error_rows(self, run_id):
        status, headers, raw = self.raw("/api/contacts/imports/errors.csv", {"id": run_id})
        self.assertEqual(status, 200)
        self.assertIn("text/csv", headers.get("Content-Type", ""))
        return list(csv.reader(io.StringIO(raw.decode("utf-8"))))


class ContactImportJobTest(ImportMixin, TgleadTestCase):

    def test_xlsx_upload_runs_in_background_with_errors_and_revert(self):
        self.ok("/api/contacts/add.json", method="POST", json_body={"username": "known_one", "first_name": "Known"})
        rows = {1: ["first_name", "username", "phone_number", "telegram_id", None, "tags"],
                2: ["Alina", "alina_k", "+49 171 1234567", 5318008421, None, "vip,eu"],
                3: ["Marco", "marco_it", 3012345678, 984312765.0, None, "eu"],  # Excel dropped the 0
                # row 4 is empty; 5 and 6 carry errors, 7 updates an existing contact
                5: ["=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0", None, None, None, None],
                6: ["Bad", "ok_name1", "+49 12", None, None, None],
                7: ["Known again", "KNOWN_ONE", None, None, None, "warm"],
                8: ["Alina", "alina_k", "+49 171 1234567", 5318008421, None, "vip,eu"]}
        run = self.upload(xlsx(rows), XLSX_TYPE, file_name="leads.xlsx")
        self.assertIn(run["state"], ("queued", "running", "done"))
        self.assertEqual(run["format"], "xlsx")
        done, seen = self.wait_run(run["id"])
        self.assertEqual(done["state"], "done", done)
        self.assertEqual(done["progress"]["percent"], 100)
        self.assertEqual(done["progress"]["done"], done["progress"]["total"])
        self.assertEqual((done["rows"], done["created"], done["updated"], done["duplicates"], done["error_count"]),
                         (6, 2, 1, 1, 2), done)
        self.assertEqual([(e["row"], e["column"]) for e in done["errors"]],
                         [(5, "username"), (6, "phone_number")])
        by_name = {c["username"]: c for c in self.contacts()}
        self.assertEqual(by_name["alina_k"]["telegram_id"], 5318008421)
        self.assertEqual(by_name["marco_it"]["telegram_id"], 984312765)
        self.assertEqual(by_name["marco_it"]["phone"], "+493012345678")
        self.assertEqual(by_name["known_one"]["first_name"], "Known again")

        rows_csv = self.error_rows(done["id"])
        self.assertEqual(rows_csv[0], ["row", "column", "reason"])
        self.assertEqual([r[:2] for r in rows_csv[1:]], [["5", "username"], ["6", "phone_number"]])
        self.assertIn("cmd|", rows_csv[1][2])
        for r in rows_csv:
            for cell in r:
                self.assertFalse(cell[:1] in ("=", "+", "-", "@"), "formula-like cell exported: %r" % cell)

        listed, total = self.ok_list("/api/contacts/imports.json")
        self.assertEqual(total, 1)
        self.assertEqual(listed[0]["id"], done["id"])

        reverted = self.ok("/api/contacts/imports/revert.json", {"id": done["id"]}, method="POST")
        self.assertEqual(reverted["state"], "reverted")
        self.assertEqual(reverted["revert"]["deleted"], 2)
        self.assertEqual([c["username"] for c in self.contacts()], ["known_one"])
        again = self.ok("/api/contacts/imports/revert.json", {"id": done["id"]}, method="POST")
        self.assertEqual(again["revert"], reverted["revert"])
        self.assertEqual(len(self.contacts()), 1)

        other = self.add_user("other@example.com")
        st, js = self.api("/api/contacts/imports/get.json", {"id": done["id"]}, key=other)
        self.assert_error((st, js), 404, "notfound")

    def test_csv_text_parameter_with_wait_and_identical_rows_once(self):
        body = ("username;phone_number;tags\n"
                "dup_row;+7 916 765 43 21;a,b\n"
                "dup_row;+7 916 765 43 21;a,b\n"
                "DUP_ROW;+7 (916) 765-43-21;b,a\n")
        r = self.ok("/api/contacts/import.json", method="POST", json_body={"csv": body, "wait": True})
        self.assertEqual(r["state"], "done")
        self.assertEqual((r["rows"], r["created"], r["duplicates"], r["error_count"]), (3, 1, 2, 0), r)
        self.assertEqual(len(self.contacts()), 1)
        # the raw-body upload of the same file changes nothing
        run = self.upload(body.encode("utf-8"), "text/csv")
        done, _ = self.wait_run(run["id"])
        self.assertEqual((done["created"], done["unchanged"], done["duplicates"]), (0, 1, 2), done)

    def test_check_reads_the_header_and_imports_nothing(self):
        self.ok("/api/fields/add.json", method="POST",
                json_body={"name": "spend", "label": "Total spend", "type": "number"})
        rows = {1: ["First Name", "Telegram", "phone", "Total Spend", "notes"],
                2: ["Alina", "alina_k", "+49 171 1234567", 12, "x"]}
        check = self.upload(xlsx(rows), XLSX_TYPE, file_name="leads.xlsx", check=1)
        self.assertEqual(check["format"], "xlsx")
        self.assertEqual([(c["header"], c["target"]) for c in check["columns"]],
                         [("First Name", "first_name"), ("Telegram", "username"), ("phone", "phone_number"),
                          ("Total Spend", "field:spend"), ("notes", "")])
        self.assertTrue(any("notes" in w for w in check["warnings"]), check)
        _, total = self.ok_list("/api/contacts/imports.json")
        self.assertEqual(total, 0)
        self.assertEqual(self.contacts(), [])
        bad = self.upload(b"first_name\nA\n", "text/csv", expect=400, check=1)
        self.assertIn("identifier", bad["message"])

    def test_upload_over_the_api_body_limit(self):
        """Files are bigger than API calls: the import path takes bodies past the 1 MiB that
        every other call is held to."""
        lines = ["first_name,username,telegram_id"]
        lines += ["Name%d,bulk_user_%d,%d" % (i, i, 7000000000 + i) for i in range(40000)]
        body = ("\n".join(lines) + "\n").encode("utf-8")
        self.assertGreater(len(body), 1 << 20)
        run = self.upload(body, "text/csv", file_name="big.csv")
        done, _ = self.wait_run(run["id"], timeout=60)
        self.assertEqual((done["state"], done["rows"], done["created"], done["error_count"]),
                         ("done", 40000, 40000, 0), done)
        _, total = self.ok_list("/api/contacts/list.json", {"limit": 1})
        self.assertEqual(total, 40000)
        status, _, _ = self.raw("/api/contacts/add.json", {}, method="POST", body=body,
                                headers={"Content-Type": "text/csv"})
        self.assertEqual(status, 413)

    def test_malformed_files(self):
        # refused at once
        for data, ctype, name, words in [
                (b"username\nalina_k\n", XLSX_TYPE, "x.xlsx", "not an XLSX"),
                (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 64, "application/octet-stream", "old.xls", ".xls"),
                (b"PK\x03\x04" + b"\0" * 40, XLSX_TYPE, "broken.xlsx", "XLSX"),
                (b"first_name,last_name\nA,B\n", "text/csv", "names.csv", "identifier column"),
                (b"", "text/csv", "empty.csv", "file")]:
            js = self.upload(data, ctype, expect=400, file_name=name)
            self.assertEqual(js["error"], "param")
            self.assertIn(words, js["message"])
        _, total = self.ok_list("/api/contacts/imports.json")
        self.assertEqual(total, 0)

        # bad quotes: a stray quote fails its row, an unterminated one ends the file
        csv_text = ('username,first_name\nquote_ok,"Fine, really"\nstray_q,"Broken"x\nlast_ok,Z\n'
                    'never_closed,"open\nmore text\n')
        done, _ = self.wait_run(self.upload(csv_text.encode(), "text/csv")["id"])
        self.assertEqual(done["state"], "failed")
        self.assertIn("never closed", done["fatal"])
        self.assertEqual(done["created"], 2)
        self.assertEqual([e["row"] for e in done["errors"]], [3, 5])

        # UTF-16 with BOM (Excel's "Unicode text"): read; Latin-1: a warning and row errors
        utf16 = "username\tfirst_name\nmuller_k\tMüller\n".encode("utf-16")
        done, _ = self.wait_run(self.upload(utf16, "text/csv")["id"])
        self.assertEqual((done["state"], done["created"]), ("done", 1), done)
        self.assertTrue(any("UTF-16" in w for w in done["warnings"]), done["warnings"])
        latin = "username,first_name\nschulz_k,Jürgen\n".encode("latin-1")
        done, _ = self.wait_run(self.upload(latin, "text/csv")["id"])
        self.assertTrue(any("not UTF-8" in w for w in done["warnings"]), done["warnings"])
        self.assertEqual(done["error_count"], 1)
        self.assertIn("UTF-8", done["errors"][0]["reason"])

        # huge cells fail their row only, in CSV and in XLSX
        huge = "x" * (70 * 1024)
        done, _ = self.wait_run(self.upload(("username,first_name\nbig_cell,%s\nsmall_cell,A\n" % huge).encode(),
                                            "text/csv")["id"])
        self.assertEqual((done["created"], done["error_count"]), (1, 1), done)
        self.assertIn("longer than", done["errors"][0]["reason"])
        done, _ = self.wait_run(self.upload(xlsx([["username", "first_name"], ["big_xlsx", huge],
                                                  ["small_xlsx", "B"]]), XLSX_TYPE)["id"])
        self.assertEqual((done["created"], done["error_count"]), (1, 1), done)
        self.assertIn("longer than", done["errors"][0]["reason"])

        # broken XML after some rows: the rows before stay, the run fails with the reason
        sheet = ('<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>username</t></is></c></row>'
                 '<row r="2"><c t="inlineStr"><is><t>before_break</t></is></c></row><row r="3"><c>')
        done, _ = self.wait_run(self.upload(xlsx([], sheet_xml=sheet), XLSX_TYPE)["id"])
        self.assertEqual(done["state"], "failed")
        self.assertIn("not well-formed", done["fatal"])
        self.assertEqual(done["created"], 1)
        self.assert_alive()

    def test_a_restart_fails_runs_it_interrupted(self):
        run = self.upload(b"username\nbefore_restart\n", "text/csv")
        self.wait_run(run["id"])
        self.stop_server()
        con = sqlite3.connect(self.db.split(":", 1)[1])
        cur = con.execute("INSERT INTO contact_imports (user_id, file_name, mode, started, state) "
                          "SELECT user_id, 'big.csv', 'create_update', 1, 'running' FROM contact_imports LIMIT 1")
        stale = cur.lastrowid
        con.commit()
        con.close()
        self.start_server()
        run = self.ok("/api/contacts/imports/get.json", {"id": stale})
        self.assertEqual(run["state"], "failed")
        self.assertIn("restart", run["fatal"])
        st, js = self.api("/api/contacts/imports/revert.json", {"id": stale}, method="POST")
        self.assertEqual(st, 200, js)
        self.assertEqual(js["data"]["state"], "reverted")


class ContactImportCliXlsxTest(ImportMixin, TgleadTestCase):

    def test_cli_imports_xlsx_with_progress_lines(self):
        path = os.path.join(self.tmp, "leads.xlsx")
        with open(path, "wb") as f:
            f.write(xlsx([["username", "phone_number", "telegram_id"],
                          ["cli_user1", "+49 171 1234567", 5318008421],
                          ["x", None, None]]))
        p = self.run_cli("import", "contacts", path, "--user", self.EMAIL, "--db", self.db, check=False)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("(xlsx, create_update)", p.stdout)
        self.assertIn("created: 1", p.stdout)
        self.assertIn("error: row 3: username: ", p.stdout)
        self.assertIn("importing: 100%", p.stderr)  # not a TTY: plain progress lines
        self.assertEqual(self.contacts()[0]["telegram_id"], 5318008421)
        listed, _ = self.ok_list("/api/contacts/imports.json")
        self.assertEqual((listed[0]["format"], listed[0]["state"]), ("xlsx", "done"))
