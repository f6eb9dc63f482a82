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


def run_notebook(path, data_dir, timeout: int = 180):
    """Run a notebook top to bottom with nbclient, kernel start included.

    Parameters
    ----------
    path : Path
        The notebook; it runs in its own folder, on ``data_dir`` (``HEAVYLEGS_DATA_DIR``).
    data_dir : Path
        The data folder the notebook reads.
    timeout : int
        Longest a cell may take [s].

    Returns
    -------
    tuple
        (time until the last cell's output [s]: what a coach waits for, from the kernel's start;
        the same with the kernel shut down afterwards [s]; the executed notebook).
    """
    import os

    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    os.environ["HEAVYLEGS_DATA_DIR"] = str(data_dir)
    start = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        shown = time.perf_counter() - start
    return shown, time.perf_counter() - start, nb
