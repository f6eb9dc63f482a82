"""The ``heavylegs`` command line (``spec/cli.md``).

Exit status: 0 done; 2 bad input (one line per problem on standard error,
nothing on standard output, nothing written); 1 a fault of the program.
Heavy libraries are imported only by the commands that need them, so
``heavylegs score`` starts quickly.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import signal
import sys
from pathlib import Path

from .errors import InputError, Problem

__all__ = ["main", "build_parser"]


# The load metrics of spec/device-load.md (kept here so the parser needs no pandas).
_METRICS = ("auto", "srpe", "trimp", "hrss", "rtss", "stress", "duration", "distance")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(
        prog="heavylegs",
        description="Why do this runner's legs feel heavy? Rank the likely causes, explain them, "
                    "and compute training load. Coaching support, not a diagnosis.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    score = sub.add_parser("score", help="rank the causes for one athlete profile")
    score.add_argument("profile", help="profile JSON file (format heavylegs.profile/1)")
    score.add_argument("--log", help="training log CSV whose load evidence joins the ranking")
    score.add_argument("--json", action="store_true", help="print the heavylegs.ranking/1 document")
    score.add_argument("--top", type=int, default=5, help="show the evidence of this many causes (text output)")
    score.add_argument("--metric", default="auto", choices=_METRICS,
                       help="load metric of the log's ratio evidence (default auto; see heavylegs load)")

    load = sub.add_parser("load", help="weekly training-load table of a training log")
    load.add_argument("log", help="training log CSV")
    load.add_argument("--until", help="last day of the series, YYYY-MM-DD (default: the log's last date)")
    load.add_argument("--metric", default="auto", choices=_METRICS,
                      help="load metric of the ratio columns (default auto: sRPE when half the sessions "
                           "have an RPE, else heart-rate/pace stress)")
    load.add_argument("--profile", help="profile JSON file giving heart-rate and pace thresholds, age and sex")
    fmt = load.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help='print {"format": "heavylegs.load/1", "weeks": [...]}')
    fmt.add_argument("--csv", action="store_true", help="print the table as CSV")

    imp = sub.add_parser("import", help="turn activity files or a Strava export into a training log")
    imp.add_argument("sources", nargs="+", metavar="SOURCE",
                     help=".fit/.gpx/.tcx (also .gz), folders of them, a Strava export folder or .zip")
    imp.add_argument("-o", "--output", required=True, metavar="LOG", help="training log CSV to write")
    imp.add_argument("--append", action="store_true",
                     help="merge with the sessions already in LOG instead of replacing it")
    imp.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    exp = sub.add_parser("export", help="write the athlete's dashboard as one standalone HTML file")
    exp.add_argument("athlete", help="athlete id (a profile in DATA/athletes/)")
    exp.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the HTML into")
    exp.add_argument("--data", metavar="DIR", help="data folder (default: ./data or $HEAVYLEGS_DATA_DIR)")

    srv = sub.add_parser("serve", help="serve the athlete's dashboard with Voila on 127.0.0.1")
    srv.add_argument("athlete", help="athlete id (a profile in DATA/athletes/)")
    srv.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    srv.add_argument("--data", metavar="DIR", help="data folder (default: ./data or $HEAVYLEGS_DATA_DIR)")
    return parser


def _parse_date(text, source="--until"):
    try:
        return _dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InputError([Problem(source, f"found {text!r}, expected a date YYYY-MM-DD")]) from None


def _cmd_score(args, out):
    from .profile import read_profile
    from .scoring import format_ranking, score_profile

    profile = read_profile(args.profile)
    facts = None
    if args.log:
        from .load import log_facts
        from .traininglog import read_log

        log = read_log(args.log)
        facts = log_facts(log, until=profile["assessed_on"], metric=args.metric, profile=profile)
    doc = score_profile(profile, log_facts=facts)
    if args.json:
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_ranking(doc, top=args.top) + "\n")


def _cmd_load(args, out):
    from .deviceload import load_summary
    from .load import weekly_display, weekly_records, weekly_table
    from .traininglog import read_log

    until = _parse_date(args.until) if args.until else None
    profile = None
    if args.profile:
        from .profile import read_profile

        profile = read_profile(args.profile)
    log = read_log(args.log)
    table = weekly_table(log, until=until, metric=args.metric, profile=profile)
    if args.json:
        summary = load_summary(log, profile, metric=args.metric, until=until)
        out.write(json.dumps({"format": "heavylegs.load/1", "load": summary, "weeks": weekly_records(table)},
                             indent=2, ensure_ascii=False) + "\n")
    elif args.csv:
        records = weekly_records(table)
        import csv

        writer = csv.DictWriter(out, fieldnames=list(table.columns), lineterminator="\n")
        writer.writeheader()
        for row in records:
            writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250):
            out.write(weekly_display(table).to_string(index=False, na_rep="-") + "\n")
        for line in _summary_lines(load_summary(log, profile, metric=args.metric, until=until)):
            out.write(line + "\n")


def _summary_lines(summary) -> list:
    """The load summary for a person: the metric and why, the thresholds, the estimates."""
    lines = [f"load metric: {summary['metric']} ({summary['why']})"]
    names = {"hr_max": "max HR", "hr_rest": "rest HR", "lthr": "threshold HR", "threshold_pace": "threshold pace"}
    for key, label in names.items():
        item = summary["thresholds"][key]
        if item["value"] is None:
            lines.append(f"  {label}: {item['how']}")
        elif item["unit"] == "min/km":
            minutes, seconds = divmod(round(item["value"] * 60), 60)
            lines.append(f"  {label}: {minutes}:{seconds:02d} min/km, {item['how']}")
        else:
            lines.append(f"  {label}: {item['value']:.0f} bpm, {item['how']}")
    estimated = summary["estimated"]
    lines.append(f"  {summary['sessions']} sessions: sRPE estimated for {estimated['session_type']} by "
                 f"session type and {estimated['hr_calibrated']} from heart rate; heart rate from the "
                 f"average only for {estimated['hr_from_average']}; {summary['missing']} without a value "
                 f"in {summary['metric']}")
    if summary["hr_max_note"]:
        lines.append(f"  note: {summary['hr_max_note']}")
    return lines


def _cmd_import(args, out):
    from .importers import import_sources, summary_lines
    from .traininglog import read_log, write_log

    missing = [s for s in args.sources if not Path(s).exists()]
    if missing:
        raise InputError([Problem(s, "no such file or folder, expected an activity file, a folder "
                                     "or a Strava export") for s in missing])
    existing = None
    if args.append and Path(args.output).exists():
        existing = read_log(args.output)  # a bad existing log stops here, before anything is written
    bar = None
    progress = None
    if not args.no_progress and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=0, unit="file", desc="importing", file=sys.stderr)

        def progress(done, total):
            bar.total = total
            bar.n = done
            bar.refresh()
    try:
        result = import_sources(args.sources, progress=progress)
    finally:
        if bar is not None:
            bar.close()
    log = result.log
    if existing is not None:
        import pandas as pd

        from .traininglog import drop_duplicate_sessions

        log, _ = drop_duplicate_sessions(pd.concat([existing, log], ignore_index=True))
        log = log.sort_values("date", kind="stable").reset_index(drop=True)
    if result.sessions == 0 and result.failed:
        raise InputError([Problem(str(path), reason) for path, reason in result.failed])
    write_log(log, args.output)
    for line in summary_lines(result):
        out.write(line + "\n")
    out.write(f"wrote {len(log)} sessions to {args.output}\n")


def _check_athlete(athlete_id, data):
    from .storage import athlete_paths, default_data_dir, validate_athlete_id

    validate_athlete_id(athlete_id, "ATHLETE")
    data_dir = Path(data) if data else default_data_dir()
    paths = athlete_paths(data_dir, athlete_id)
    if not paths["profile"].exists():
        raise InputError([Problem(str(paths["profile"]), f"no profile for athlete {athlete_id!r}, "
                                                          "expected a file DATA/athletes/<id>.json")])
    return data_dir


def _cmd_export(args, out):
    data_dir = _check_athlete(args.athlete, args.data)
    from .dashboard import export_dashboard

    path = export_dashboard(args.athlete, args.output, data_dir=data_dir)
    out.write(f"wrote {path}\n")


def _cmd_serve(args, out):
    data_dir = _check_athlete(args.athlete, args.data)
    if not 1 <= args.port <= 65535:
        raise InputError([Problem("--port", f"found {args.port}, expected a port from 1 to 65535")])
    from .dashboard import serve_dashboard

    server = serve_dashboard(args.athlete, port=args.port, data_dir=data_dir, out=out)
    try:
        status = server.wait()  # until Ctrl+C or until Voila ends
    except KeyboardInterrupt:  # the way a user ends it: a clean stop, status 0
        out.write("Stopped the dashboard server.\n")
        return 0
    finally:
        server.stop()  # idempotent: also removes the temporary folder
    if status in (0, -signal.SIGTERM, -signal.SIGINT):
        return 0
    sys.stderr.write(f"heavylegs: the dashboard server (voila) stopped on its own with status {status}\n")
    return 1


_COMMANDS = {"score": _cmd_score, "load": _cmd_load, "import": _cmd_import,
             "export": _cmd_export, "serve": _cmd_serve}


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    out = sys.stdout
    try:
        status = _COMMANDS[args.command](args, out)
    except InputError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("heavylegs: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0
    return status if isinstance(status, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
