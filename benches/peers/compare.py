#!/usr/bin/env python3
"""taylornet against python-flint, SymPy and SymEngine on exact univariate series.

    cargo build --release
    pip install python-flint sympy symengine gmpy2
    python3 benches/peers/compare.py            # the table in docs/performance.md
    python3 benches/peers/compare.py --quick    # fewer cases

A case is a chain of functions applied to t, innermost first, to O(t^(order+1)):
s(s(…s(t))) (s composed `depth` times) for s in tanh, sin, atan; (sin∘tanh)
composed; exp of tanh composed. taylornet is timed as a whole process (`taylornet series
… --format json`: start, parse, expand, print), best of `--repeat` runs; and, when the
Python module is installed (`pip install ./python`), inside this process as the peers are
(the engine's call alone: the series and its JSON text). Each peer
is timed on its computation alone (imports and setup outside the clock), best of
`--repeat` runs, in its own child process, stopped at `--timeout` seconds:

  * `flint`      python-flint's `fmpq_series`: `y = y.tanh()` (`.sin()`, `.atan()`)
                 `depth` times, at precision order + 1;
  * `sympy`      SymPy's ring series over QQ (gmpy2 `mpq` when installed):
                 `rs_tanh` / `rs_sin` / `rs_atan`, `depth` times;
  * `symengine`  `symengine.series(expr, t, 0, order + 1)` on the composed expression.

Every peer's coefficients are compared with taylornet's exactly, as rationals
(`same` below): a mismatch is printed and makes the exit status 1.
"""

import argparse
import json
import os
import platform
import sys
import time
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from child import run_in_child, timed_process  # noqa: E402 - benches/child.py

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("TAYLORNET", os.path.join(ROOT, "target", "release", "taylornet"))


def composed(chain):
    """The expression of `chain` (innermost first) applied to t."""
    return "".join(f"{f}(" for f in reversed(chain)) + "t" + ")" * len(chain)


def run_series(expr, order, repeat, fmt="json"):
    """Best wall time (s) of `taylornet series EXPR` as a whole process, and (for JSON) its
    exact coefficients (ASCII strings) by power of t; `fmt="text"` times the default report
    and returns no coefficients."""
    args = [BINARY, "series", expr, "--order", str(order), "--format", fmt]
    best, out = timed_process(args, repeat)
    if fmt != "json":
        return best, None
    coefs = json.loads(out)["coefficients"]
    return best, [c["exact"] for c in sorted(coefs, key=lambda c: c["k"])]


def run_in_process(expr, order, repeat):
    """Best time (s) of the same series computed and written as JSON by the Python module
    (`pip install ./python`) inside this process, as the peers are timed: no process start,
    no parsing of the JSON in Python. `None` when the module is not installed."""
    try:
        import taylornet
    except ImportError:
        return None
    best = float("inf")
    for _ in range(repeat):
        engine = taylornet.Session()._engine  # a fresh session each run, outside the clock
        t0 = time.perf_counter()
        engine.series(expr, order, None)
        best = min(best, time.perf_counter() - t0)
    return best


def run_taylornet(chain, order, repeat):
    """Best wall time (s) of the whole process, and the coefficients as Fractions."""
    best, coefs = run_series(composed(chain), order, repeat)
    return best, [Fraction(c) for c in coefs]


# ---------------------------------------------------------------- peers
# Each returns (seconds of the computation alone, coefficients as strings "p/q").

def peer_flint(chain, order):
    import flint
    flint.ctx.cap = order + 1
    y0 = flint.fmpq_series([0, 1], prec=order + 1)
    t0 = time.perf_counter()
    y = y0
    for act in chain:
        y = getattr(y, act)()
    dt = time.perf_counter() - t0
    c = y.coeffs()
    return dt, [str(c[k]) if k < len(c) else "0" for k in range(order + 1)]


def peer_sympy(chain, order):
    from sympy.polys.domains import QQ
    from sympy.polys.rings import ring
    from sympy.polys import ring_series as rs
    fs = {"tanh": rs.rs_tanh, "sin": rs.rs_sin, "atan": rs.rs_atan, "exp": rs.rs_exp}
    R, t = ring("t", QQ)
    t0 = time.perf_counter()
    p = t
    for act in chain:
        p = fs[act](p, t, order + 1)
    dt = time.perf_counter() - t0
    return dt, [str(p.coeff(t**k)) for k in range(order + 1)]


def peer_symengine(chain, order):
    import symengine as se
    t = se.Symbol("t")
    fs = {"tanh": se.tanh, "sin": se.sin, "atan": se.atan, "exp": se.exp}
    e = t
    for act in chain:
        e = fs[act](e)
    t0 = time.perf_counter()
    s = se.series(e, t, 0, order + 1)
    dt = time.perf_counter() - t0
    p = se.expand(s)
    return dt, [str(p.coeff(t, k)) for k in range(order + 1)]


PEERS = {"flint": peer_flint, "sympy": peer_sympy, "symengine": peer_symengine}


def best_of(fn, repeat, *args):
    """(best seconds, result) of `repeat` runs of `fn(*args)`."""
    best, result = float("inf"), None
    for _ in range(repeat):
        dt, result = fn(*args)
        best = min(best, dt)
    return best, result


def fmt(s):
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--peers", default="flint,sympy,symengine",
                    help="comma-separated peers to run (SymPy and SymEngine take minutes at order 500)")
    a = ap.parse_args()
    if a.quick:
        cases = [(f"{s}∘5", [s] * 5, n) for s in ("tanh", "sin") for n in (50, 200)]
    else:
        cases = [(f"{s}∘{d}", [s] * d, n) for s in ("tanh", "sin", "atan")
                 for d in (5, 20, 50) for n in (50, 200, 500)]
        cases += [(f"(sin∘tanh)∘{d}", ["tanh", "sin"] * d, n) for d in (5,) for n in (50, 200, 500)]
        cases += [(f"exp∘tanh∘{d}", ["tanh"] * d + ["exp"], n) for d in (20,) for n in (50, 200, 500)]
    peers = a.peers.split(",")
    versions = []
    for name, module in (("flint", "python-flint"), ("sympy", "SymPy"), ("symengine", "SymEngine")):
        if name in peers:
            versions.append(f"{module} {__import__(name).__version__}")
    print(f"<!-- {platform.machine()}, Python {platform.python_version()}, {', '.join(versions)} -->")
    print("| case | taylornet (process) | taylornet (in process) | FLINT | SymPy ring | SymEngine "
          "| FLINT / taylornet | FLINT / in process | same |")
    print("|---|---|---|---|---|---|---|---|---|")
    bad = False
    for label, chain, order in cases:
        t_tn, ours = run_taylornet(chain, order, a.repeat)
        t_in = run_in_process(composed(chain), order, a.repeat)
        cells, same, flint_s = [], [], None
        for name in ("flint", "sympy", "symengine"):
            if name not in peers:
                cells.append("—")
                continue
            # SymPy and SymEngine take minutes where FLINT takes milliseconds: fewer runs.
            rep = a.repeat if name == "flint" else 1
            status, val, coefs = run_in_child(best_of, (PEERS[name], rep, chain, order), a.timeout)
            if status == "ok":
                cells.append(fmt(val))
                ok = [Fraction(c) for c in coefs] == ours
                same.append(f"{name} {'yes' if ok else 'NO'}")
                bad |= not ok
                if name == "flint":
                    flint_s = val
            elif status == "timeout":
                cells.append(f"> {val:.0f} s")
            else:
                cells.append(f"error: {val}")
        ratio = f"{flint_s / t_tn:.2f}×" if flint_s else "—"
        ratio_in = f"{flint_s / t_in:.2f}×" if flint_s and t_in else "—"
        print(f"| {label}, order {order} | {fmt(t_tn)} | {fmt(t_in) if t_in else '—'} | "
              f"{' | '.join(cells)} | {ratio} | {ratio_in} | {', '.join(same)} |", flush=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
