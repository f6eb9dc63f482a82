"""Write the bundled sample athletes: profiles and 18-week training logs.

Every athlete here is fictional. Each one is built to show one cause of heavy
legs (see ``data/README.md``), and the training log is made to agree with the
profile: the same weekly distance, the same rest days, the same strength work.

The logs are drawn from a seeded generator (numpy ``default_rng``, one stream
per athlete), so running this script again gives byte-identical files::

    python scripts/make_sample_logs.py            # (re)write data/athletes/
    python scripts/make_sample_logs.py --out DIR  # write DIR/athletes/ instead
    python scripts/make_sample_logs.py --check    # exit 1 if data/ is stale

The written files are committed; the notebooks and tests read them, not this
script.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for _folder in (ROOT, ROOT / "scripts"):  # heavylegs, and _samples.py beside this script
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))

from _samples import main as sample_script_main, stale_files  # noqa: E402

from heavylegs.store.profiles import write_profile  # noqa: E402
from heavylegs.files import athlete_paths, atomic_write_text

#: Base of every athlete's random stream; change it and every log changes.
BASE_SEED = 20261116
#: The day every sample athlete is assessed (a Monday).
ASSESSED_ON = "2026-11-16"
#: First day of every log (a Monday); the logs cover 18 whole weeks.
FIRST_DAY = dt.date(2026, 7, 13)
WEEKS = 18
#: Columns of the written CSV, in the order of ``spec/training-log.md``.
COLUMNS = ("date", "activity", "duration_min", "distance_km", "rpe", "session_type",
           "avg_hr_bpm", "elevation_gain_m", "surface", "start_time", "source", "notes")

# Pace of each session type relative to the runner's easy pace [min/km];
# interval and hill sessions are whole-session averages, warm-up included.
_PACE_OFFSET = {"recovery": 0.45, "easy": 0.0, "long": 0.12, "tempo": -0.75,
                "interval": -0.35, "hills": -0.05, "race": -1.05}
# Typical session RPE (CR-10) of each session type, before noise.
_RPE = {"recovery": 2, "easy": 3, "long": 4.5, "tempo": 6, "interval": 7, "hills": 7,
        "race": 9, "strength": 6, "cross": 3}
# Share of heart-rate reserve of each session type (Karvonen), before noise.
_HRR = {"recovery": 0.58, "easy": 0.66, "long": 0.70, "tempo": 0.84, "interval": 0.80,
        "hills": 0.80, "race": 0.90, "cross": 0.55, "strength": 0.40}
# Climb per km on each surface [m/km].
_CLIMB = {"road": 6.0, "trail": 28.0, "track": 0.0, "treadmill": 0.0, "mixed": 12.0}


@dataclass
class Runner:
    """How one sample athlete runs and logs.

    ``plan(week, rng)`` returns the week's sessions as ``(weekday, spec)``
    pairs, Monday = 0; a spec holds ``kind`` (a session type, ``strength``,
    ``cross`` or ``rest``) and ``km`` or ``minutes``, optionally ``rpe``,
    ``hour``, ``surface``, ``notes``, ``hr`` (bpm added) or ``pace`` (min/km
    added).
    """

    athlete_id: str
    stream: int
    easy_pace: float  # [min/km]
    hr_rest: int  # [bpm]
    hr_max: int  # [bpm]
    surfaces: dict  # surface -> share of runs
    clock: str | None  # IANA zone, "UTC" for Z times, None for no start_time
    hour: float  # usual start, local [h]
    plan: object
    rpe_missing: float = 0.08  # share of sessions logged without RPE
    hr_missing: float = 0.05  # share of runs logged without heart rate
    week_hr: dict = field(default_factory=dict)  # week -> bpm added to every run
    week_pace: dict = field(default_factory=dict)  # week -> min/km added to every run


# --- the weekly plans ------------------------------------------------------------------------

def _s(kind, **kw):
    return dict(kind=kind, **kw)


def _plan_ana(w, rng):
    # 40-46 km for months, then 52-60 km in the last four weeks while iron ran low.
    km = [40, 42, 44, 36, 44, 45, 46, 40, 46, 45, 44, 46, 45, 46, 52, 57, 60, 59][w]
    jump = w >= 14
    long = 0.30 if not jump else 0.31
    week = [
        (0, _s("rest")),
        (1, _s("easy", km=0.19 * km, rpe=4 if jump else None)),
        (2, _s("interval", km=0.18 * km, notes="6 x 800 m" if w % 2 else "5 x 1 km")),
        (3, _s("tempo" if jump else "easy", km=0.15 * km)),
        (4, _s("rest")),
        (5, _s("easy", km=(1 - long - 0.19 - 0.18 - 0.15) * km, hour=9.0, rpe=4 if jump else None)),
        (6, _s("long", km=long * km, hour=8.5, surface="trail" if w % 3 == 0 else None)),
    ]
    if w >= 15:
        week[1] = (1, _s("easy", km=0.19 * km, rpe=4, notes="breathing hard on the hill, HR high"))
    if w == 16:
        week[6] = (6, _s("long", km=long * km, hour=8.5, notes="had to walk twice, legs like lead"))
    return week


def _plan_ben(w, rng):
    # Marathon build: steady 50-64 km with cut-back weeks, then a copied "advanced" plan
    # from week 14: 85-92 km, seven days a week, everything at a medium-hard effort.
    km = [50, 52, 55, 44, 56, 58, 60, 46, 60, 62, 64, 60, 45, 60, 88, 92, 90, 78][w]
    long_km = [20, 21, 22, 16, 22, 23, 24, 18, 24, 25, 25, 24, 16, 25, 32, 34, 33, 16][w]
    if w < 14:
        rest = km - long_km
        week = [
            (0, _s("rest")),
            (1, _s("easy", km=0.24 * rest)),
            (2, _s("interval", km=0.24 * rest, notes="5 x 1600 m at 10k pace" if w % 2 else "8 x 600 m")),
            (3, _s("recovery", km=0.16 * rest)),
            (4, _s("rest")),
            (5, _s("tempo", km=0.36 * rest, notes="marathon-pace block")),
            (6, _s("long", km=long_km, hour=8.0)),
        ]
        if w == 12:
            week[2] = (2, _s("easy", km=0.24 * rest, notes="cut-back week, legs fresh again"))
        return week
    rest = km - long_km
    share = [0.17, 0.18, 0.16, 0.17, 0.16, 0.16]
    types = ["easy", "tempo", "easy", "easy", "tempo", "easy"]
    week = []
    for day in range(6):
        kind = types[day]
        rpe = 6 if kind == "tempo" else 5  # the "easy" days are not easy any more
        notes = None
        if w == 16 and day == 3:
            notes = "legs heavy from the first km"
        if w == 17 and day == 1:
            notes = "could not hold marathon pace, legs dead"
        week.append((day, _s(kind, km=share[day] * rest, rpe=rpe, pace=-0.15 if kind == "easy" else 0.0,
                             notes=notes)))
    notes = {14: "new plan: long run with goal-pace blocks",
             17: "planned 34 km, stopped at 16, legs empty"}.get(w)
    week.append((6, _s("long", km=long_km, hour=8.0, rpe=7 if w == 17 else 6, notes=notes)))
    return week


def _plan_carla(w, rng):
    # Keto for three months; steady 44-50 km with a long run of 2.5 h or more every Sunday.
    long_km = [20, 20, 21, 18, 21, 22, 22, 19, 22, 23, 23, 20, 23, 24, 24, 21, 24, 25][w]
    week = [
        (0, _s("rest")),
        (1, _s("easy", km=8 + rng.uniform(-0.5, 0.5))),
        (2, _s("cross", minutes=40, notes="swim")),
        (3, _s("tempo", km=9 + rng.uniform(-0.5, 0.5), notes="3 x 2 km steady")),
        (4, _s("rest")),
        (5, _s("easy", km=7 + rng.uniform(-0.5, 0.5), hour=9.5)),
        (6, _s("long", km=long_km, hour=8.0, rpe=6 if w >= 8 else None,
               notes="water only; heavy legs from 16 km" if w >= 8 and w % 2 == 0 else
               ("water only" if w >= 6 else None))),
    ]
    return week


def _plan_dev(w, rng):
    # Four runs and two spin classes a week; from week 14 the spin classes gave way to
    # heavy squats and deadlifts on Monday, Wednesday and Friday, and Saturday's run
    # became his only rest day.
    lifting = w >= 14
    long_km = [12, 13, 13, 10, 13, 14, 14, 11, 14, 14, 15, 12, 14, 15, 14, 14, 15, 14][w]
    week = [
        (1, _s("easy", km=8 + rng.uniform(-0.5, 0.5), hour=18.5,
               notes="legs heavy after yesterday's squats" if lifting and w % 2 else None)),
        (3, _s("interval", km=9 + rng.uniform(-0.5, 0.5), hour=18.5,
               notes="could not hit the splits, quads heavy" if lifting else "6 x 1 km")),
        (6, _s("long", km=long_km, hour=9.5)),
    ]
    if lifting:
        lifts = {0: "back squat 5 x 5", 2: "deadlift 5 x 3, walking lunges", 4: "back squat 5 x 5, leg press"}
        for day, text in lifts.items():
            week.append((day, _s("strength", minutes=55 + rng.uniform(-5, 10), rpe=8 if day != 2 else 7,
                                 hour=19.0, notes=text)))
    else:
        week.append((5, _s("easy", km=7 + rng.uniform(-0.5, 0.5), hour=10.0)))
        week.append((0, _s("cross", minutes=45, rpe=5, hour=19.0, notes="spin class")))
        week.append((2, _s("cross", minutes=45, rpe=5, hour=19.0, notes="spin class")))
    return week


def _plan_elena(w, rng):
    # Ward nurse on her feet all day: three easy runs and one aqua-jogging session a week.
    week = [
        (1, _s("easy", km=6 + rng.uniform(-0.4, 0.4), hour=19.5,
               notes="ankles swollen after a 12-h shift" if w % 3 == 0 else None)),
        (2, _s("cross", minutes=40, notes="aqua jogging, legs feel lighter in the water")),
        (3, _s("easy", km=7 + rng.uniform(-0.4, 0.4), hour=19.5)),
        (5, _s("long", km=10 + rng.uniform(-1.0, 1.5), hour=9.0)),
    ]
    if w in (5, 11):  # a missed run on a double-shift week
        week.pop(2)
    return week


def _plan_femi(w, rng):
    # Road runner, four runs a week, one pair of heavy cushioned shoes since early last year.
    long_km = [15, 16, 16, 12, 16, 17, 16, 13, 17, 17, 16, 14, 17, 17, 16, 17, 16, 17][w]
    return [
        (1, _s("easy", km=8 + rng.uniform(-0.5, 0.5), hour=6.5)),
        (3, _s("tempo", km=10 + rng.uniform(-0.5, 0.5), hour=6.5,
               notes="legs heavy and flat, shoes feel dead" if w >= 12 and w % 2 else None)),
        (5, _s("easy", km=8 + rng.uniform(-0.5, 0.5), hour=8.0)),
        (6, _s("long", km=long_km, hour=8.0)),
    ]


def _plan_gus(w, rng):
    # 40 km a week until late September, then ever shorter, slower runs as the right
    # foot began to slap; the last two weeks mostly on the bike.
    km = [40, 41, 42, 34, 42, 42, 40, 40, 38, 36, 33, 30, 26, 22, 18, 15, 12, 10][w]
    notes = None
    if w >= 12:
        notes = ["right foot slapping", "tripped on a kerb", "toes catching, stopped early",
                 "right shin numb", "walked home", "foot drop worse", ][w - 12]
    runs = 4 if w < 12 else (3 if w < 15 else 2)
    shares = {4: [0.22, 0.25, 0.18, 0.35], 3: [0.3, 0.3, 0.4], 2: [0.45, 0.55]}[runs]
    days = {4: [1, 3, 5, 6], 3: [1, 3, 6], 2: [2, 6]}[runs]
    week = []
    for i, (day, share) in enumerate(zip(days, shares)):
        kind = "long" if i == len(days) - 1 and runs == 4 else ("tempo" if day == 3 and w < 10 else "easy")
        week.append((day, _s(kind, km=share * km, pace=0.02 * max(0, w - 9),
                             notes=notes if i == 0 else None)))
    if w >= 14:
        week.append((4, _s("cross", minutes=50, notes="bike, easier than running")))
    return week


def _plan_hana(w, rng):
    # 17-year-old club runner: six runs a week, one rest day (Friday); exams from week 14
    # cut her sleep to about 6 h, the training stayed the same, and a cross-country race
    # on week 16's Sunday.
    exams = w >= 14
    week = [
        (0, _s("easy", km=7 + rng.uniform(-0.5, 0.5), hour=17.0)),
        (1, _s("interval", km=9 + rng.uniform(-0.5, 0.5), hour=18.0, surface="track",
               notes="club track session")),
        (2, _s("easy", km=7 + rng.uniform(-0.5, 0.5), hour=17.0,
               notes="studied till 1 am, legs heavy" if exams and w % 2 == 0 else None)),
        (3, _s("hills", km=8 + rng.uniform(-0.5, 0.5), hour=18.0, notes="club hill reps")),
        (4, _s("rest")),
        (5, _s("easy", km=6 + rng.uniform(-0.5, 0.5), hour=9.0, notes="easy with the club juniors")),
        (6, _s("long", km=[12, 12, 13, 11, 13, 13, 14, 12, 13, 14, 14, 12, 14, 14, 13, 14, 13, 13][w],
               hour=9.5, surface="trail")),
    ]
    if exams:
        for _day, spec in week:
            if spec["kind"] in ("easy", "interval", "hills"):
                spec["rpe"] = _RPE[spec["kind"]] + 1.5
        week[5] = (5, _s("easy", km=6 + rng.uniform(-0.3, 0.3), hour=10.0,
                         notes="shake-out before the race" if w == 16 else None))
        if w == 16:
            week[6] = (6, _s("race", km=6.0, hour=11.0, surface="trail",
                             notes="county cross-country, 6 km, felt flat"))
    return week


RUNNERS = {
    "ana": Runner("ana", 0, 5.85, 52, 192, {"road": 0.6, "mixed": 0.25, "trail": 0.15},
                  "Europe/Berlin", 18.0, _plan_ana,
                  week_hr={w: round(1.5 * (w - 11)) for w in range(12, 18)},
                  week_pace={w: 0.04 * (w - 11) for w in range(12, 18)}),
    "ben": Runner("ben", 1, 5.10, 46, 188, {"road": 0.8, "mixed": 0.1, "track": 0.1},
                  "Europe/London", 6.5, _plan_ben, rpe_missing=0.06,
                  week_hr={16: 3, 17: 5}),
    "carla": Runner("carla", 2, 6.00, 55, 180, {"road": 0.5, "mixed": 0.3, "trail": 0.2},
                    "Europe/Berlin", 7.0, _plan_carla),
    "dev": Runner("dev", 3, 5.25, 54, 196, {"road": 0.7, "treadmill": 0.15, "mixed": 0.15},
                  None, 18.5, _plan_dev, rpe_missing=0.12),
    "elena": Runner("elena", 4, 6.70, 60, 170, {"road": 0.5, "mixed": 0.4, "trail": 0.1},
                    "Europe/Berlin", 19.0, _plan_elena),
    "femi": Runner("femi", 5, 5.65, 56, 184, {"road": 0.92, "treadmill": 0.08},
                   "UTC", 6.5, _plan_femi, rpe_missing=0.3, hr_missing=0.0),
    "gus": Runner("gus", 6, 5.45, 52, 176, {"road": 0.6, "mixed": 0.3, "trail": 0.1},
                  "Europe/Berlin", 7.5, _plan_gus),
    "hana": Runner("hana", 7, 5.10, 50, 205, {"road": 0.4, "mixed": 0.3, "trail": 0.3},
                   "Europe/Berlin", 17.0, _plan_hana, rpe_missing=0.1,
                   week_hr={14: 3, 15: 4, 16: 5, 17: 5}),
}


# --- rendering sessions as rows ---------------------------------------------------------------

def _pick_surface(runner, kind, rng):
    # Nobody runs a long run round a track, fast work goes on even ground, and only
    # short runs go on the treadmill.
    banned = {"track"} if kind != "interval" else set()
    if kind in ("interval", "tempo"):
        banned.add("trail")
    if kind in ("long", "race"):
        banned.add("treadmill")
    names = sorted(n for n in runner.surfaces if n not in banned)
    shares = np.array([runner.surfaces[n] for n in names], dtype=float)
    return names[int(rng.choice(len(names), p=shares / shares.sum()))]


def _start_time(runner, day, hour, rng):
    if runner.clock is None:
        return day, ""
    minutes = int(round((hour + rng.normal(0, 0.25)) * 60))
    minutes = min(max(minutes, 5 * 60), 21 * 60 + 30)
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60))
    if runner.clock == "UTC":
        # Watch exports in UTC; the runner lives in Lagos time (UTC+1, no summer time).
        utc = local - dt.timedelta(hours=1)
        return day, utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    aware = local.replace(tzinfo=ZoneInfo(runner.clock))
    return day, aware.isoformat(timespec="seconds")


def _row(runner, week, day, spec, rng):
    kind = spec["kind"]
    row = dict.fromkeys(COLUMNS, "")
    row["source"] = "sample"
    row["notes"] = spec.get("notes") or ""
    if kind == "rest":
        row.update(date=day.isoformat(), activity="rest")
        return row
    hour = spec.get("hour", runner.hour)
    day, start = _start_time(runner, day, hour, rng)
    row["date"], row["start_time"] = day.isoformat(), start
    rpe = spec.get("rpe") or _RPE[kind]
    rpe = int(np.clip(round(rpe + rng.normal(0, 0.6)), 1, 10))
    if rng.random() >= runner.rpe_missing:
        row["rpe"] = rpe
    if kind in ("strength", "cross"):
        minutes = spec["minutes"] + rng.normal(0, 3)
        row.update(activity=kind, session_type=kind, duration_min=f"{minutes:.1f}")
        if kind == "cross":
            hrr = _HRR[kind] + rng.normal(0, 0.03)
            row["avg_hr_bpm"] = int(round(runner.hr_rest + hrr * (runner.hr_max - runner.hr_rest)))
        return row
    km = max(2.0, spec["km"] * (1 + rng.normal(0, 0.03)))
    pace = (runner.easy_pace + _PACE_OFFSET[kind] + spec.get("pace", 0.0)
            + runner.week_pace.get(week, 0.0) + rng.normal(0, 0.08))
    surface = spec.get("surface") or _pick_surface(runner, kind, rng)
    hrr = _HRR[kind] + rng.normal(0, 0.025)
    if (spec.get("rpe") or _RPE[kind]) > _RPE[kind]:
        hrr += 0.04  # an effort that feels harder also runs at a higher heart rate
    hr = runner.hr_rest + hrr * (runner.hr_max - runner.hr_rest) + runner.week_hr.get(week, 0)
    row.update(activity="run", session_type=kind, distance_km=f"{km:.2f}",
               duration_min=f"{km * pace:.1f}", surface=surface,
               elevation_gain_m=int(round(km * _CLIMB[surface] * rng.uniform(0.6, 1.4))))
    if rng.random() >= runner.hr_missing:
        row["avg_hr_bpm"] = int(round(hr))
    return row


def make_log_rows(athlete_id: str) -> list:
    """The rows of one sample athlete's log, in date order.

    Parameters
    ----------
    athlete_id : str
        A key of :data:`RUNNERS`.

    Returns
    -------
    list of dict
        One dict per session with the keys of :data:`COLUMNS` (``""`` for
        an empty cell).
    """
    runner = RUNNERS[athlete_id]
    rng = np.random.default_rng([BASE_SEED, runner.stream])
    rows = []
    for week in range(WEEKS):
        monday = FIRST_DAY + dt.timedelta(weeks=week)
        for weekday, spec in sorted(runner.plan(week, rng), key=lambda pair: pair[0]):
            rows.append(_row(runner, week, monday + dt.timedelta(days=weekday), spec, rng))
    rows.sort(key=lambda r: (r["date"], r["start_time"]))
    return rows


def log_csv_text(athlete_id: str) -> str:
    """The CSV text of one sample athlete's log."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(make_log_rows(athlete_id))
    return out.getvalue()


# --- the profiles ------------------------------------------------------------------------------

_NO_RED = dict(cannot_lift_leg=False, progressive_weakness=False, saddle_numbness_or_bladder_change=False,
               dark_urine_after_run=False,
               calf_warm_red_swollen=False, chest_pain_or_fainting=False, exertional_leg_pain=False)

PROFILES = {
    "ana": dict(
        name="Ana Sousa", sex="female", age_years=29, body_mass_kg=61.0, height_cm=167.0,
        runs_per_week=5, weekly_distance_km=60.0, weekly_distance_prev_km=45.0, long_run_min=115.0,
        hard_sessions_per_week=2, rest_days_per_week=2, strength_sessions_per_week=0,
        strength_within_48h=False, warmup_min=10.0, cooldown="sometimes", trail_fraction=0.15,
        hard_surface_fraction=0.6,
        sleep_h=7.5, wellness_sleep=3, wellness_fatigue=5, wellness_stress=3, wellness_soreness=3,
        resting_hr_bpm=58.0, resting_hr_baseline_bpm=52.0, low_motivation=False, rest_week_helps="not_tried",
        diet="vegetarian", carbs_g_per_kg=5.5, energy_restriction=False, fuels_long_runs=True,
        fluid_l_per_day=2.0, urine_color=3, salty_sweat=False, hot_climate=False, mass_change_kg_90d=-1.0,
        sun_exposure="moderate",
        shoe_km=420.0, shoe_type="neutral", shoe_discomfort=False,
        heaviness_onset="all_the_time", eases_after_warmup=False, duration_weeks=6.0, one_leg_only=False,
        recent_changes=["load_increase"], cramps=False, tingling_or_numbness=False, dizziness=True,
        breathless_easily=True, swelling=False, varicose_veins=False, worse_after_standing=False,
        localized_pain=False, restless_legs=True, **_NO_RED,
        diabetes=False, smoker=False, diuretics=False, heavy_periods=True, recent_illness=False,
        ferritin_ug_l=14.0, hemoglobin_g_dl=12.4,
        x_story="Vegetarian with heavy periods; raised her mileage from 45 to 60 km a week for an "
                "autumn half marathon. Easy runs feel hard, she is breathless on hills, and a blood "
                "test shows ferritin 14 µg/L.",
    ),
    "ben": dict(
        name="Ben Okafor", sex="male", age_years=34, body_mass_kg=72.0, height_cm=180.0,
        runs_per_week=7, weekly_distance_km=90.0, weekly_distance_prev_km=57.0, long_run_min=180.0,
        hard_sessions_per_week=3, rest_days_per_week=0, strength_sessions_per_week=0,
        strength_within_48h=False, warmup_min=5.0, cooldown="sometimes", trail_fraction=0.0,
        hard_surface_fraction=0.85, days_since_race=120,
        sleep_h=7.0, wellness_sleep=4, wellness_fatigue=6, wellness_stress=4, wellness_soreness=5,
        resting_hr_bpm=54.0, resting_hr_baseline_bpm=46.0, low_motivation=True, rest_week_helps="yes",
        diet="omnivore", carbs_g_per_kg=6.0, energy_restriction=False, fuels_long_runs=True,
        fluid_l_per_day=2.5, urine_color=3, water_only_long_runs=False, salty_sweat=False,
        hot_climate=False, mass_change_kg_90d=-1.5, sun_exposure="moderate",
        shoe_km=380.0, shoe_type="neutral", shoe_discomfort=False, cadence_spm=176.0,
        heaviness_onset="all_the_time", eases_after_warmup=False, duration_weeks=3.0, one_leg_only=False,
        recent_changes=["load_increase"], cramps=False, tingling_or_numbness=False, dizziness=False,
        breathless_easily=False, swelling=False, varicose_veins=False, worse_after_standing=False,
        localized_pain=False, restless_legs=False, **_NO_RED,
        diabetes=False, smoker=False, diuretics=False, recent_illness=False,
        x_story="Building for a December marathon, he swapped his plan for an 'advanced' one four "
                "weeks ago: 60 to 90 km a week, no rest days, every run at a medium-hard effort. "
                "Resting heart rate is up 8 bpm; a cut-back week in October had cleared the legs.",
    ),
    "carla": dict(
        name="Carla Romano", sex="female", age_years=41, body_mass_kg=60.0, height_cm=165.0,
        runs_per_week=4, weekly_distance_km=48.0, weekly_distance_prev_km=46.0, long_run_min=155.0,
        hard_sessions_per_week=1, rest_days_per_week=2, strength_sessions_per_week=0,
        strength_within_48h=False, warmup_min=10.0, cooldown="always", trail_fraction=0.2,
        sleep_h=7.5, wellness_sleep=3, wellness_fatigue=4, wellness_stress=3, wellness_soreness=3,
        low_motivation=False, rest_week_helps="not_tried",
        diet="keto", carbs_g_per_kg=0.8, energy_restriction=True, fuels_long_runs=False,
        fluid_l_per_day=2.2, urine_color=3, water_only_long_runs=True, hot_climate=False,
        mass_change_kg_90d=-3.5, sun_exposure="high",
        shoe_km=300.0, shoe_type="neutral", shoe_discomfort=False,
        heaviness_onset="late_in_long_runs", eases_after_warmup=False, duration_weeks=10.0,
        one_leg_only=False, recent_changes=[], cramps=False, tingling_or_numbness=False,
        dizziness=False, breathless_easily=False, swelling=False, varicose_veins=False,
        worse_after_standing=False, localized_pain=False, restless_legs=False, **_NO_RED,
        diabetes=False, smoker=False, diuretics=False, recent_illness=False,
        ferritin_ug_l=68.0, hemoglobin_g_dl=13.6,
        x_story="Went keto three months ago to lose weight (about 0.8 g carbohydrate per kg a day). "
                "Short runs are fine; on her Sunday long runs the legs go heavy after 15-18 km, and "
                "she takes only water.",
    ),
    "dev": dict(
        name="Dev Patel", sex="male", age_years=26, body_mass_kg=78.0, height_cm=183.0,
        runs_per_week=3, weekly_distance_km=33.0, weekly_distance_prev_km=38.0, long_run_min=75.0,
        hard_sessions_per_week=1, rest_days_per_week=1, strength_sessions_per_week=3,
        strength_within_48h=True, warmup_min=10.0, cooldown="sometimes", trail_fraction=0.0,
        hard_surface_fraction=0.7,
        sleep_h=7.5, wellness_sleep=2, wellness_fatigue=4, wellness_stress=2, wellness_soreness=6,
        resting_hr_bpm=55.0, resting_hr_baseline_bpm=54.0, low_motivation=False, rest_week_helps="not_tried",
        diet="omnivore", carbs_g_per_kg=5.0, energy_restriction=False, fuels_long_runs=False,
        urine_color=3, hot_climate=False, mass_change_kg_90d=1.0,
        shoe_km=250.0, shoe_type="neutral", shoe_discomfort=False,
        heaviness_onset="next_day", eases_after_warmup=False, duration_weeks=4.0, one_leg_only=False,
        recent_changes=["new_strength_training"], cramps=False, tingling_or_numbness=False,
        dizziness=False, breathless_easily=False, swelling=False, varicose_veins=False,
        worse_after_standing=False, localized_pain=False, restless_legs=False, **_NO_RED,
        diabetes=False, smoker=False, recent_illness=False,
        x_story="Four weeks ago he replaced two spin classes with heavy squats and deadlifts three "
                "times a week. The runs the day after lifting feel heavy and his quads are sore.",
    ),
    "elena": dict(
        name="Elena Marković", sex="female", age_years=52, body_mass_kg=68.0, height_cm=164.0,
        runs_per_week=3, weekly_distance_km=24.0, weekly_distance_prev_km=24.0, long_run_min=70.0,
        hard_sessions_per_week=0, rest_days_per_week=3, strength_sessions_per_week=0,
        warmup_min=10.0, cooldown="sometimes", trail_fraction=0.1, hard_surface_fraction=0.5,
        sleep_h=7.0, wellness_sleep=3, wellness_fatigue=4, wellness_stress=4, wellness_soreness=2,
        low_motivation=False,
        diet="omnivore", carbs_g_per_kg=4.0, energy_restriction=False, fluid_l_per_day=1.8,
        urine_color=3, hot_climate=False, mass_change_kg_90d=0.5, sun_exposure="moderate",
        shoe_km=350.0, shoe_type="stability", shoe_discomfort=False,
        heaviness_onset="at_rest", eases_after_warmup=False, duration_weeks=26.0, one_leg_only=False,
        recent_changes=[], cramps=True, tingling_or_numbness=False, dizziness=False,
        breathless_easily=False, swelling=True, varicose_veins=True, worse_after_standing=True,
        localized_pain=False, restless_legs=True, **_NO_RED,
        diabetes=False, smoker=False, diuretics=False, recent_illness=False,
        x_story="Ward nurse on 12-hour shifts. Her legs ache and swell by the evening, worse after "
                "standing and better with the feet up; she has visible varicose veins. Running "
                "itself feels fine once she is going.",
    ),
    "femi": dict(
        name="Femi Adeyemi", sex="male", age_years=38, body_mass_kg=84.0, height_cm=178.0,
        runs_per_week=4, weekly_distance_km=42.0, weekly_distance_prev_km=41.0, long_run_min=95.0,
        hard_sessions_per_week=1, rest_days_per_week=3, strength_sessions_per_week=0,
        strength_within_48h=False, warmup_min=10.0, cooldown="sometimes", trail_fraction=0.0,
        hard_surface_fraction=0.92,
        sleep_h=7.0, wellness_sleep=3, wellness_fatigue=3, wellness_stress=3, wellness_soreness=3,
        resting_hr_bpm=56.0, resting_hr_baseline_bpm=56.0, low_motivation=False, rest_week_helps="no",
        diet="omnivore", carbs_g_per_kg=5.0, energy_restriction=False, fuels_long_runs=True,
        fluid_l_per_day=2.5, urine_color=3, hot_climate=False, mass_change_kg_90d=0.0,
        shoe_km=1100.0, shoe_mass_g=355.0, shoe_type="neutral", shoe_discomfort=True, cadence_spm=164.0,
        overpronation=True,
        heaviness_onset="during_run", eases_after_warmup=False, duration_weeks=2.0, one_leg_only=False,
        recent_changes=[], cramps=False, tingling_or_numbness=False, dizziness=False,
        breathless_easily=False, swelling=False, varicose_veins=False, worse_after_standing=False,
        localized_pain=False, restless_legs=False, **_NO_RED,
        diabetes=False, smoker=False, recent_illness=False,
        x_story="Runs almost only on roads, four times a week, all in one pair of heavy cushioned "
                "neutral shoes (355 g) now at 1,100 km, although his feet roll inwards. The midsoles "
                "are creased, the shoes feel flat, and his legs tire halfway through runs that used "
                "to be easy.",
    ),
    "gus": dict(
        name="Gus Lindqvist", sex="male", age_years=45, body_mass_kg=80.0, height_cm=181.0,
        runs_per_week=2, weekly_distance_km=11.0, weekly_distance_prev_km=30.0, long_run_min=35.0,
        hard_sessions_per_week=0, rest_days_per_week=4, strength_sessions_per_week=0,
        warmup_min=10.0, cooldown="sometimes",
        sleep_h=7.0, wellness_sleep=3, wellness_fatigue=4, wellness_stress=5, wellness_soreness=2,
        low_motivation=True, rest_week_helps="no",
        diet="omnivore", energy_restriction=False, alcohol_drinks_per_week=6.0,
        shoe_km=400.0, shoe_discomfort=False,
        heaviness_onset="during_run", eases_after_warmup=False, duration_weeks=6.0, one_leg_only=True,
        recent_changes=[], cramps=True, tingling_or_numbness=True, dizziness=False,
        breathless_easily=False, swelling=False, varicose_veins=False, worse_after_standing=False,
        localized_pain=False, restless_legs=False,
        cannot_lift_leg=True, progressive_weakness=True, saddle_numbness_or_bladder_change=False,
        dark_urine_after_run=False,
        calf_warm_red_swollen=False, chest_pain_or_fainting=False, exertional_leg_pain=False,
        diabetes=False, smoker=False, recent_illness=False,
        x_story="RED-FLAG EXAMPLE. Over six weeks his right foot has begun to slap and the toes "
                "catch on kerbs; the shin has tingled for four weeks and the weakness is growing. "
                "He has cut his running from 40 to about 10 km a week. This needs a doctor, not a "
                "training change.",
    ),
    "hana": dict(
        name="Hana Kobayashi", sex="female", age_years=17, body_mass_kg=54.0, height_cm=166.0,
        runs_per_week=6, weekly_distance_km=47.0, weekly_distance_prev_km=46.0, long_run_min=70.0,
        hard_sessions_per_week=2, rest_days_per_week=1, strength_sessions_per_week=0,
        warmup_min=15.0, cooldown="always", days_since_race=8,
        sleep_h=6.0, wellness_sleep=6, wellness_fatigue=6, wellness_stress=6, wellness_soreness=4,
        resting_hr_bpm=54.0, resting_hr_baseline_bpm=50.0, low_motivation=True, rest_week_helps="not_tried",
        diet="omnivore", carbs_g_per_kg=5.5, energy_restriction=False, fuels_long_runs=False,
        urine_color=3, hot_climate=False, mass_change_kg_90d=0.0,
        shoe_km=300.0, shoe_type="neutral", shoe_discomfort=False,
        heaviness_onset="all_the_time", eases_after_warmup=False, duration_weeks=3.0, one_leg_only=False,
        recent_changes=["more_stress"], cramps=False, tingling_or_numbness=False, dizziness=False,
        breathless_easily=False, swelling=False, varicose_veins=False, worse_after_standing=False,
        localized_pain=False, restless_legs=False, **_NO_RED,
        heavy_periods=False, recent_illness=False,
        x_story="17-year-old club runner in her exam weeks: she sleeps about 6 hours, feels stressed "
                "and tired, and kept her six runs a week with one rest day. A cross-country race "
                "eight days ago felt flat.",
    ),
}


def profile_for(athlete_id: str) -> dict:
    """The profile mapping of one sample athlete (not yet validated)."""
    profile = {"athlete_id": athlete_id, "assessed_on": ASSESSED_ON, **PROFILES[athlete_id]}
    profile["x_sample"] = "fictional athlete bundled with heavylegs; see data/README.md"
    return profile


def write_samples(data_dir) -> list:
    """Write every sample profile and log under ``data_dir/athletes``.

    Returns
    -------
    list of Path
        The files written.
    """
    written = []
    for athlete_id in PROFILES:
        paths = athlete_paths(data_dir, athlete_id)
        written.append(write_profile(profile_for(athlete_id), paths["profile"]))
        written.append(atomic_write_text(paths["log"], log_csv_text(athlete_id)))
    return written


def _stale(data_dir) -> list:
    """Sample files under ``data_dir`` that differ from what this script writes."""
    return stale_files(write_samples, data_dir)


def main(argv=None) -> int:
    return sample_script_main(__doc__, write_samples, _stale, argv)


if __name__ == "__main__":
    sys.exit(main())
