"""The bad-input corpus: how many inputs gave a clean error; prints the figures.

Run from the repository root::

    python benchmarks/bench_bad_input.py [--workers 2]

Builds the generated corpus of ``tests/bad_input_corpus.py`` (malformed
profiles, logs, activity files and archives, bombs, pipes and links to
``/dev/zero``) in a temporary folder and runs every case through
``heavylegs.cli.main`` in worker processes limited to 3 GiB of address space.
Prints: tried, clean outcomes (of which refused with exit 2, and imports
that went on with the other files), tracebacks, hangs, out of memory,
unexpected outcomes, the peak memory of a worker and the slowest cases.
The targets are 0 tracebacks, 0 hangs and 0 out of memory.
"""
from __future__ import annotations

import argparse
import collections
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
import bad_input_corpus as corpus  # noqa: E402  (tests/bad_input_corpus.py)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="heavylegs-bad-input-") as folder:
        run = corpus.run_corpus(folder, workers=args.workers, timeout_s=900)
    cases = run["cases"]
    results = run["results"]
    outcomes = collections.Counter(result["outcome"] for result in results)
    outcomes["hang"] += len(run["hung"])  # a worker stopped while it ran these
    kinds = collections.Counter(case.argv[0] for case in cases)
    refused = sum(1 for r in results if r["outcome"] == "clean" and r["status"] == 2)
    went_on = sum(1 for r in results if r["outcome"] == "clean" and r["status"] == 0)
    print(f"corpus: {len(cases)} inputs ({', '.join(f'{k} {n}' for k, n in sorted(kinds.items()))}), "
          f"built in {run['build_s']:.1f} s, run in {run['run_s']:.1f} s by {args.workers} workers")
    print(f"tried                {len(cases)}")
    print(f"clean                {outcomes['clean']}  (exit 2: {refused}; exit 0, bad input reported "
          f"or still readable: {went_on})")
    print(f"tracebacks           {outcomes['traceback']}")
    print(f"hangs                {outcomes['hang']}")
    print(f"out of memory        {outcomes['out of memory']}")
    print(f"unexpected outcome   {outcomes['unexpected']}")
    print(f"peak memory of a worker: {run['peak_rss_kib'] / 1024:.0f} MiB")
    slowest = sorted(results, key=lambda r: -r["seconds"])[:5]
    print("slowest: " + ", ".join(f"{r['name']} {r['seconds']:.2f} s" for r in slowest))
    for result in results:
        if result["outcome"] != "clean":
            print(f"  {result['name']}: {result['outcome']}: {result['detail'][:300]}")
    for name in run["hung"]:
        print(f"  {name}: hang (the worker was stopped)")


if __name__ == "__main__":
    main()
