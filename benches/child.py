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
