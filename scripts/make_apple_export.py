"""Write a large, realistic synthetic Apple Health ``export.xml`` (or ``export.zip``) for benchmarks and tests.

Run from the repository root::

    python scripts/make_apple_export.py OUT.xml [--size 1G] [--seed 5]
    python scripts/make_apple_export.py OUT.zip [--size 1G]      # apple_health_export/export.xml inside

The file has the layout of a recent iPhone + Apple Watch export (``HealthKit
Export Version: 14``, see ``tests/data/wellness/MANIFEST.md``): the XML
declaration and an internal DTD, ``ExportDate`` and ``Me``, then day after
day the records a watch writes, in the proportions of real exports (heart
rate dominates):

* ``HKQuantityTypeIdentifierHeartRate`` every 5 minutes with its
  ``HKMetadataKeyHeartRateMotionContext``; step counts, distance, active and
  basal energy, stand and exercise time, walking heart rate;
* the night's ``HKCategoryTypeIdentifierSleepAnalysis`` segments (an iPhone
  ``InBed`` and the Watch's Core/Deep/REM/Awake stages) with ``HKTimeZone``;
* one ``HKQuantityTypeIdentifierRestingHeartRate`` a day and three to five
  ``HKQuantityTypeIdentifierHeartRateVariabilitySDNN`` readings, each with a
  ``HeartRateVariabilityMetadataList`` of ``InstantaneousBeatsPerMinute``;
* a ``Workout`` (running) every other day with ``WorkoutEvent`` and
  ``WorkoutStatistics`` children, and an ``ActivitySummary`` a day.

Time stamps carry the export's offset (+0100 all year, as real exports do),
the sample's zone is ``Europe/Paris`` in ``HKTimeZone``. Deterministic for a
given size and seed; written day by day, so memory stays at a few MB.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import random
import re
import sys
import zipfile
from pathlib import Path

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE HealthData [
<!-- HealthKit Export Version: 14 -->
<!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord|Audiogram|VisionPrescription)*)>
<!ATTLIST HealthData
  locale CDATA #REQUIRED
>
<!ELEMENT ExportDate EMPTY>
<!ATTLIST ExportDate
  value CDATA #REQUIRED
>
<!ELEMENT Me EMPTY>
<!ATTLIST Me
  HKCharacteristicTypeIdentifierDateOfBirth         CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBiologicalSex       CDATA #REQUIRED
  HKCharacteristicTypeIdentifierBloodType           CDATA #REQUIRED
  HKCharacteristicTypeIdentifierFitzpatrickSkinType CDATA #REQUIRED
  HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse CDATA #IMPLIED
>
<!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
<!ATTLIST Record
  type          CDATA #REQUIRED
  unit          CDATA #IMPLIED
  value         CDATA #IMPLIED
  sourceName    CDATA #REQUIRED
  sourceVersion CDATA #IMPLIED
  device        CDATA #IMPLIED
  creationDate  CDATA #IMPLIED
  startDate     CDATA #REQUIRED
  endDate       CDATA #REQUIRED
>
<!ELEMENT MetadataEntry EMPTY>
<!ATTLIST MetadataEntry
  key   CDATA #REQUIRED
  value CDATA #REQUIRED
>
<!ELEMENT HeartRateVariabilityMetadataList (InstantaneousBeatsPerMinute*)>
<!ELEMENT InstantaneousBeatsPerMinute EMPTY>
<!ATTLIST InstantaneousBeatsPerMinute
  bpm  CDATA #REQUIRED
  time CDATA #REQUIRED
>
<!ELEMENT Workout ((MetadataEntry|WorkoutEvent|WorkoutRoute|WorkoutStatistics)*)>
<!ATTLIST Workout
  workoutActivityType   CDATA #REQUIRED
  duration              CDATA #IMPLIED
  durationUnit          CDATA #IMPLIED
  sourceName            CDATA #REQUIRED
  sourceVersion         CDATA #IMPLIED
  device                CDATA #IMPLIED
  creationDate          CDATA #IMPLIED
  startDate             CDATA #REQUIRED
  endDate               CDATA #REQUIRED
>
<!ELEMENT WorkoutEvent EMPTY>
<!ATTLIST WorkoutEvent
  type         CDATA #REQUIRED
  date         CDATA #REQUIRED
  duration     CDATA #IMPLIED
  durationUnit CDATA #IMPLIED
>
<!ELEMENT WorkoutStatistics EMPTY>
<!ATTLIST WorkoutStatistics
  type      CDATA #REQUIRED
  startDate CDATA #REQUIRED
  endDate   CDATA #REQUIRED
  average   CDATA #IMPLIED
  minimum   CDATA #IMPLIED
  maximum   CDATA #IMPLIED
  sum       CDATA #IMPLIED
  unit      CDATA #IMPLIED
>
<!ELEMENT WorkoutRoute ((MetadataEntry|FileReference)*)>
<!ELEMENT FileReference EMPTY>
<!ATTLIST FileReference
  path CDATA #REQUIRED
>
<!ELEMENT ActivitySummary EMPTY>
<!ATTLIST ActivitySummary
  dateComponents           CDATA #IMPLIED
  activeEnergyBurned       CDATA #IMPLIED
  activeEnergyBurnedGoal   CDATA #IMPLIED
  activeEnergyBurnedUnit   CDATA #IMPLIED
  appleExerciseTime        CDATA #IMPLIED
  appleExerciseTimeGoal    CDATA #IMPLIED
  appleStandHours          CDATA #IMPLIED
  appleStandHoursGoal      CDATA #IMPLIED
>
]>
<HealthData locale="en_GB">
 <ExportDate value="{export} +0100"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1991-04-12" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet" HKCharacteristicTypeIdentifierCardioFitnessMedicationsUse="None"/>
"""
WATCH = ('sourceName="Ana’s Apple Watch" sourceVersion="10.2" device="&lt;&lt;HKDevice: 0x283f6c780&gt;, name:Apple '
         'Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,7, software:10.2&gt;"')
PHONE = 'sourceName="Ana’s iPhone" sourceVersion="17.2.1" device="&lt;&lt;HKDevice: 0x283f6c7d0&gt;, name:iPhone, manufacturer:Apple Inc., model:iPhone, hardware:iPhone14,5, software:17.2.1&gt;"'
OFFSET = " +0100"


def _stamp(moment: _dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") + OFFSET


def _record(kind, unit, value, source, start, end, extra=""):
    unit_attr = f' unit="{unit}"' if unit else ""
    head = (f' <Record type="{kind}" {source}{unit_attr} creationDate="{_stamp(end)}" startDate="{_stamp(start)}" '
            f'endDate="{_stamp(end)}" value="{value}"')
    return head + (f">\n{extra} </Record>\n" if extra else "/>\n")


def _meta(key, value):
    return f'  <MetadataEntry key="{key}" value="{value}"/>\n'


def day_text(day: _dt.date, rng: random.Random, stress: float) -> str:
    """Every record of one day (its night included), as export.xml writes them."""
    out = []
    base = _dt.datetime.combine(day, _dt.time(0, 0))
    # the night ending this morning: iPhone InBed, Watch stages
    bed = base - _dt.timedelta(minutes=rng.randint(40, 100))
    wake = base + _dt.timedelta(hours=6, minutes=rng.randint(10, 70))
    tz = _meta("HKTimeZone", "Europe/Paris")
    out.append(_record("HKCategoryTypeIdentifierSleepAnalysis", None, "HKCategoryValueSleepAnalysisInBed", PHONE,
                       bed, wake, tz))
    t = bed + _dt.timedelta(minutes=rng.randint(5, 20))
    stages = ("Core", "Deep", "Core", "REM", "Awake")
    i = 0
    while t < wake:
        stage = stages[i % len(stages)]
        length = _dt.timedelta(minutes=rng.randint(3, 8) if stage == "Awake" else rng.randint(15, 45))
        end = min(wake, t + length)
        out.append(_record("HKCategoryTypeIdentifierSleepAnalysis", None, f"HKCategoryValueSleepAnalysis{'Asleep' if stage != 'Awake' else ''}{stage}",
                           WATCH, t, end, tz))
        t, i = end, i + 1
    # heart rate every 5 minutes, with the motion context
    rest = 50 + stress * 6 + rng.gauss(0, 1.0)
    for minute in range(0, 24 * 60, 5):
        moment = base + _dt.timedelta(minutes=minute, seconds=rng.randint(0, 59))
        awake = 7 * 60 <= minute <= 23 * 60
        bpm = rest + (rng.uniform(8, 45) if awake else rng.uniform(-3, 6))
        out.append(_record("HKQuantityTypeIdentifierHeartRate", "count/min", f"{bpm:.0f}", WATCH, moment, moment,
                           _meta("HKMetadataKeyHeartRateMotionContext", "1" if awake else "0")))
    # steps, distance, energy: every 10 minutes in the waking hours
    for minute in range(7 * 60, 23 * 60, 10):
        start = base + _dt.timedelta(minutes=minute)
        end = start + _dt.timedelta(minutes=rng.randint(3, 9))
        steps = rng.randint(20, 900)
        out.append(_record("HKQuantityTypeIdentifierStepCount", "count", steps, PHONE, start, end))
        out.append(_record("HKQuantityTypeIdentifierDistanceWalkingRunning", "km", f"{steps * 0.00074:.5f}", PHONE,
                           start, end))
        out.append(_record("HKQuantityTypeIdentifierActiveEnergyBurned", "Cal", f"{steps * 0.041:.3f}", WATCH,
                           start, end))
        out.append(_record("HKQuantityTypeIdentifierBasalEnergyBurned", "Cal", f"{rng.uniform(9, 12):.3f}", WATCH,
                           start, end))
    for hour in range(8, 22):
        start = base + _dt.timedelta(hours=hour)
        out.append(_record("HKCategoryTypeIdentifierAppleStandHour", None, "HKCategoryValueAppleStandHourStood",
                           WATCH, start, start + _dt.timedelta(hours=1)))
    # the day's resting heart rate and HRV readings
    out.append(_record("HKQuantityTypeIdentifierRestingHeartRate", "count/min", f"{rest:.0f}", WATCH,
                       base + _dt.timedelta(hours=6, minutes=13), base + _dt.timedelta(hours=21, minutes=6)))
    out.append(_record("HKQuantityTypeIdentifierWalkingHeartRateAverage", "count/min", f"{rest + 40:.0f}", WATCH,
                       base + _dt.timedelta(hours=7), base + _dt.timedelta(hours=22)))
    for k in range(rng.randint(3, 5)):
        start = base + _dt.timedelta(hours=rng.choice((1, 3, 5, 10, 15, 20)), minutes=rng.randint(0, 50))
        sdnn = max(8.0, 48 - stress * 12 + rng.gauss(0, 6))
        beats = "".join(f'   <InstantaneousBeatsPerMinute bpm="{rest + rng.randint(-4, 12):.0f}" '
                        f'time="{(start + _dt.timedelta(seconds=s)).strftime("%H:%M:%S")},{rng.randint(10, 99)}"/>\n'
                        for s in range(0, 60, 1))
        extra = f"  <HeartRateVariabilityMetadataList>\n{beats}  </HeartRateVariabilityMetadataList>\n"
        out.append(_record("HKQuantityTypeIdentifierHeartRateVariabilitySDNN", "ms", f"{sdnn:.4f}", WATCH, start,
                           start + _dt.timedelta(seconds=60), extra))
    if day.toordinal() % 2 == 0:
        start = base + _dt.timedelta(hours=18, minutes=rng.randint(0, 40))
        minutes = rng.uniform(35, 95)
        end = start + _dt.timedelta(minutes=minutes)
        out.append(f' <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="{minutes:.4f}" '
                   f'durationUnit="min" {WATCH} creationDate="{_stamp(end)}" startDate="{_stamp(start)}" '
                   f'endDate="{_stamp(end)}">\n'
                   f'{_meta("HKIndoorWorkout", "0")}{_meta("HKTimeZone", "Europe/Paris")}'
                   f'  <WorkoutEvent type="HKWorkoutEventTypeSegment" date="{_stamp(start)}" duration="{minutes / 2:.4f}" durationUnit="min"/>\n'
                   f'  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="{_stamp(start)}" '
                   f'endDate="{_stamp(end)}" average="{rest + 95:.0f}" minimum="{rest + 40:.0f}" maximum="{rest + 125:.0f}" unit="count/min"/>\n'
                   f'  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="{_stamp(start)}" '
                   f'endDate="{_stamp(end)}" sum="{minutes / 5.6:.3f}" unit="km"/>\n'
                   ' </Workout>\n')
    out.append(f' <ActivitySummary dateComponents="{day.isoformat()}" activeEnergyBurned="{rng.uniform(300, 900):.3f}" '
               'activeEnergyBurnedGoal="500" activeEnergyBurnedUnit="Cal" appleExerciseTime="45" '
               'appleExerciseTimeGoal="30" appleStandHours="12" appleStandHoursGoal="12"/>\n')
    return "".join(out)


def _size(text: str) -> int:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)", text.strip().upper())
    if not match:
        raise argparse.ArgumentTypeError(f"found {text!r}, expected a size such as 200M or 1G")
    return int(float(match.group(1)) * {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}[match.group(2)])


def write_export(out, size: int, seed: int = 5, end=_dt.date(2025, 11, 30)) -> dict:
    """Write an export of about ``size`` bytes ending on ``end``; returns ``days``, ``bytes`` and ``first``.

    The days run backwards from ``end`` until the size is reached, then are
    written oldest first, as the Health app writes them (by type, then date,
    in a real export; the reader does not depend on the order).
    """
    rng = random.Random(seed)
    sample = day_text(end, random.Random(seed), 0.0).encode("utf-8")
    days = max(1, round((size - 4000) / len(sample)))
    first = end - _dt.timedelta(days=days - 1)
    out = Path(out)
    written = 0

    def chunks():
        yield HEADER.replace("{export}", f"{end.isoformat()} 20:00:00").encode("utf-8")
        for k in range(days):
            day = first + _dt.timedelta(days=k)
            # a hard block of training every few weeks: resting HR up, HRV down
            stress = 1.0 if (k % 35) >= 28 else 0.0
            yield day_text(day, rng, stress).encode("utf-8")
        yield b"</HealthData>\n"

    if out.suffix.lower() == ".zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            info = zipfile.ZipInfo("apple_health_export/export.xml", date_time=(end.year, end.month, end.day, 20, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as handle:
                for chunk in chunks():
                    handle.write(chunk)
                    written += len(chunk)
    else:
        with open(out, "wb") as handle:
            for chunk in chunks():
                handle.write(chunk)
                written += len(chunk)
    return {"days": days, "bytes": written, "first": first.isoformat(), "last": end.isoformat()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="export.xml or export.zip to write")
    parser.add_argument("--size", type=_size, default=_size("1G"), help="about this many bytes of XML (default 1G)")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args(argv)
    made = write_export(args.out, args.size, args.seed)
    print(f"wrote {args.out}: {made['bytes'] / 2**20:,.0f} MiB of XML, {made['days']} days, {made['first']} to "
          f"{made['last']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
