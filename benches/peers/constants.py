#!/usr/bin/env python3
"""taylornet against python-flint's fmpq_mpoly on series whose coefficients hold constants.

    cargo build --release
    pip install python-flint sympy gmpy2
    python3 benches/peers/constants.py            # the table in docs/performance.md

Two families (issue 17, target 2), each to O(t^(order+1)) at t = 0:

  * gelu composed D deep: every coefficient is a polynomial in c = 1/√(2π). The peer keeps a
    series in t whose coefficients are `fmpq_mpoly` in c, and computes gelu(a) = a·Φ(a),
    Φ(a) = ½ + c·∫ exp(−a²/2)·a′, exp by its recurrence.
  * sigmoid composed D deep: layer k expands σ at the previous layer's constant, and the peer
    makes that constant a new variable s_k = σ(s_{k−1}) (`fmpq_mpoly` in s₁ … s_(D−1)), with
    σ′ = σ(1 − σ): y′ = a′·(y − y²), a Riccati recurrence.

taylornet is timed as a whole process, best of `--repeat`, twice: printing its default text
report (where constants that nest others are named once, `κ₁ = …`) and printing JSON (every
coefficient written out in full, twice: ASCII and Unicode); the ratio is taken on the text
report; and, when the Python module is installed (`pip install ./python`), inside this
process as the peer is (the engine's call alone, writing JSON). The peer is timed on its
computation alone, best of `--repeat`. `same` compares the coefficients:
for gelu exactly (taylornet's exact coefficients with π = 1/(2c²), as polynomials in c, against
FLINT's); for sigmoid by value to 40 digits where the exact forms are small enough to read
(taylornet writes σ(s) through exp, FLINT through the s_k, so exact equality needs the
relations between them).
"""

import argparse
import os
import sys
import time
from fractions import Fraction

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import run_in_process, run_series  # noqa: E402 - benches/peers/compare.py


def composed(f, depth):
    return f"{f}(" * depth + "t" + ")" * depth


def gelu_chain(depth, order):
    import flint
    ctx = flint.fmpq_mpoly_ctx.get(["c"], "lex")
    c = ctx.gens()[0]
    zero = ctx.from_dict({(0,): 0})
    n = order

    def mul(a, b):
        out = [zero] * (n + 1)
        for i in range(n + 1):
            if a[i] == 0:
                continue
            for j in range(n + 1 - i):
                if b[j] != 0:
                    out[i + j] += a[i] * b[j]
        return out

    a = [zero, zero + 1] + [zero] * (n - 1)
    for _ in range(depth):
        w = [x * flint.fmpq(-1, 2) for x in mul(a, a)]
        dw = [(j + 1) * w[j + 1] for j in range(n)]
        e = [zero + 1] + [zero] * n
        for k in range(n):
            s = zero
            for j in range(k + 1):
                if dw[j] != 0 and e[k - j] != 0:
                    s += dw[j] * e[k - j]
            e[k + 1] = s / (k + 1)
        da = [(j + 1) * a[j + 1] for j in range(n)] + [zero]
        g = mul(e, da)
        phi = [zero + flint.fmpq(1, 2)] + [c * g[j - 1] / j for j in range(1, n + 1)]
        a = mul(a, phi)
    return a


def sigmoid_chain(depth, order):
    import flint
    names = [f"s{k}" for k in range(1, depth)] or ["s1"]
    ctx = flint.fmpq_mpoly_ctx.get(names, "lex")
    gens = ctx.gens()
    zero = ctx.from_dict({(0,) * len(names): 0})
    n = order
    a = [zero, zero + 1] + [zero] * (n - 1)
    y = a
    for k in range(depth):
        y0 = zero + flint.fmpq(1, 2) if k == 0 else gens[k - 1]
        da = [(j + 1) * a[j + 1] for j in range(n)]
        y = [y0] + [zero] * n
        sq = [y0 * y0] + [zero] * n
        for m in range(n):
            s = zero
            for j in range(m + 1):
                if da[j] != 0:
                    s += da[j] * (y[m - j] - sq[m - j])
            y[m + 1] = s / (m + 1)
            t2 = zero
            for i in range(m + 2):
                t2 += y[i] * y[m + 1 - i]
            sq[m + 1] = t2
        a = y
    return y


def timed(fn, repeat, *args):
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - t0)
    return best, out


def same_gelu(ours, theirs):
    import sympy
    c = sympy.Symbol("c", positive=True)
    for k, (s, p) in enumerate(zip(ours, theirs)):
        e = sympy.expand(sympy.powsimp(sympy.sympify(s).subs(sympy.pi, 1 / (2 * c**2)), force=True))
        mine = {m[0]: Fraction(int(v.p), int(v.q)) for m, v in sympy.Poly(e, c).terms()} if e != 0 else {}
        flint_terms = {m[0]: Fraction(str(v)) for m, v in p.to_dict().items()} if p != 0 else {}
        if {d: v for d, v in mine.items() if v} != flint_terms:
            print(f"coefficient {k}: {s} against {p}", file=sys.stderr)
            return False
    return True


def same_sigmoid(ours, theirs, depth):
    import mpmath
    import sympy
    mpmath.mp.dps = 50
    s = [mpmath.mpf(1) / 2]
    for _ in range(depth - 1):
        s.append(1 / (1 + mpmath.exp(-s[-1])))
    for k, (e, p) in enumerate(zip(ours, theirs)):
        v = sympy.N(sympy.sympify(e, locals={"e": sympy.E}), 50)
        w = mpmath.mpf(0)
        for mono, coef in (p.to_dict().items() if p != 0 else []):
            term = mpmath.mpf(Fraction(str(coef)).numerator) / Fraction(str(coef)).denominator
            for x, d in zip(s[1:], mono):
                term *= x ** int(d)
            w += term
        if abs(mpmath.mpf(str(v)) - w) > mpmath.mpf(10) ** -40 * (1 + abs(w)):
            print(f"coefficient {k}: {v} against {w}", file=sys.stderr)
            return False
    return True


def fmt(s):
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.2f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    cases = [("gelu", 5, n) for n in (20, 50, 100)] + [("gelu", 3, 100)]
    cases += [("sigmoid", d, 10) for d in (2, 3, 4, 5)]
    print("| case | taylornet (process, text) | taylornet (process, JSON) "
          "| taylornet (in process, JSON) | FLINT mpoly | FLINT / taylornet (text) "
          "| FLINT / in process | same |")
    print("|---|---|---|---|---|---|---|---|")
    bad = False
    for f, depth, order in cases:
        t_json, ours = run_series(composed(f, depth), order, a.repeat)
        t_tn, _ = run_series(composed(f, depth), order, a.repeat, fmt="text")
        t_in = run_in_process(composed(f, depth), order, a.repeat)
        if f == "gelu":
            t_fl, theirs = timed(gelu_chain, a.repeat, depth, order)
            same = "exact, yes" if same_gelu(ours, theirs) else "exact, NO"
        else:
            t_fl, theirs = timed(sigmoid_chain, a.repeat, depth, order)
            if depth <= 3:
                same = "40 digits, yes" if same_sigmoid(ours, theirs, depth) else "40 digits, NO"
            else:
                same = "not compared (exact form too large to read)"
        bad |= same.endswith("NO")
        in_proc = (fmt(t_in), f"{t_fl / t_in:.2f}×") if t_in else ("—", "—")
        print(f"| {f}∘{depth}, order {order} | {fmt(t_tn)} | {fmt(t_json)} | {in_proc[0]} "
              f"| {fmt(t_fl)} | {t_fl / t_tn:.2f}× | {in_proc[1]} | {same} |", flush=True)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
