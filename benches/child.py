"""One computation in a child process, stopped after a timeout, and one timed run of a process
(shared by the comparison scripts)."""

import multiprocessing as mp
import subprocess
import tempfile
import time


def _child(queue, fn, args):
    try:
        queue.put(("ok",) + tuple(fn(*args)))
    except NotImplementedError as e:
        queue.put(("n/a", str(e), None))
    except Exception as e:  # noqa: BLE001 - reported in the table
        queue.put(("error", repr(e), None))


def run_in_child(fn, args, timeout):
    """(status, seconds or message, result) of `fn(*args)`, which returns (seconds, result);
    status is "ok", "n/a", "error" or "timeout" (stopped after `timeout` seconds)."""
    q = mp.Queue()
    p = mp.Process(target=_child, args=(q, fn, args))
    p.start()
    # The result is read before the child is joined: a child whose result is larger than the
    # pipe's buffer (series of order 500) cannot exit until it is read.
    try:
        result = q.get(timeout=timeout)
    except Exception:  # noqa: BLE001
        result = None
    if result is None and p.is_alive():
        p.kill()
        p.join()
        return ("timeout", timeout, None)
    p.join()
    return result if result is not None else ("error", "no result", None)


def timed_process(args, repeat):
    """Best wall time (s) of the process `args` over `repeat` runs, and its standard output.

    The process writes into a temporary file and the file is read after the clock stops: read
    through a pipe and decoded as it arrives, the output of a large report cost Python more
    than taylornet took to write it (sigmoid∘5's 5.4 MB: 65 ms against 49 ms into a file)."""
    best, out = float("inf"), ""
    for _ in range(repeat):
        with tempfile.TemporaryFile() as sink:
            t0 = time.perf_counter()
            p = subprocess.run(args, stdout=sink, stderr=subprocess.PIPE)
            dt = time.perf_counter() - t0
            if p.returncode != 0:
                raise RuntimeError(f"{' '.join(args)}: {p.stderr.decode(errors='replace')}")
            if dt < best:
                sink.seek(0)
                best, out = dt, sink.read().decode()
    return best, out
