#!/usr/bin/env python3
"""Times `tglead import contacts` on a generated CSV (docs/benchmarks.md, "Contact import").

    python3 bench/contacts_import.py [--binary build/tglead] [--rows 100000] [--runs 3]

Each run uses a fresh database and account. Rows carry first/last name, a unique username,
a unique phone (mixed formats, default region DE), a Telegram id on half of them, a country,
a language and two tags; 1% are exact duplicates of an earlier row and 1% are invalid. A
second import of the same file into the now-full database measures the all-updates path
(dedup hits on every row).
"""
import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time


def make_csv(path, rows, seed=42):
    rnd = random.Random(seed)
    first = ["Alina", "Marco", "Dmitry", "Olga", "Hans", "Maria", "Jean", "Lea", "Ivan", "Sofia"]
    tags = ["vip", "crypto", "cold", "warm", "eu", "ru", "promo"]
    lines = ["first_name,last_name,username,phone_number,telegram_id,country,language,tags"]
    written = []
    for i in range(rows):
        if i > 100 and rnd.random() < 0.01:
            lines.append(rnd.choice(written))  # an identical row
            continue
        if rnd.random() < 0.01:
            lines.append("Bad,Row,ab,12,,,,")  # invalid username and phone
            continue
        n = 1000000 + i
        phone = ["+49 30 %08d" % n, "030 %08d" % n, "+49-30-%08d" % n][i % 3]
        tg = str(5000000000 + i) if i % 2 == 0 else ""
        row = '%s,Lastname%d,user_%d,%s,%s,DE,de,"%s,%s"' % (
            rnd.choice(first), i, n, phone, tg, rnd.choice(tags), rnd.choice(tags))
        lines.append(row)
        written.append(row)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def run(binary, csv_path, db, email):
    started = time.monotonic()
    p = subprocess.run([binary, "import", "contacts", csv_path, "--user", email, "--db", db,
                        "--region", "DE", "--quiet"], capture_output=True, text=True, check=True)
    wall = time.monotonic() - started
    report = dict(re.findall(r"^(\w+): (\d+)", p.stdout, re.M))
    return wall, report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/tglead")
    ap.add_argument("--rows", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="tglead-import-bench-")
    try:
        csv_path = os.path.join(tmp, "contacts.csv")
        make_csv(csv_path, args.rows)
        fresh, again = [], []
        for r in range(args.runs):
            db = "sqlite:%s" % os.path.join(tmp, "run%d.db" % r)
            subprocess.run([args.binary, "user", "add", "bench@example.com", "--db", db],
                           capture_output=True, check=True)
            wall, report = run(args.binary, csv_path, db, "bench@example.com")
            fresh.append(wall)
            print("run %d fresh:  %.2f s  %s" % (r, wall, report))
            wall, report2 = run(args.binary, csv_path, db, "bench@example.com")
            again.append(wall)
            print("run %d reimport: %.2f s  %s" % (r, wall, report2))
        med = statistics.median(fresh)
        med2 = statistics.median(again)
        print("rows: %d; fresh import median %.2f s = %.0f rows/s; re-import (all dedup hits) "
              "median %.2f s = %.0f rows/s" % (args.rows, med, args.rows / med, med2, args.rows / med2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
