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
import os
import re
import signal
import sys
from pathlib import Path

from heavylegs.errors import InputError, Problem, check_date_range, date_range_text
from heavylegs.vocabulary import LOAD_METRICS  # the load metrics of spec/device-load.md, without pandas

__all__ = ["main", "build_parser"]


def _ascii_int(text: str) -> int:
    """An argparse type: a whole number in ASCII digits (``int()`` also reads "٣" and "1_0")."""
    if not re.fullmatch(r"[+-]?[0-9]+", text.strip(), re.ASCII) or len(text.strip()) > 18:
        raise argparse.ArgumentTypeError(f"found {text!r}, expected a whole number such as 5")
    return int(text)


_DATA_HELP = ("data folder holding athletes/ (default: $HEAVYLEGS_DATA_DIR, else ./data, else the one the package "
              "was installed with: the checkout's data/, or the sample athletes inside an installed package)")



def build_parser(only=None) -> argparse.ArgumentParser:
    """The argument parser of every sub-command.

    Parameters
    ----------
    only : str, optional
        Build just this sub-command (what :func:`main` does once the command is known: argparse
        spends a few milliseconds on each sub-parser, which ``heavylegs score`` cannot spare).
    """
    parser = argparse.ArgumentParser(
        prog="heavylegs",
        description="Why do this runner's legs feel heavy? Rank the likely causes, explain them, "
                    "and compute training load. Coaching support, not a diagnosis.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    if only in (None, "score"):
        score = sub.add_parser("score", help="rank the causes for one athlete profile")
        score.add_argument("profile", help="profile JSON file (format heavylegs.profile/1)")
        score.add_argument("--log", help="training log CSV whose load evidence joins the ranking")
        score.add_argument("--json", action="store_true", help="print the heavylegs.ranking/1 document")
        score.add_argument("--top", default="5", help="show the evidence of this many causes (text output)")
        score.add_argument("--metric", default="auto", choices=LOAD_METRICS,
                           help="load metric of the log's ratio evidence (default auto; see heavylegs load)")
        score.add_argument("--checkins", metavar="CHECKINS",
                           help="check-in CSV whose patterns join the evidence (spec/checkins.md)")
        score.add_argument("--wellness", metavar="WELLNESS",
                           help="wellness CSV (sleep, resting HR, HRV from a watch or ring; spec/wellness.md) whose "
                                "baselines fill unknown answers and join the evidence")

    if only in (None, "checkins"):
        checkins = sub.add_parser("checkins", help="daily check-ins: import form or spreadsheet exports")
        checkins_sub = checkins.add_subparsers(dest="checkins_command", required=True, metavar="ACTION")
        checkins_import = checkins_sub.add_parser("import", help="turn check-in exports (CSV) into a check-in file")
        checkins_import.add_argument("files", nargs="+", metavar="FILE", help="CSV exports of a form or spreadsheet")
        checkins_import.add_argument("-o", "--output", required=True, metavar="CHECKINS",
                                     help="check-in CSV to write; check-ins already in it are kept, "
                                          "a day in the exports replaces the same day")

    if only in (None, "wellness"):
        wel = sub.add_parser("wellness", help="sleep, resting heart rate and HRV from watches and rings")
        wel_sub = wel.add_subparsers(dest="wellness_command", required=True, metavar="ACTION")
        wel_import = wel_sub.add_parser("import", help="turn Garmin, Apple, Fitbit, Oura, WHOOP or CSV exports "
                                                       "into the athlete's wellness.csv")
        wel_import.add_argument("files", nargs="+", metavar="FILE",
                                help="exports: Garmin .zip or JSON, Apple export.zip/export.xml, Fitbit Takeout, "
                                     "Oura CSV/JSON, WHOOP CSV, any wellness CSV; folders of them")
        wel_target = wel_import.add_mutually_exclusive_group(required=True)
        wel_target.add_argument("-o", "--output", metavar="WELLNESS",
                                help="wellness CSV to write, e.g. data/athletes/<id>/wellness.csv; rows of other "
                                     "sources and other days are kept")
        wel_target.add_argument("--athlete", metavar="ID", help="write DATA/athletes/ID/wellness.csv")
        wel_import.add_argument("--data", metavar="DIR", help=_DATA_HELP)

    if only in (None, "load"):
        load = sub.add_parser("load", help="weekly training-load table of a training log")
        load.add_argument("log", help="training log CSV")
        load.add_argument("--until", help="last day of the series, YYYY-MM-DD (default: the log's last date)")
        load.add_argument("--metric", default="auto", choices=LOAD_METRICS,
                          help="load metric of the ratio columns (default auto: sRPE when half the sessions "
                               "have an RPE, else heart-rate/pace stress)")
        load.add_argument("--profile", help="profile JSON file giving heart-rate and pace thresholds, age and sex")
        fmt = load.add_mutually_exclusive_group()
        fmt.add_argument("--json", action="store_true", help='print {"format": "heavylegs.load/1", "weeks": [...]}')
        fmt.add_argument("--csv", action="store_true", help="print the table as CSV")

    if only in (None, "import"):
        imp = sub.add_parser("import", help="turn activity files or a Strava export into a training log")
        imp.add_argument("sources", nargs="+", metavar="SOURCE",
                         help=".fit/.gpx/.tcx (also .gz), folders of them, a Strava export folder or .zip")
        imp.add_argument("-o", "--output", required=True, metavar="LOG", help="training log CSV to write")
        imp.add_argument("--append", action="store_true",
                         help="merge with the sessions already in LOG instead of replacing it")
        imp.add_argument("--no-progress", action="store_true", help="do not draw a progress bar")

    if only in (None, "export"):
        exp = sub.add_parser("export", help="write the athlete's dashboard as one standalone HTML file")
        exp.add_argument("athlete", help="athlete id (a profile in DATA/athletes/)")
        exp.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the HTML into")
        exp.add_argument("--data", metavar="DIR", help=_DATA_HELP)

    if only in (None, "serve"):
        srv = sub.add_parser("serve", help="serve the athlete's dashboard with Voila on 127.0.0.1")
        srv.add_argument("athlete", help="athlete id (a profile in DATA/athletes/)")
        srv.add_argument("--port", type=_ascii_int, default=8866, help="port (default 8866)")
        srv.add_argument("--data", metavar="DIR", help=_DATA_HELP)

    if only in (None, "plan"):
        pln = sub.add_parser("plan", help="write the athlete's two-week plan as plan.ics, plan.html and plan.json")
        pln.add_argument("athlete", help="athlete id (a profile in DATA/athletes/)")
        pln.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write the files into")
        pln.add_argument("--start", help="first day of the plan, YYYY-MM-DD (default: the day after the assessment)")
        pln.add_argument("--data", metavar="DIR", help=_DATA_HELP)

    if only in (None, "squad"):
        sqd = sub.add_parser("squad", help="one row per athlete of the data folder: red flags first")
        sqd.add_argument("--data", metavar="DIR", help=_DATA_HELP)
        sqd.add_argument("--today", help="the day the squad is looked at, YYYY-MM-DD (default: today)")
        sqd_fmt = sqd.add_mutually_exclusive_group()
        sqd_fmt.add_argument("--json", action="store_true", help='print {"format": "heavylegs.squad/1", ...}')
        sqd_fmt.add_argument("--csv", action="store_true", help="print the rows as CSV")
        sqd_fmt.add_argument("--serve", action="store_true",
                             help="serve the squad view read-only with Voila on 127.0.0.1 (token, Host check)")
        sqd.add_argument("--port", type=_ascii_int, default=8867, help="port of --serve (default 8867)")

    if only in (None, "roster"):
        rst = sub.add_parser("roster", help="a roster CSV: many athletes at once")
        rst_sub = rst.add_subparsers(dest="roster_command", required=True, metavar="ACTION")
        rst_import = rst_sub.add_parser("import", help="create or update the athletes of a roster CSV")
        rst_import.add_argument("roster", metavar="ROSTER", help="roster CSV (profile field names as columns)")
        rst_import.add_argument("--data", metavar="DIR", help=_DATA_HELP)
        rst_import.add_argument("--dry-run", action="store_true", help="check and say what would change; write nothing")
        rst_import.add_argument("--overwrite", action="store_true",
                                help="allow changing answers the coach already entered (listed in the output)")
    if only in (None, "portal"):
        _add_portal_parser(sub)
    if only in (None, "samples"):
        smp = sub.add_parser("samples", help="copy the fictional sample athletes into DIR (default ./data) "
                                             "so every example of the README works from any folder")
        smp.add_argument("folder", nargs="?", default="data", metavar="DIR",
                         help="folder to copy them into (default: data); no file there is ever overwritten")
    return parser


def _add_portal_parser(sub) -> None:
    """``heavylegs portal``: the athlete portal (``spec/portal.md``), its links and their revocation."""
    ptl = sub.add_parser("portal", help="serve every athlete's own pages and daily check-in (one server, "
                                        "a secret link per athlete)")
    ptl.add_argument("--data", metavar="DIR", help=_DATA_HELP)
    ptl.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1; 0.0.0.0 for phones on the same network)")
    ptl.add_argument("--port", type=_ascii_int, default=8870, help="port (default 8870)")
    ptl.add_argument("--public-url", metavar="URL",
                     help="the address links are written with behind a TLS reverse proxy, "
                          "e.g. https://team.example.org/legs (docs/portal.md)")
    ptl_sub = ptl.add_subparsers(dest="portal_command", required=False, metavar="ACTION")
    link = ptl_sub.add_parser("link", help="print an athlete's link (a new one each time; earlier ones keep "
                                           "working until revoked)")
    link.add_argument("athlete", nargs="?", help="athlete id (a profile in DATA/athletes/)")
    link.add_argument("--all", action="store_true", help="a new link for every athlete, as a table to paste")
    link.add_argument("--qr", nargs="?", const="-", metavar="OUT.png",
                      help="also draw the link's QR code: in the terminal, or as a PNG file")
    link.add_argument("--data", metavar="DIR", help=_DATA_HELP, dest="link_data")
    revoke = ptl_sub.add_parser("revoke", help="end every link of an athlete at once")
    revoke.add_argument("athlete", help="athlete id")
    revoke.add_argument("--data", metavar="DIR", help=_DATA_HELP, dest="link_data")


def _parse_date(text, source="--until"):
    """A date option: ``YYYY-MM-DD`` in ASCII digits, from 1900 to 2100."""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text, re.ASCII):
            raise ValueError(text)
        day = _dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InputError([Problem(source, f"found {text!r}, expected {date_range_text()} "
                                          "written YYYY-MM-DD")]) from None
    out_of_range = check_date_range(day)
    if out_of_range:
        raise InputError([Problem(source, out_of_range)])
    return day


def _check_top(text) -> int:
    """``--top`` as an int from 1 to the number of causes, in ASCII digits."""
    from heavylegs.knowledge.causes import load_causes

    most = len(load_causes())
    text = str(text).strip()
    top = int(text) if re.fullmatch(r"[+-]?[0-9]{1,9}", text, re.ASCII) else None
    if top is None or not 1 <= top <= most:
        raise InputError([Problem("--top", f"found {text!r}, expected a whole number from 1 to {most} "
                                           "(the causes in the catalogue)")])
    return top


def _cmd_score(args, out):
    from heavylegs.store.profiles import read_profile
    from heavylegs.analysis.scoring import format_ranking, score_profile

    top = _check_top(args.top)
    profile = read_profile(args.profile)
    if args.log or args.checkins or args.wellness:
        from heavylegs.analysis.pipeline import assess

        log = None
        if args.log:
            from heavylegs.logs.traininglog import read_log

            log = read_log(args.log)
        checkins = None
        if args.checkins:
            from heavylegs.logs.checkins import read_checkins

            checkins = read_checkins(args.checkins)
        wellness = None
        if args.wellness:
            from heavylegs.logs.wellness import read_wellness

            wellness = read_wellness(args.wellness)
        doc = assess(profile, log, checkins=checkins, metric=args.metric, wellness=wellness).ranking
    else:
        doc = score_profile(profile)
    if args.json:
        out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(format_ranking(doc, top=top) + "\n")
        if doc.get("patterns") is not None:
            out.write(_patterns_text(doc["patterns"]) + "\n")


def _patterns_text(patterns) -> str:
    """The check-ins' patterns as text: the reported ones, then the ones not seen."""
    reported = [p for p in patterns if p["reported"]]
    lines = ["", "Patterns in the check-ins (the 180 days up to the assessment):"]
    lines += [f"  + {p['because']} (p = {p['p']:.4f})" for p in reported] or ["  none reported"]
    lines += [f"  - {p['id']}: {p['because']}" for p in patterns if not p["reported"]]
    return "\n".join(lines)


def _cmd_load(args, out):
    from heavylegs.engine.device_load import load_summary
    from heavylegs.engine.load import weekly_display, weekly_records, weekly_table
    from heavylegs.logs.traininglog import read_log

    until = _parse_date(args.until) if args.until is not None else None
    profile = None
    if args.profile:
        from heavylegs.store.profiles import read_profile

        profile = read_profile(args.profile)
    log = read_log(args.log)
    if until is not None and len(log) and until < log["date"].min().date():
        first = log["date"].min().date().isoformat()
        raise InputError([Problem("--until", f"found {until.isoformat()}, which is before the first "
                                             f"session of {args.log} ({first}), expected a date "
                                             f"from {first} on")])
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


def _check_output_file(output: str, what: str = "training-log CSV file", example: str = "log.csv") -> None:
    """Refuse an output path that can never be written as a regular file, before any work."""
    from heavylegs.files import check_output_file

    path = Path(output)
    if output and path.is_dir():
        raise InputError([Problem(output, f"is a folder, expected the path of a {what} "
                                          "to write, e.g. " + str(path / example))])
    check_output_file(output, f"the path of a {what} to write")


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def _sources_text(sources) -> str:
    shown = ", ".join(str(s) for s in sources[:3])
    return shown + (f" and {len(sources) - 3} more" if len(sources) > 3 else "")


def _cmd_import(args, out):
    from heavylegs.logs.formats import import_sources, summary_lines
    from heavylegs.logs.traininglog import merge_logs, read_log, write_log

    missing = [s for s in args.sources if not os.path.lexists(s)]  # a broken link is reported by name
    if missing:
        raise InputError([Problem(s, "no such file or folder, expected an activity file, a folder "
                                     "or a Strava export") for s in missing])
    _check_output_file(args.output)
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
    if result.sessions == 0 and result.failed:
        raise InputError([Problem(str(path), reason) for path, reason in result.failed])
    sources = _sources_text(args.sources)
    if result.sessions == 0:
        # An import that adds nothing never replaces a log.
        left_out = sum(result.skipped.values())
        found = (f"found only {_count(left_out, 'activity', 'activities')} with no training load" if left_out
                 else f"found no session in {_count(result.files_read, 'input')} read")
        raise InputError([Problem(sources, f"{found}, expected .fit, .gpx or .tcx files (also .gz) or a "
                                           f"Strava export; nothing written to {args.output}")])
    log = result.log
    if existing is not None:
        log, _ = merge_logs(existing, log)
        if len(log) == len(existing):
            raise InputError([Problem(sources, f"found {_count(result.sessions, 'session')}, all already in "
                                               f"{args.output}, expected at least one new session; "
                                               f"{args.output} left as it was")])
    write_log(log, args.output)
    for line in summary_lines(result):
        out.write(line + "\n")
    if existing is not None:
        out.write(f"added {_count(len(log) - len(existing), 'new session')} to the {len(existing)} already there\n")
    out.write(f"wrote {len(log)} sessions to {args.output}\n")


def _cmd_checkins(args, out):
    from heavylegs.logs.checkins import import_checkins, read_checkins, update_checkins

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        raise InputError([Problem(f, "no such file, expected a CSV export of check-ins") for f in missing])
    _check_output_file(args.output, "check-in CSV file", "checkins.csv")
    output = Path(args.output)
    existed = output.exists()
    if existed:
        read_checkins(output)  # a bad file stops here, before the exports are read
    result = import_checkins(args.files)
    if len(result.checkins) == 0:
        raise InputError([Problem(_sources_text(args.files), f"found no check-in, expected rows with a date "
                                                             f"and a heaviness; nothing written to {args.output}")])
    # Read, merged and written under the folder's lock: a concurrent import or entry is never lost.
    saved = update_checkins(output, result.checkins)
    checkins, replaced, existing = saved["checkins"], saved["replaced"], saved["existing"]
    for source, mapping in result.mapping.items():
        mapped = ", ".join(f"{h!r} → {c}" for h, c in mapping.items() if h != c)
        if mapped:
            out.write(f"{source}: mapped {mapped}\n")
        if result.unmapped.get(source):
            out.write(f"{source}: left out the columns it could not map: "
                      f"{', '.join(repr(h) for h in result.unmapped[source])}\n")
    for note in result.replaced:
        out.write(note + "\n")
    if existed or existing:
        out.write(f"kept {existing - len(replaced)} check-ins already in {args.output}, "
                  f"replaced {len(replaced)}\n")
    out.write(f"wrote {len(checkins)} check-ins to {args.output}\n")


def _cmd_wellness(args, out):
    """``heavylegs wellness import``: every file read and checked before anything is written."""
    from heavylegs.logs.formats.wellness_import import EXPECTED, import_wellness
    from heavylegs.store.wellness_files import save_wellness, wellness_path

    missing = [f for f in args.files if not os.path.lexists(f)]
    if missing:
        raise InputError([Problem(f, f"no such file or folder, expected {EXPECTED}") for f in missing])
    if args.athlete:
        from heavylegs.files import validate_athlete_id
        from heavylegs.store.storage import default_data_dir

        validate_athlete_id(args.athlete, "--athlete")
        data_dir = Path(args.data) if args.data else default_data_dir()
        output = wellness_path(data_dir, args.athlete)
    else:
        output = Path(args.output)
    _check_output_file(str(output))
    if output.exists():
        from heavylegs.logs.wellness import read_wellness

        read_wellness(output)  # a bad file stops here, before any export is read
    result = import_wellness(args.files)
    if len(result.wellness) == 0:
        raise InputError([Problem(read.file, f"{read.kind}: found no day with sleep, resting heart rate, HRV or "
                                             f"scores; nothing written to {output}") for read in result.files]
                         or [Problem(_sources_text(args.files), f"found no wellness file; nothing written to {output}")])
    for line in result.summary_lines():
        out.write(line + "\n")
    saved = save_wellness(output, result.wellness, result.covers)
    kept = f"; {saved.before} rows were there, {saved.changed} values replaced" if saved.before else ""
    out.write(f"wrote {saved.rows} rows ({result.days} days imported) to {output}{kept}\n")


def _check_athlete(data, athlete_id):
    from heavylegs.files import athlete_paths, validate_athlete_id
    from heavylegs.store.storage import default_data_dir

    validate_athlete_id(athlete_id, "ATHLETE")
    data_dir = Path(data) if data else default_data_dir()
    paths = athlete_paths(data_dir, athlete_id)
    if not paths["profile"].exists():
        raise InputError([Problem(str(paths["profile"]), f"no profile for athlete {athlete_id!r}, "
                                                          "expected a file DATA/athletes/<id>.json")])
    return data_dir


def _check_output_folder(output) -> None:
    """Refuse ``-o DIR`` when DIR, or a folder above it, is an existing file."""
    path = Path(output)
    for place in (path, *path.parents):
        if place.exists() or place.is_symlink():
            if not place.is_dir():
                where = "is" if place == path else f"would be inside {place}, which is"
                raise InputError([Problem(str(path), f"{where} an existing file, expected a folder "
                                                     "to write the HTML into (nothing was written)")])
            return


def _check_answers(data_dir, athlete_id) -> None:
    """Read the athlete's answers once, so bad files stop the command before it writes anything."""
    from heavylegs.store.assessments import list_assessments, load_latest_profile

    try:
        load_latest_profile(data_dir, athlete_id)
    except RecursionError:
        files = list_assessments(data_dir, athlete_id)
        name = str(files[-1]) if files else athlete_id
        raise InputError([Problem(name, "invalid JSON: lists or objects nested too deep to read, "
                                        "expected an assessment document")]) from None


def _cmd_export(args, out):
    _check_output_folder(args.output)
    data_dir = _check_athlete(args.data, args.athlete)
    _check_answers(data_dir, args.athlete)
    from heavylegs.views.dashboard import export_dashboard

    path = export_dashboard(data_dir, args.athlete, args.output)
    out.write(f"wrote {path}\n")


def _cmd_serve(args, out):
    data_dir = _check_athlete(args.data, args.athlete)
    if not 1 <= args.port <= 65535:
        raise InputError([Problem("--port", f"found {args.port}, expected a port from 1 to 65535")])
    from heavylegs.serve.server import serve_dashboard  # not .dashboard: Voila starts sooner without its imports

    def interrupted(signum, frame):  # `kill PID` while Voila starts: serve_dashboard cleans up
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        server = serve_dashboard(data_dir, args.athlete, port=args.port, out=out)
    finally:
        signal.signal(signal.SIGTERM, previous)
    try:
        status = server.wait()  # until Ctrl+C, SIGTERM (`kill PID`) or until Voila ends
    except KeyboardInterrupt:  # the way a user ends it: a clean stop, status 0
        out.write("Stopped the dashboard server.\n")
        return 0
    finally:
        server.stop()  # idempotent: also removes the temporary folder
    if server.stopped_by is not None:
        out.write("Stopped the dashboard server.\n")
        return 0
    if status in (0, -signal.SIGTERM, -signal.SIGINT):
        return 0
    sys.stderr.write(f"heavylegs: the dashboard server (voila) stopped on its own with status {status}\n")
    return 1


def _check_output_dir(output: str) -> Path:
    """Refuse an output folder that is a file or lies under a file, before any work."""
    path = Path(output)
    if path.exists() and not path.is_dir():
        raise InputError([Problem(output, "is a file, expected a folder to write the plan into")])
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError([Problem(output, f"cannot be written: {parent} is a file, expected a folder there")])
            break
    return path


def _cmd_plan(args, out):
    """``heavylegs plan``: the plan saved with the newest assessment, else one built from it."""
    data_dir = _check_athlete(args.data, args.athlete)
    start = _parse_date(args.start, "--start") if args.start else None
    folder = _check_output_dir(args.output)
    from heavylegs.analysis.pipeline import assess_athlete
    from heavylegs.analysis.plan import build_plan
    from heavylegs.store.athlete import load_athlete
    from heavylegs.files import atomic_write_text, check_output_file
    from heavylegs.views.plan_pages import plan_files

    record = load_athlete(data_dir, args.athlete).require()
    result = assess_athlete(record)  # with the check-ins, as every page
    saved = record.plan  # validated when it was read
    if saved is not None and (start is None or saved.get("start") == start.isoformat()):
        plan = saved  # the coach's plan, edits and all
    else:
        plan = build_plan(result, start=start)
    texts = plan_files(result, plan, previous_profile=record.previous_profile)  # every file made before any is written
    for name in texts:  # and every target checked: a FIFO or a folder named plan.ics stops all three
        check_output_file(folder / name)
    for name, text in texts.items():
        path = atomic_write_text(folder / name, text)
        out.write(f"wrote {path}\n")


def _cmd_squad(args, out):
    """``heavylegs squad``: one row per athlete (``spec/cli.md``), or the view served with Voila."""
    from heavylegs.store.storage import default_data_dir

    data_dir = Path(args.data) if args.data else default_data_dir()
    if not (data_dir / "athletes").is_dir():
        raise InputError([Problem(str(data_dir), "no athletes/ folder, expected a data folder holding "
                                                 "athletes/<id>.json")])
    if args.serve:
        return _serve_squad(args, data_dir, out)
    from heavylegs.analysis.squad import squad_csv, squad_document, squad_rows, squad_text

    today = _parse_date(args.today, "--today") if args.today else None
    rows = squad_rows(data_dir, today=today)
    if args.json:
        out.write(json.dumps(squad_document(rows), indent=2, ensure_ascii=False) + "\n")
    elif args.csv:
        out.write(squad_csv(rows))
    else:
        out.write(squad_text(rows))


def _serve_squad(args, data_dir, out):
    if not 1 <= args.port <= 65535:
        raise InputError([Problem("--port", f"found {args.port}, expected a port from 1 to 65535")])
    from heavylegs.serve.server import serve_squad

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        server = serve_squad(port=args.port, data_dir=data_dir, out=out)
    finally:
        signal.signal(signal.SIGTERM, previous)
    try:
        status = server.wait()
    except KeyboardInterrupt:
        out.write("Stopped the squad server.\n")
        return 0
    finally:
        server.stop()
    if server.stopped_by is not None or status in (0, -signal.SIGTERM, -signal.SIGINT):
        out.write("Stopped the squad server.\n")
        return 0
    sys.stderr.write(f"heavylegs: the squad server (voila) stopped on its own with status {status}\n")
    return 1


def _cmd_roster(args, out):
    """``heavylegs roster import``: every row checked first; nothing written when one is bad."""
    from heavylegs.analysis.roster import import_roster
    from heavylegs.store.storage import default_data_dir

    data_dir = Path(args.data) if args.data else default_data_dir()
    result = import_roster(data_dir, args.roster, dry_run=args.dry_run, overwrite=args.overwrite)
    for line in result.lines():
        out.write(line + "\n")


def _portal_data(args) -> Path:
    from heavylegs.store.storage import default_data_dir

    given = getattr(args, "link_data", None) or args.data
    data_dir = Path(given) if given else default_data_dir()
    if not (data_dir / "athletes").is_dir():
        raise InputError([Problem(str(data_dir), "no athletes/ folder, expected a data folder holding "
                                                 "athletes/<id>.json")])
    return data_dir


def _cmd_portal(args, out):
    """``heavylegs portal``: serve the portal; ``portal link``, ``portal revoke``."""
    data_dir = _portal_data(args)
    if args.portal_command == "link":
        return _portal_link(args, data_dir, out)
    if args.portal_command == "revoke":
        from heavylegs.store.portal_links import revoke_links

        ended = revoke_links(data_dir, args.athlete)
        out.write(f"Ended {_count(ended, 'link')} of {args.athlete}: they stop working at once. "
                  f"`heavylegs portal link {args.athlete}` makes a new one.\n")
        return 0
    if not 1 <= args.port <= 65535:
        raise InputError([Problem("--port", f"found {args.port}, expected a port from 1 to 65535")])
    from heavylegs.serve.portal import serve_portal

    def interrupted(signum, frame):  # `kill PID` while the portal starts: serve_portal cleans up
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupted)
    try:
        server = serve_portal(data_dir, host=args.host, port=args.port, public_url=args.public_url, out=out,
                              log=sys.stderr)
    finally:
        signal.signal(signal.SIGTERM, previous)
    try:
        status = server.wait()
    except KeyboardInterrupt:
        out.write("Stopped the athlete portal.\n")
        return 0
    finally:
        server.stop()
    if server.stopped_by is not None or status in (0, -signal.SIGTERM, -signal.SIGINT):
        out.write("Stopped the athlete portal.\n")
        return 0
    sys.stderr.write(f"heavylegs: the athlete portal stopped on its own with status {status}\n")
    return 1


def _portal_link(args, data_dir, out):
    from heavylegs.store.portal_links import make_link
    from heavylegs.store.storage import list_athletes

    if args.all == bool(args.athlete):
        raise InputError([Problem("portal link", "expected an athlete id or --all (one of the two)")])
    if args.all:
        if args.qr:
            raise InputError([Problem("--qr", "draws one athlete's code, expected it without --all")])
        rows = []
        for athlete_id in list_athletes(data_dir):
            rows.append((athlete_id, _profile_name(data_dir, athlete_id), make_link(data_dir, athlete_id)))
        out.write("Each athlete's own link (keep it private: it opens their pages and check-in):\n\n")
        wide = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(("athlete", "name"))]
        out.write(f"{'athlete'.ljust(wide[0])}  {'name'.ljust(wide[1])}  link\n")
        for athlete_id, name, link in rows:
            out.write(f"{athlete_id.ljust(wide[0])}  {name.ljust(wide[1])}  {link}\n")
        return 0
    if args.qr and args.qr != "-":
        place = Path(args.qr)
        if place.is_dir() or not place.parent.is_dir():
            raise InputError([Problem(args.qr, "expected the path of a PNG file to write, in an existing folder, "
                                               "e.g. ana-link.png")])
    link = make_link(data_dir, args.athlete)
    out.write(f"{args.athlete}'s portal link: anyone holding it can read {args.athlete}'s pages and check in; "
              f"`heavylegs portal revoke {args.athlete}` ends it.\n")
    if args.qr:
        from heavylegs.views.portal_pages import qr_png, qr_text

        if args.qr == "-":
            out.write(qr_text(link))
        else:
            qr_png(link, args.qr)
            out.write(f"wrote the QR code to {args.qr}\n")
    out.write(link + "\n")
    return 0


def _profile_name(data_dir, athlete_id) -> str:
    try:
        doc = json.loads((Path(data_dir) / "athletes" / f"{athlete_id}.json").read_text(encoding="utf-8"))
        return str(doc.get("name") or "")
    except (OSError, ValueError, AttributeError):
        return ""


_COMMANDS = {"score": _cmd_score, "load": _cmd_load, "import": _cmd_import,
             "export": _cmd_export, "serve": _cmd_serve, "plan": _cmd_plan}
_COMMANDS["checkins"] = _cmd_checkins
_COMMANDS["squad"] = _cmd_squad
_COMMANDS["roster"] = _cmd_roster
_COMMANDS["portal"] = _cmd_portal
_COMMANDS["wellness"] = _cmd_wellness


def _cmd_samples(args, out):
    """``heavylegs samples [DIR]``: the packaged sample athletes, copied; nothing overwritten."""
    from heavylegs.store.samples import copy_samples

    written = copy_samples(args.folder)
    athletes = sorted(p.stem for p in written if p.suffix == ".json" and p.parent.name == "athletes")
    folder = args.folder.rstrip("/") or "/"
    out.write(f"copied {len(athletes)} fictional sample athletes ({len(written)} files) into {folder}/: "
              f"{', '.join(athletes)}\n")
    if folder == "data":
        out.write("try: heavylegs score data/athletes/ana.json\n")
    else:
        out.write(f"try: heavylegs score {folder}/athletes/ana.json, or heavylegs squad --data {folder}\n")


_COMMANDS["samples"] = _cmd_samples


def main(argv=None) -> int:
    """Run the command line; returns the exit status."""
    try:
        words = sys.argv[1:] if argv is None else list(argv)
        only = words[0] if words and words[0] in _COMMANDS else None
        args = build_parser(only).parse_args(words)
    except SystemExit as exc:  # argparse has printed the usage error (status 2) or the help (0)
        return exc.code if isinstance(exc.code, int) else 2
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
