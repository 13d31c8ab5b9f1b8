#!/usr/bin/env python3
"""Grammar-aware seeds for `cargo fuzz run pipeline`: scripts that lean on the inputs that
have broken taylornet before (huge literals and powers, nested calls with a syntax error,
chains of bindings, :load, odd options), so the fuzzer starts next to the hard cases.

    python3 fuzz/seeds.py fuzz/corpus/generated 600    # writes 600 files (deterministic)
"""
import os
import random
import sys

ACTS = ["tanh", "sigmoid", "relu", "gelu", "gelu_tanh", "silu", "softplus", "selu", "elu",
        "leaky_relu", "sin", "cos", "atan", "exp", "log", "sqrt", "abs", "square", "erf",
        "tahn", "nosuch"]
NAMES = ["x", "y", "v", "b1", "b2", "W1", "W2", "W3", "λ", "alpha", "β", "c", "ones", "𝟙", "I"]


def literal(r):
    return r.choice(["0", "1", "2", "1/2", "0.1", "1e4096", "1e-4096", "2^(1/2)", "π", "pi/2",
                     "e", "18446744073709551615", "(2^(1/2))^(2^63-1)", "10^9", "-0",
                     "1" + "0" * r.randint(1, 600), "0." + "9" * r.randint(1, 100)])


def expr(r, depth):
    if depth <= 0 or r.random() < 0.2:
        return r.choice(NAMES + [literal(r)])
    k = r.randint(0, 11)
    a = expr(r, depth - 1)
    if k == 0:
        return f"{r.choice(ACTS)}({a})"
    if k == 1:
        return f"{a} + {expr(r, depth - 1)}"
    if k == 2:
        return f"{a}·{expr(r, depth - 1)}"
    if k == 3:
        return f"({a})∘({expr(r, depth - 1)})"
    if k == 4:
        return f"({a})^{r.choice(['2', '64', '65', '(2^62)', '(1/2)', '-1', '999999'])}"
    if k == 5:
        return f"({a})^∘{r.choice(['2', '3', '64', '0', '-1'])}"
    if k == 6:
        return f"W{r.randint(1, 3)}·{a} + b{r.randint(1, 3)}"
    if k == 7:
        return f"if {a} > 0 then {a} else {expr(r, depth - 1)}"
    if k == 8:
        return f"net({r.choice(ACTS)}, {r.randint(0, 40)})"
    if k == 9:
        return f"({' + '.join([a] * r.randint(2, 60))})"
    if k == 10:
        return f"{r.choice(['softplus', 'leaky_relu', 'swish'])}({a}; {r.choice(['β', 'alpha', 'α'])} = {literal(r)})"
    return f"-{a}"


def statement(r):
    k = r.randint(0, 9)
    if k == 0:
        return f"W{r.randint(1, 3)} : {r.choice(['2x4', '4x2', '3x3', '4294967296x4294967296', '0x0', 'n x m'])}"
    if k == 1:
        return f"x : {r.choice(['4', 'n', 'scalar', '18446744073709551615', '3000'])}"
    if k == 2:
        return f"s(t) = {expr(r, 2).replace('x', 't')}"
    if k == 3:
        n = r.randint(2, 40)
        op = r.choice(["z{p} + z{p}", "-z{p}", "tanh(z{p})", "W1·z{p}"])
        lines = ["z0 = x"] + [f"z{i} = " + op.format(p=i - 1) for i in range(1, n)]
        return "; ".join(lines) + f"; z{n - 1}"
    if k == 4:
        return r.choice([":order 7", ":order 0", ":order 100000", ":small x, v", ":input y",
                         ":input λ", ":verify", ":verify expansion", ":json", ":latex", ":shapes",
                         ":series tanh order 40", ":series tan at π/2", ":series sigmod",
                         ":catalog", ":classify", ":load /dev/zero", ":load fuzz/seeds.py",
                         ":load examples/lecture.tn", ":help", ":verfy"])
    if k == 5:
        # A syntax error deep in nested calls.
        n = r.randint(1, 40)
        return "tanh(" * n + r.choice(["x;", "x +", "·x", ")", "x]"]) + ")" * n
    return expr(r, r.randint(1, 5))


def main():
    out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    os.makedirs(out, exist_ok=True)
    r = random.Random(20261130)
    for i in range(count):
        script = "\n".join(statement(r) for _ in range(r.randint(1, 6)))
        with open(os.path.join(out, f"seed{i:05}.tn"), "w", encoding="utf-8") as f:
            f.write(script[:2048])


if __name__ == "__main__":
    main()
