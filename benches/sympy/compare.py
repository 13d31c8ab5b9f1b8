#!/usr/bin/env python3
"""taylornet against SymPy on the same questions, in the same run, on the same machine.

    cargo build --release
    pip install sympy gmpy2
    python3 benches/sympy/compare.py            # the table in docs/performance.md
    python3 benches/sympy/compare.py --quick    # fewer cases, shorter timeouts

taylornet is timed as a whole process (`taylornet series …`, `taylornet analyze …`:
start, parse, expand, print), best of several runs. SymPy is timed on its
computation alone (imports and setup excluded), each strategy in its own
subprocess so a strategy that does not finish is stopped at the timeout.

Scalar cases, the same composed activation s(s(…s(t))) to O(t^(order+1)):
  * `series`   SymPy's plain `expr.series(t, 0, order + 1)`;
  * `ring`     ring series (`sympy.polys.ring_series.rs_tanh`, over QQ);
  * `compose`  a truncated-polynomial composition over QQ: the activation's
               coefficients once, then Horner's rule with `rs_mul`, depth times.
  With gmpy2 installed, QQ is gmpy2's mpq, as a serious SymPy user would have it.
  The coefficients SymPy finds are compared with taylornet's (`--format json`).

Network case, y = tanh(W2·tanh(W1·x + b1) + b2) with x, b1, b2 small (ε):
  * `explicit n×n`  the only correct way SymPy allows: explicit symbolic entries,
    element-wise tanh as ring series in ε over QQ[entries], to O(ε^(order+1));
  * `series 2×2`    plain `series` in ε on the 2×2 explicit network.
  taylornet answers for symbolic shapes (any n): `taylornet analyze … --order N`.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from child import run_in_child, timed_process  # noqa: E402 - benches/child.py
from peers.compare import peer_sympy  # noqa: E402 - ring series over QQ, benches/peers/compare.py

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.path.join(ROOT, "target", "release", "taylornet")


# ---------------------------------------------------------------- taylornet side

def run_taylornet(args, repeat):
    """Best wall time (s) of the whole process, and its stdout."""
    return timed_process([BINARY] + args, repeat)


def composed(act, depth):
    return f"{act}(" * depth + "t" + ")" * depth


# ---------------------------------------------------------------- SymPy strategies
# Each runs in a child process and sends back (seconds, coefficients as strings).

def sympy_series(act, depth, order):
    import sympy as sp
    t = sp.Symbol("t")
    f = {"tanh": sp.tanh, "sigmoid": lambda u: 1 / (1 + sp.exp(-u)),
         "gelu": lambda u: u * (1 + sp.erf(u / sp.sqrt(2))) / 2}[act]
    e = t
    for _ in range(depth):
        e = f(e)
    t0 = time.perf_counter()
    s = sp.series(e, t, 0, order + 1).removeO()
    dt = time.perf_counter() - t0
    p = sp.Poly(sp.expand(s), t)
    return dt, [str(sp.nsimplify(p.coeff_monomial(t**k))) for k in range(order + 1)]


def sympy_ring(act, depth, order):
    if act != "tanh":
        raise NotImplementedError("ring series over QQ: tanh only")
    return peer_sympy(act, depth, order)


def tanh_coefficients(order):
    """tanh's Taylor coefficients over QQ (ring series, once)."""
    from sympy.polys.domains import QQ
    from sympy.polys.rings import ring
    from sympy.polys.ring_series import rs_tanh
    R, t = ring("t", QQ)
    p = rs_tanh(t, t, order + 1)
    return [p.coeff(t**k) for k in range(order + 1)]


def sympy_compose(act, depth, order):
    from sympy.polys.domains import QQ
    from sympy.polys.rings import ring
    from sympy.polys.ring_series import rs_mul
    if act != "tanh":
        raise NotImplementedError("composition over QQ: tanh only")
    R, t = ring("t", QQ)
    c = tanh_coefficients(order)
    t0 = time.perf_counter()
    p = t
    for _ in range(depth):
        # Horner: c_n, then q ← q·p + c_k, truncated after t^order.
        q = R(c[order])
        for k in range(order - 1, -1, -1):
            q = rs_mul(q, p, t, order + 1) + c[k]
        p = q
    dt = time.perf_counter() - t0
    return dt, [str(p.coeff(t**k)) for k in range(order + 1)]


def sympy_network(n, order):
    """The 2-layer tanh network with n×n explicit entries, as ring series in ε."""
    from sympy.polys.domains import QQ
    from sympy.polys.rings import ring
    from sympy.polys.ring_series import rs_tanh
    names = ["eps"]
    names += [f"W1_{i}{j}" for i in range(n) for j in range(n)]
    names += [f"W2_{i}{j}" for i in range(n) for j in range(n)]
    names += [f"x{i}" for i in range(n)] + [f"b1_{i}" for i in range(n)] + [f"b2_{i}" for i in range(n)]
    R, *g = ring(",".join(names), QQ)
    v = dict(zip(names, g))
    eps = v["eps"]
    t0 = time.perf_counter()
    h = []
    for i in range(n):
        z = sum((v[f"W1_{i}{j}"] * v[f"x{j}"] for j in range(n)), R(0)) + v[f"b1_{i}"]
        h.append(rs_tanh(eps * z, eps, order + 1))
    y = []
    for i in range(n):
        z = sum((v[f"W2_{i}{j}"] * h[j] for j in range(n)), R(0)) + eps * v[f"b2_{i}"]
        y.append(rs_tanh(z, eps, order + 1))
    dt = time.perf_counter() - t0
    return dt, [len(p.terms()) for p in y]


def sympy_network_series(n, order):
    import sympy as sp
    eps = sp.Symbol("eps")
    W1 = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"W1_{i}{j}"))
    W2 = sp.Matrix(n, n, lambda i, j: sp.Symbol(f"W2_{i}{j}"))
    x = sp.Matrix(n, 1, lambda i, j: sp.Symbol(f"x{i}"))
    b1 = sp.Matrix(n, 1, lambda i, j: sp.Symbol(f"b1_{i}"))
    b2 = sp.Matrix(n, 1, lambda i, j: sp.Symbol(f"b2_{i}"))
    h = (W1 * x * eps + b1 * eps).applyfunc(sp.tanh)
    y = (W2 * h + b2 * eps).applyfunc(sp.tanh)
    t0 = time.perf_counter()
    out = [sp.series(e, eps, 0, order + 1) for e in y]
    dt = time.perf_counter() - t0
    return dt, [len(sp.Add.make_args(sp.expand(o.removeO()))) for o in out]


STRATEGIES = {
    "series": sympy_series,
    "ring": sympy_ring,
    "compose": sympy_compose,
    "network": sympy_network,
    "network-series": sympy_network_series,
}


def run_sympy(name, args, timeout):
    """(status, seconds or message, result) of one strategy, stopped after `timeout` seconds."""
    return run_in_child(STRATEGIES[name], args, timeout)


# ---------------------------------------------------------------- the comparison

def times(r):
    return f"{r:.0f}×" if r >= 10 else f"{r:.2g}×"


def fmt(sec):
    if sec is None:
        return "—"
    if sec >= 1:
        return f"{sec:.2f} s"
    return f"{sec * 1e3:.2f} ms"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer cases and a 20 s timeout")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--json", help="also write the rows to this file")
    args = ap.parse_args()
    timeout = 20.0 if args.quick else args.timeout
    if not os.path.exists(BINARY):
        sys.exit("build first: cargo build --release")
    try:
        import gmpy2  # noqa: F401
        import sympy
        from sympy.polys.domains import QQ
        ground = type(QQ(1, 2)).__module__
    except ImportError as e:
        sys.exit(f"needs sympy and gmpy2 ({e}); pip install sympy gmpy2")
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores; "
          f"python {platform.python_version()}, sympy {sympy.__version__}, QQ elements from {ground}")
    rows = []

    scalar = [(d, n) for d in (1, 5, 20) for n in (5, 20, 50)]
    if args.quick:
        scalar = [(1, 5), (5, 20), (20, 50)]
    print("\nscalar compositions s(s(…s(t))) to O(t^(n+1))")
    print(f"{'case':<22} {'taylornet':>10} {'series':>10} {'ring':>10} {'compose':>10} {'fastest':>8} {'ratio':>8}  same")
    for act in ("tanh",):
        for depth, order in scalar:
            tn, out = run_taylornet(["series", composed(act, depth), "--order", str(order), "--format", "json"], 7)
            ours = [c["exact"] for c in json.loads(out)["coefficients"]]
            res = {}
            for name in ("series", "ring", "compose"):
                if name == "series" and depth * order > 100:
                    res[name] = ("skipped", None, None)  # known not to finish in the timeout
                    continue
                res[name] = run_sympy(name, (act, depth, order), timeout)
            done = {k: v for k, v in res.items() if v[0] == "ok"}
            fastest = min(done, key=lambda k: done[k][1]) if done else None
            same = all(v[2] == ours for v in done.values())
            ratio = done[fastest][1] / tn if fastest else None
            cells = [fmt(v[1]) if v[0] == "ok" else (f"> {timeout:.0f} s" if v[0] == "timeout" else v[0]) for v in res.values()]
            case = f"{act} depth {depth} order {order}"
            print(f"{case:<22} {fmt(tn):>10} " + " ".join(f"{c:>10}" for c in cells)
                  + f" {fastest or '—':>8} {(times(ratio) if ratio else '—'):>8}  {'yes' if same else 'NO'}")
            rows.append({"case": case, "taylornet_s": tn,
                         "sympy": {k: {"status": v[0], "seconds": v[1] if v[0] == "ok" else None} for k, v in res.items()},
                         "fastest": fastest, "ratio": ratio, "same_coefficients": same})

    print("\n2-layer tanh network tanh(W2·tanh(W1·x + b1) + b2), x and biases small")
    print(f"{'case':<22} {'taylornet':>10} {'sympy':>12} {'ratio':>8}  sympy's way")
    for order in ((5,) if args.quick else (3, 5)):
        tn, _ = run_taylornet(["analyze", "tanh(W2·tanh(W1·x + b1) + b2)", "--order", str(order)], 7)
        cases = [("network", (n, order), f"explicit {n}×{n}, ring series") for n in ((2, 4) if args.quick else (2, 4, 8))]
        if order == 5:
            cases.append(("network-series", (2, order), "explicit 2×2, plain series"))
        for name, a, how in cases:
            st, sec, _ = run_sympy(name, a, timeout)
            ratio = sec / tn if st == "ok" else (timeout / tn if st == "timeout" else None)
            shown = fmt(sec) if st == "ok" else (f"> {timeout:.0f} s" if st == "timeout" else st)
            rtxt = (times(ratio) if st == "ok" else f"> {times(ratio)}") if ratio else "—"
            case = f"order {order}"
            print(f"{case:<22} {fmt(tn):>10} {shown:>12} {rtxt:>8}  {how}")
            rows.append({"case": f"network order {order}, {how}", "taylornet_s": tn, "sympy_status": st,
                         "sympy_s": sec if st == "ok" else None, "ratio": ratio})
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
