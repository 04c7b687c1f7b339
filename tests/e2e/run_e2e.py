#!/usr/bin/env python3
"""Run the tglead black-box end-to-end suite.

    python3 tests/e2e/run_e2e.py [--binary PATH] [-k PATTERN ...] [-v] [-f]

The binary defaults to $TGLEAD_BINARY, then /work/main/build/tglead.
Exit code is non-zero when any test fails or errors.
"""

import argparse
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", help="path to the tglead binary")
    ap.add_argument("-k", dest="patterns", action="append", default=[],
                    help="only run tests whose id contains this substring (repeatable)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("-f", "--failfast", action="store_true")
    args = ap.parse_args(argv)

    if args.binary:
        os.environ["TGLEAD_BINARY"] = os.path.abspath(args.binary)
    sys.path.insert(0, HERE)
    binary = os.environ.get("TGLEAD_BINARY", "/work/main/build/tglead")
    if not os.access(binary, os.X_OK):
        print("tglead binary not found or not executable: %s" % binary, file=sys.stderr)
        return 2

    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = ["*%s*" % p for p in args.patterns]
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    runner = unittest.TextTestRunner(verbosity=2 if args.verbose else 1,
                                     failfast=args.failfast)
    result = runner.run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
