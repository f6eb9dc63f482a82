"""The dashboard server's preloaded first kernel (heavylegs/_kernel.py).

The process is started by hand here, as heavylegs.serve._voila starts it, and given
a kernel command the way the handover in heavylegs.serve._voila gives it one.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

from jupyter_client import BlockingKernelClient
from jupyter_client.connect import write_connection_file

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"


def _env(tmp_path, **extra):
    return {**os.environ, "PYTHONPATH": str(ROOT), "IPYTHONDIR": str(tmp_path / "ipython"),
            "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), **extra}


def test_warm_up_imports_the_kernel_but_not_kernelapp(tmp_path):
    """ipykernel.kernelapp reads $JPY_PARENT_PID when imported, so it must wait for the handover."""
    code = ("import sys; from heavylegs.serve._kernel import warm_up; warm_up(sys.argv[1], 'gus'); "
            "print(sorted(m for m in ('ipykernel.kernelapp', 'ipykernel.ipkernel', 'heavylegs.views.dashboard', "
            "'pandas', 'plotly.graph_objects') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code, str(DATA)], capture_output=True, text=True, timeout=120,
                          env=_env(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['heavylegs.views.dashboard', 'ipykernel.ipkernel', 'pandas', 'plotly.graph_objects']"


def test_warm_up_keeps_quiet_about_a_bad_athlete(tmp_path):
    code = "from heavylegs.serve._kernel import warm_up; warm_up('/nonexistent', 'no-such-athlete'); print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=_env(tmp_path), cwd=tmp_path)
    assert done.returncode == 0 and done.stdout == "ok\n" and done.stderr == ""


def test_preload_ends_when_its_input_ends(tmp_path):
    """Voila stopped before it needed a kernel: end of input, status 0, nothing written."""
    done = subprocess.run([sys.executable, "-m", "heavylegs.serve._kernel", "ipykernel_launcher"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120, env=_env(tmp_path), cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_preload_becomes_the_kernel_it_is_asked_for(tmp_path):
    """Arguments, environment and folder come from the handover line; the kernel then answers as any other."""
    connection_file = str(tmp_path / "kernel.json")
    write_connection_file(connection_file, ip="127.0.0.1", key=b"a-test-key")
    work = tmp_path / "work"
    work.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "heavylegs.serve._kernel", "ipykernel_launcher"], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(tmp_path), cwd=tmp_path)
    client = BlockingKernelClient(connection_file=connection_file)
    try:
        kernel_env = _env(tmp_path, QUERY_STRING="athlete=gus", JPY_PARENT_PID=str(os.getpid()))
        request = {"argv": ["-f", connection_file], "env": kernel_env, "cwd": str(work)}
        proc.stdin.write(json.dumps(request).encode() + b"\n")
        proc.stdin.close()
        client.load_connection_file()
        client.start_channels()
        # The process warms up (imports the dashboard's modules) before it reads the handover, so the
        # kernel's heartbeat may start after the client's first check: wait while the process lives.
        for _attempt in range(60):
            try:
                client.wait_for_ready(timeout=120)
                break
            except RuntimeError:
                assert proc.poll() is None, "the preloaded kernel ended before it answered"
        else:
            raise AssertionError("the kernel never answered")
        outputs = []
        reply = client.execute_interactive(
            "import os, sys; print(os.environ['QUERY_STRING'], os.getcwd(), sys.argv[1:], "
            "sys.modules.get('debugpy', 'unset'))", timeout=60,
            output_hook=lambda msg: outputs.append(msg))
        assert reply["content"]["status"] == "ok"
        text = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
        assert text == f"athlete=gus {work} ['-f', '{connection_file}'] None\n"  # no debugger: Voila never debugs
        client.shutdown()
        assert proc.wait(timeout=60) == 0
    finally:
        client.stop_channels()
        if proc.poll() is None:
            proc.kill()
            proc.wait()

