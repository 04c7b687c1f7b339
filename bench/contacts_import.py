#!/usr/bin/env python3
"""Times `tglead import contacts` (docs/benchmarks.md, "Contact import").

    python3 bench/contacts_import.py [--binary build/tglead] [--existing 1000000] [--rows 1000000] [--runs 1]
                                     [--compare /tmp/tglead-before] [--uncorrelated]

Each run uses a fresh database and account. First `--existing` contacts are imported (the
"existing" phase), then a file of `--rows` rows is imported into that full database (the
"import" phase, the figure the target is about): 90 % new contacts and 10 % rows for existing
ones (half of them with a changed name, so updated, half unchanged), all matched by dedup on
Telegram id, username and phone. Rows carry first/last name, a unique username, a unique phone
(mixed formats, default region DE: a third `+49 30 ...`, a third `+49-30-...`, a third national
`030 ...`), a Telegram id on half of them, a country, a language and two tags; 1 % are exact
duplicates of an earlier row and 1 % are invalid. Reports wall time of the whole process
(start-up and migrations included) and the peak RSS. With --compare, every run also times that
binary on the same files, side by side. The username, phone and Telegram id of a row all derive
from one number, so rows in number order are in index order for all three; --uncorrelated
derives them from three unrelated permutations instead (real files are like that). CPU is the
process's user + system time: on a shared machine it varies less than the wall time.
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

FIRST = ["Alina", "Marco", "Dmitry", "Olga", "Hans", "Maria", "Jean", "Lea", "Ivan", "Sofia"]
TAGS = ["vip", "crypto", "cold", "warm", "eu", "ru", "promo"]
HEADER = "first_name,last_name,username,phone_number,telegram_id,country,language,tags"


PRIME = 10000019  # above every row number: n -> (a * n + b) % PRIME is a permutation


def contact_row(rnd, n, first=None, uncorrelated=False):
    user, phone_number, tg_number = n, n, n
    if uncorrelated:
        user, phone_number, tg_number = [(a * n + b) % PRIME for a, b in ((7919, 13), (104729, 7), (1299709, 3))]
    phone = ["+49 30 %08d" % phone_number, "030 %08d" % phone_number, "+49-30-%08d" % phone_number][n % 3]
    tg = str(5000000000 + tg_number) if n % 2 == 0 else ""
    return '%s,Lastname%d,user_%d,%s,%s,DE,de,"%s,%s"' % (
        first or rnd.choice(FIRST), n, user, phone, tg, rnd.choice(TAGS), rnd.choice(TAGS))


def write_file(path, numbers, rnd, renamed=(), uncorrelated=False):
    lines = [HEADER]
    written = []
    renamed = set(renamed)
    for i, n in enumerate(numbers):
        if i > 100 and rnd.random() < 0.01:
            lines.append(rnd.choice(written))  # an identical row
            continue
        if rnd.random() < 0.01:
            lines.append("Bad,Row,ab,12,,,,")  # invalid username and phone
            continue
        row = contact_row(random.Random(n), n, "Renamed" if n in renamed else None, uncorrelated)
        lines.append(row)
        written.append(row)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def run(binary, path, db, email):
    started = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "maxrss_kb %M cpu %U %S", binary, "import", "contacts", path, "--user", email,
                        "--db", db, "--region", "DE", "--quiet"], capture_output=True, text=True, check=True)
    wall = time.monotonic() - started
    report = dict(re.findall(r"^(\w+): (\d+)", p.stdout, re.M))
    usage = re.search(r"maxrss_kb (\d+) cpu ([\d.]+) ([\d.]+)", p.stderr)
    return wall, report, int(usage.group(1)) // 1024, float(usage.group(2)) + float(usage.group(3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="build/tglead")
    ap.add_argument("--compare", help="another tglead binary to time on the same files")
    ap.add_argument("--existing", type=int, default=1000000)
    ap.add_argument("--rows", type=int, default=1000000)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--tmp", default=None, help="where the files and databases go (default: a temp dir)")
    ap.add_argument("--uncorrelated", action="store_true", help="unrelated username, phone and Telegram id")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="tglead-import-bench-", dir=args.tmp)
    try:
        rnd = random.Random(42)
        existing = list(range(1000000, 1000000 + args.existing))
        overlap = rnd.sample(existing, min(len(existing), args.rows // 10))
        new = list(range(5000000, 5000000 + args.rows - len(overlap)))
        numbers = new + overlap
        rnd.shuffle(numbers)
        existing_path = os.path.join(tmp, "existing.csv")
        import_path = os.path.join(tmp, "import.csv")
        write_file(existing_path, existing, random.Random(1), uncorrelated=args.uncorrelated)
        write_file(import_path, numbers, random.Random(2), renamed=overlap[::2], uncorrelated=args.uncorrelated)
        binaries = [("after", args.binary)] + ([("before", args.compare)] if args.compare else [])
        results = {name: [] for name, _ in binaries}
        for r in range(args.runs):
            for name, binary in binaries:
                db = "sqlite:%s" % os.path.join(tmp, "%s%d.db" % (name, r))
                subprocess.run([binary, "user", "add", "bench@example.com", "--db", db], capture_output=True,
                               check=True)
                wall0, report0, rss0, cpu0 = run(binary, existing_path, db, "bench@example.com")
                wall, report, rss, cpu = run(binary, import_path, db, "bench@example.com")
                results[name].append((wall, wall0))
                print("run %d %-6s existing: %7.2f s %7.0f rows/s  CPU %6.2f s  %4d MiB  %s" % (
                    r, name, wall0, args.existing / wall0, cpu0, rss0, report0))
                print("run %d %-6s import:   %7.2f s %7.0f rows/s  CPU %6.2f s  %4d MiB  %s" % (
                    r, name, wall, args.rows / wall, cpu, rss, report))
                for f in os.listdir(tmp):
                    if f.startswith("%s%d.db" % (name, r)):
                        os.remove(os.path.join(tmp, f))
        for name, _ in binaries:
            med = statistics.median(w for w, _ in results[name])
            med0 = statistics.median(w0 for _, w0 in results[name])
            print("%s: %d rows into %d existing: median %.2f s = %.0f rows/s (filling the %d: %.0f rows/s)" % (
                name, args.rows, args.existing, med, args.rows / med, args.existing, args.existing / med0))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
