"""Timing helper shared by the benchmark scripts (run as ``python benchmarks/bench_*.py``)."""
import statistics
import time


def median_time(func, repeat: int = 5) -> float:
    """Median wall-clock time of ``repeat`` calls of ``func()`` [s]."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
