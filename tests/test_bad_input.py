"""Bad input never crashes, hangs, exhausts memory or writes anything (issue 9).

A generated corpus of malformed profiles, logs, activity files and archives
(``tests/bad_input_corpus.py``: mutations of the files in
``tests/data/activities``, bombs generated small at test time, odd files such
as pipes and links to ``/dev/zero``) goes through ``heavylegs.cli.main`` in
two worker processes, each limited to 3 GiB of address space and stopped
after a generous time (a hang fails the test, it never stalls it).
"""
import collections

import bad_input_corpus as corpus

# Generous: the corpus takes about 30 s on two busy cores; a hang is far beyond.
HANG_GUARD_S = 600
# Peak resident memory of a worker process [KiB]; the corpus needs about 350 MiB.
MAX_WORKER_RSS_KIB = 1024 * 1024


def test_corpus_gives_clean_errors_only(tmp_path):
    run = corpus.run_corpus(tmp_path, workers=2, timeout_s=HANG_GUARD_S)
    cases = run["cases"]
    assert len(cases) >= 300
    kinds = collections.Counter(case.argv[0] for case in cases)
    assert kinds["score"] >= 100 and kinds["load"] >= 50 and kinds["import"] >= 150, kinds
    assert run["hung"] == [], f"hung or died: {run['hung']}\n{run['died']}"
    results = {result["name"]: result for result in run["results"]}
    assert sorted(results) == sorted(case.name for case in cases)
    problems = [f"{name}: {result['outcome']}: {result['detail'][:800]}"
                for name, result in results.items() if result["outcome"] != "clean"]
    assert problems == [], "\n".join(problems)
    assert 0 < run["peak_rss_kib"] < MAX_WORKER_RSS_KIB

    # The inputs named in issue 9 are all there, each with the outcome it must have.
    names = {case.name: case for case in cases}
    for name in ("load/date-1000-01-01", "load/until='9999-12-31'", "load/until='2026-09-30'",
                 "profile/assessed-9999-with-log", "import/gzip-bomb-fit", "strava/zip-bomb-2gib",
                 "import/gzip-bomb-gpx", "import/devzero", "import/fifo", "strava/zip-encrypted",
                 "strava/zip-deflate64", "profile/deep-array-1000", "export/o-existing-file",
                 "profile/surrogate-name", "profile/x-NaN", "profile/age-arabic-digits",
                 "score/top='-5'", "score/top='0'", "import/gpx-year-9999", "strava/date-year-9999"):
        assert names[name].expect == 2, name
    for name in ("import/gzip-bomb-fit-with-good", "import/fifo-with-good", "import/devzero-with-good",
                 "strava/zip-encrypted-with-good", "strava/zip-deflate64-with-good",
                 "import/gpx-year-9999-with-good", "strava/formula-injection"):
        assert names[name].expect == 0, name
