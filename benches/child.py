"""One computation in a child process, stopped after a timeout (shared by the comparison scripts)."""

import multiprocessing as mp


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
    p.join(timeout)
    if p.is_alive():
        p.kill()
        p.join()
        return ("timeout", timeout, None)
    try:
        return q.get(timeout=5)
    except Exception:  # noqa: BLE001
        return ("error", "no result", None)
