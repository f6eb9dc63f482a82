"""Speed and memory of the Apple Health importer on a large export; prints the figures.

Run from the repository root::

    python benchmarks/bench_wellness.py [--size 1G] [--zip] [--keep DIR]

1. Writes a realistic synthetic ``export.xml`` of the given size
   (``scripts/make_apple_export.py``; kept in ``--keep DIR`` to reuse it).
2. The floor: a bare ``xml.etree.ElementTree.iterparse`` pass over the same
   file, clearing each element at its end (the standard library's streaming
   parse with nothing done to the records).
3. heavylegs: :func:`heavylegs.logs.formats.wellness_import.read_wellness_file`,
   the whole import of sleep, resting heart rate and HRV.
4. With ``--zip``, the same through ``export.zip`` read in place.

Each pass runs in its own process; it reports its wall time, its CPU time
(user + system) and its peak resident memory (``ru_maxrss``), and the MB/s of
the XML. Targets (issue 21): 1 GB in at most 60 s and 300 MB peak RSS. The
machine is shared: give the load average with the figures (printed).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from make_apple_export import _size, write_export  # noqa: E402

FLOOR = r"""
import json, resource, sys, time
import xml.etree.ElementTree as ET
path = sys.argv[1]
t0, c0 = time.perf_counter(), time.process_time()
n = 0
for _event, elem in ET.iterparse(path, events=("end",)):
    n += 1
    elem.clear()
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "elements": n,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

OURS = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
from heavylegs.logs.formats.wellness_import import read_wellness_file
path = sys.argv[1]
t0, c0 = time.perf_counter(), time.process_time()
[read] = read_wellness_file(path)
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0, "days": read.days,
                  "first": read.first, "last": read.last, "filled": read.filled, "notes": read.notes[:1],
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _run(code: str, path: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, str(path), str(ROOT)], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _line(label: str, figures: dict, mb: float) -> str:
    return (f"  {label:<34} {figures['wall']:6.1f} s wall, {figures['cpu']:6.1f} s CPU, "
            f"{mb / figures['wall']:6.1f} MB/s (CPU: {mb / figures['cpu']:6.1f} MB/s), "
            f"peak RSS {figures['rss_mb']:5.0f} MB")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=_size, default=_size("1G"), help="size of the export's XML (default 1G)")
    parser.add_argument("--zip", action="store_true", help="also read it through export.zip")
    parser.add_argument("--keep", help="folder where the generated export is kept and reused")
    args = parser.parse_args(argv)
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="heavylegs-apple-"))
    folder.mkdir(parents=True, exist_ok=True)
    xml = folder / f"export-{args.size}.xml"
    if not xml.exists():
        t0 = time.perf_counter()
        made = write_export(xml, args.size)
        print(f"generated {xml} ({made['days']} days) in {time.perf_counter() - t0:.0f} s")
    mb = xml.stat().st_size / 1e6
    print(f"Apple Health export.xml, {mb:,.0f} MB; load average before: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())} (2 cores, shared)")
    floor = _run(FLOOR, xml)
    print(_line("floor: ElementTree.iterparse+clear", floor, mb) + f", {floor['elements']:,} elements")
    ours = _run(OURS, xml)
    print(_line("heavylegs read_wellness_file", ours, mb)
          + f"\n    {ours['days']} days, {ours['first']} to {ours['last']}, {', '.join(ours['filled'])}; "
            f"{ours['notes'][0] if ours['notes'] else ''}")
    print(f"  heavylegs / floor: {ours['wall'] / floor['wall']:.2f} x the floor's wall time, "
          f"{ours['cpu'] / floor['cpu']:.2f} x its CPU time")
    if args.zip:
        import zipfile

        packed = folder / f"export-{args.size}.zip"
        if not packed.exists():
            with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
                archive.write(xml, "apple_health_export/export.xml")
        zipped = _run(OURS, packed)
        print(_line("heavylegs, export.zip in place", zipped, mb)
              + f" (zip {packed.stat().st_size / 1e6:,.0f} MB)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
