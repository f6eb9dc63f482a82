"""Training-load formulas on plain numbers and NumPy arrays: no pandas, no files.

One public function per published formula, each taking scalars or arrays and
returning the same, so that one athlete's table and a whole federation's
tables call the very same function (the fast path vectorises the caller):

* :mod:`~heavylegs.metrics.session` — session-RPE load (Foster 2001) and
  the RPE assumed by session type;
* :mod:`~heavylegs.metrics.averages` — the exponentially weighted average
  every smoothed metric uses, and its two smoothing conventions;
* :mod:`~heavylegs.metrics.ratios` — acute:chronic workload ratios
  (coupled, uncoupled, EWMA);
* :mod:`~heavylegs.metrics.monotony` — monotony and strain (Foster 1998);
* :mod:`~heavylegs.metrics.fitness` — fitness, fatigue and form
  (Banister 1975, Coggan);
* :mod:`~heavylegs.metrics.heart_rate` — the heart-rate histogram, TRIMP,
  HRSS, Tanaka's maximum heart rate;
* :mod:`~heavylegs.metrics.pace` — the grade-adjusted-pace factor,
  grade-adjusted distance, rTSS and the runs that set a threshold pace;
* :mod:`~heavylegs.metrics.distance` — haversine distance along a track.

Missing values are NaN throughout (never None): a formula that lacks an
input gives NaN where it lacks it.
"""
