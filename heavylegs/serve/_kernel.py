"""A dashboard server's first kernel, started before Voila is imported (see :mod:`heavylegs.serve._voila`).

Run as ``python -m heavylegs.serve._kernel ipykernel_launcher`` by the Voila
process of :func:`heavylegs.serve.server.serve_dashboard`, as its very first act.
Voila's own start (its imports, about 1 s) and a kernel's (IPython,
ipykernel, pandas, plotly and a first build of the dashboard, about 2 s on
2 cores) do not depend on each other, so on a machine with two cores they
can overlap. This process:

1. imports what a dashboard kernel needs;
2. builds the served athlete's dashboard once and throws it away: what
   stays are the imported modules and the package's parsed knowledge files,
   never the athlete's data (the page is built again from the files when
   Voila runs the notebook);
3. waits for one line on standard input, a JSON object with the kernel
   command's arguments (``argv``, after ``-m ipykernel_launcher``), its
   environment (``env``) and folder (``cwd``), written by Voila's kernel
   manager when it starts its first kernel; then it becomes that kernel,
   as ``python -m ipykernel_launcher ARGV`` would. At the end of its input
   without a line (Voila stopped first) it exits with status 0.

The kernel runs without debugpy: ipykernel imports it when a kernel starts,
to offer a debugger (about 0.25 s, on the way to the first page), and Voila
never debugs. An ``import debugpy`` in the kernel then fails.

Nothing here is imported by the rest of the package.
"""
from __future__ import annotations

import json
import os
import sys

# The kernel's modules, imported while the process waits for Voila: not ipykernel.kernelapp, which reads
# $JPY_PARENT_PID when imported (the environment Voila gives the kernel is known only in become_kernel).
import IPython.core.application  # noqa: F401
import IPython.core.shellapp  # noqa: F401
import IPython.display  # noqa: F401
import ipykernel.heartbeat  # noqa: F401
import ipykernel.iostream  # noqa: F401
import ipykernel.ipkernel  # noqa: F401
import ipykernel.parentpoller  # noqa: F401
import ipykernel.zmqshell  # noqa: F401

from heavylegs.store.storage import DATA_DIR_ENV, SERVED_ATHLETE_ENV
from heavylegs.views.dashboard import CHARTS, AthleteDashboard, dashboard_blocks


def warm_up(data_dir: str | None, athlete_id: str | None) -> None:
    """Import the kernel's modules and build one dashboard, keeping nothing of it.

    Parameters
    ----------
    data_dir, athlete_id : str or None
        The served data folder and athlete; without an athlete only the
        modules are imported. Any error is left for the real run to report.
    """
    if not athlete_id:
        return
    try:
        board = AthleteDashboard(data_dir, athlete_id)
        if board.content is not None:
            for block in dashboard_blocks(board.content):
                if block in CHARTS:
                    CHARTS[block](board.content).to_plotly_json()
    except Exception:  # the notebook run reports it
        pass


def become_kernel(request: dict) -> None:
    """Turn this process into the kernel Voila asked for (does not return until the kernel ends).

    Parameters
    ----------
    request : dict
        ``argv`` (list of str, the arguments after ``-m ipykernel_launcher``),
        ``env`` (dict, the kernel's whole environment) and ``cwd`` (str or
        None, its folder).
    """
    if request.get("cwd"):
        os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    if sys.path and sys.path[0] == "":  # as ipykernel_launcher does
        del sys.path[0]
    argv = [str(a) for a in request["argv"]]
    sys.argv = ["ipykernel_launcher", *argv]
    from ipykernel import kernelapp  # only now: it reads $JPY_PARENT_PID when imported

    kernelapp.launch_new_instance(argv=argv)


def main() -> int:
    """Warm up, wait for Voila's request on standard input, become the kernel."""
    sys.modules.setdefault("debugpy", None)  # ipykernel then starts without a debugger
    warm_up(os.environ.get(DATA_DIR_ENV), os.environ.get(SERVED_ATHLETE_ENV))
    line = sys.stdin.buffer.readline()
    if not line.strip():
        return 0
    become_kernel(json.loads(line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
