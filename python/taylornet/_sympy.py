"""SymPy forms of taylornet's expression trees (the ``tree`` of docs/json.md).

Matrices and vectors become ``MatrixSymbol``s with the shapes the analysis inferred
(``d₂×d₃`` becomes the symbols ``d_2``, ``d_3``), products ``MatMul``, Hadamard products
and powers ``HadamardProduct``/``HadamardPower``, ``diag(v)`` ``DiagMatrix(v)``, and
element-wise functions, derivatives and ``|·|`` ``ElementwiseApplyFunction``.
"""

from __future__ import annotations

import re

_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


def _sympy():
    try:
        import sympy
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("to_sympy() needs SymPy: pip install sympy") from e
    return sympy


def _dim(text, sp):
    text = text.strip().translate(_SUBSCRIPTS)
    if text.isdigit():
        return sp.Integer(int(text))
    m = re.fullmatch(r"([^\d]+)(\d*)", text)
    name = f"{m.group(1)}_{m.group(2)}" if m and m.group(2) else text
    return sp.Symbol(name, integer=True, positive=True)


def parse_shapes(symbols: dict | None) -> dict:
    """``{"W1": "d₂×d₃"}`` → ``{"W1": (d_2, d_3)}``."""
    sp = _sympy()
    out = {}
    for name, shape in (symbols or {}).items():
        if isinstance(shape, (tuple, list)):
            out[name] = tuple(sp.sympify(s) for s in shape)
            continue
        parts = str(shape).split("×")
        if len(parts) == 2:
            out[name] = (_dim(parts[0], sp), _dim(parts[1], sp))
    return out


def _is_row_of_ones(node):
    """``𝟙ᵀ``: a transposed all-ones vector, whose length its neighbour in a product fixes."""
    return node["op"] == "transpose" and node["args"][0]["op"] == "ones"


def _is_matrix(e) -> bool:
    return bool(getattr(e, "is_Matrix", False))


def _is_shaped(e) -> bool:
    """A matrix expression that is not 1×1 (a 1×1 one multiplies as a scalar)."""
    return _is_matrix(e) and tuple(e.shape) != (1, 1)


def _is_ones(node) -> bool:
    """``𝟙``, ``I`` or ``𝟙ᵀ``: a factor whose shape its neighbours fix."""
    return node["op"] in ("ones", "identity") or _is_row_of_ones(node)


def _holds_ones(node) -> bool:
    """Whether a bare ``𝟙`` (or ``I``) occurs in ``node`` outside a ``𝟙ᵀ·…`` product."""
    if node["op"] in ("ones", "identity"):
        return True
    return any(_holds_ones(a) for a in node.get("args", []) if not _is_row_of_ones(a))


# The catalog's SELU constants (src/series/catalog.tn), exact as the engine reads them.
_SELU_LAMBDA = "1.0507009873554804934193349852946"
_SELU_ALPHA = "1.6732632423543772848170429916717"


def _known_functions(t, sp, p):
    """The engine's primitives and the catalog's activations (src/series/catalog.tn) as
    formulas in ``t``, their parameters from ``p`` (name → SymPy value; the catalog's defaults
    where absent). ``linear`` has no default for λ: without one it is left out."""
    sigmoid = 1 / (1 + sp.exp(-t))
    softplus = sp.log(1 + sp.exp(t))

    def param(name, default):
        return p.get(name, sp.Rational(default) if default is not None else None)

    a, alpha, beta = param("a", "0.01"), param("alpha", 1), param("beta", 1)
    selu_lambda, selu_alpha = param("lambda", _SELU_LAMBDA), param("alpha", _SELU_ALPHA)
    known = {
        # primitives (src/ir/mod.rs), and the functions of constants the algebra writes
        "exp": sp.exp(t),
        "log": sp.log(t),
        "ln": sp.log(t),
        "sin": sp.sin(t),
        "cos": sp.cos(t),
        "tan": sp.tan(t),
        "tanh": sp.tanh(t),
        "atan": sp.atan(t),
        "arctan": sp.atan(t),
        "erf": sp.erf(t),
        "sqrt": sp.sqrt(t),
        "abs": sp.Abs(t),
        "sign": sp.sign(t),
        "sinh": sp.sinh(t),
        "cosh": sp.cosh(t),
        "asinh": sp.asinh(t),
        # the catalog
        "identity": t,
        "sigmoid": sigmoid,
        "hard_tanh": sp.Piecewise((1, t > 1), (-1, t < -1), (t, True)),
        "relu": sp.Piecewise((t, t > 0), (0, True)),
        "leaky_relu": sp.Piecewise((t, t > 0), (a * t, True)),
        "elu": sp.Piecewise((t, t > 0), (alpha * (sp.exp(t) - 1), True)),
        "selu": sp.Piecewise((selu_lambda * t, t > 0), (selu_lambda * selu_alpha * (sp.exp(t) - 1), True)),
        "celu": sp.Piecewise((t, t > 0), (alpha * (sp.exp(t / alpha) - 1), True)),
        "gelu": t * (1 + sp.erf(t / sp.sqrt(2))) / 2,
        "gelu_tanh": t * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (t + sp.Rational("0.044715") * t**3))) / 2,
        "silu": t * sigmoid,
        "swish": t / (1 + sp.exp(-beta * t)),
        "softplus": softplus,
        "mish": t * sp.tanh(softplus),
        "softsign": t / (1 + sp.Abs(t)),
        "square": t**2,
    }
    if "lambda" in p:
        known["linear"] = p["lambda"] * t
    return known


# The parameters each catalog activation takes (src/series/catalog.tn): a call with any other
# is not the catalog's function.
_PARAMETERS = {
    "leaky_relu": {"a"},
    "elu": {"alpha"},
    "selu": {"lambda", "alpha"},
    "celu": {"alpha"},
    "swish": {"beta"},
    "linear": {"lambda"},
}


def _function(name: str, sp, params=None, defined=()):
    """``(t, f(t))`` for the call of ``name`` with ``params`` (name → SymPy value): the
    formula of a primitive or a catalog activation, or an undefined SymPy Function of that name
    for a definition of the session (``defined``: a catalog name defined again is the session's
    function, not the catalog's) and for parameters the catalog's function does not take."""
    t = sp.Dummy("t")
    params = params or {}
    undefined = sp.Function(name)(t)
    if name in defined or not set(params) <= _PARAMETERS.get(name, set()):
        return t, undefined
    return t, _known_functions(t, sp, params).get(name, undefined)


class _Converter:
    def __init__(self, shapes: dict, sp, defined=()):
        self.sp = sp
        self.shapes = shapes
        self.defined = set(defined)

    def symbol(self, node):
        sp, name, kind = self.sp, node["name"], node["kind"]
        if kind == "scalar":
            return sp.Symbol(name)
        shape = self.shapes.get(name)
        if shape is None:
            if kind == "matrix":
                shape = (
                    sp.Symbol(f"m_{name}", integer=True, positive=True),
                    sp.Symbol(f"n_{name}", integer=True, positive=True),
                )
            else:
                shape = (sp.Symbol(f"n_{name}", integer=True, positive=True), sp.Integer(1))
        return sp.MatrixSymbol(name, *shape)

    def convert(self, node, like=None):
        """``like``: a matrix expression whose shape an ``𝟙`` or ``I`` here takes."""
        sp = self.sp
        op = node["op"]
        args = node.get("args", [])
        if op == "num":
            return sp.Rational(node["value"])
        if op == "const":
            return {"pi": sp.pi, "e": sp.E}[node["name"]]
        if op == "sym":
            return self.symbol(node)
        if op in ("ones", "identity"):
            rows = like.shape[0] if like is not None else sp.Symbol("n", integer=True, positive=True)
            return sp.OneMatrix(rows, 1) if op == "ones" else sp.Identity(rows)
        if op == "add":
            return self.nary(args, lambda xs: sp.MatAdd(*xs) if any(map(_is_matrix, xs)) else sp.Add(*xs), "add", like)
        if op == "neg":
            return -self.convert(args[0], like)
        if op == "mul":
            return self.nary(args, self.product, "mul", like)
        if op == "div":
            return self.convert(args[0], like) / self.convert(args[1])
        if op == "pow":
            return self.convert(args[0]) ** sp.Rational(node["exp"])
        if op == "had":
            return self.nary(args, lambda xs: sp.HadamardProduct(*xs), "had")
        if op == "hpow":
            return sp.HadamardPower(self.convert(args[0], like), sp.Integer(node["exp"]))
        if op == "abs":
            return self.elementwise(sp.Abs, self.convert(args[0], like))
        if op == "diag":
            from sympy.matrices.expressions.diagonal import DiagMatrix

            return DiagMatrix(self.convert(args[0]))
        if op == "call":
            # Arguments after the first are keyword parameters, `name = value` (a call `=`).
            params = {}
            for p in args[1:]:
                if p.get("op") == "call" and p.get("fn") == "=" and p["args"][0].get("op") == "sym":
                    params[p["args"][0]["name"]] = self.convert(p["args"][1])
                else:
                    params[None] = None
            t, body = _function(node["fn"], sp, params, self.defined)
            f = sp.diff(body, t, node["deriv"]) if node["deriv"] else body
            x = self.convert(args[0], like)
            if _is_matrix(x):
                from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

                return ElementwiseApplyFunction(sp.Lambda(t, f), x)
            return f.subs(t, x)
        if op == "transpose":
            # 𝟙ᵀ in a product takes its length from the factor after it; else a symbolic n.
            return sp.Transpose(self.convert(args[0], like))
        if op == "order":
            raise ValueError("O(…) (what a truncation dropped) has no SymPy form; convert the terms before it")
        raise ValueError(f"unknown expression node {op!r}")

    def nary(self, args, combine, op, outer=None):
        """Converts ``args``, giving ``𝟙`` and ``I`` the shape their neighbours fix; ``outer``:
        a matrix of the shape of the whole (a sum's other terms), for a ``𝟙`` that no factor
        beside it fixes (``⅓·𝟙`` in a sum, ``(𝟙ᵀ·b₁)·𝟙``)."""
        done = [None] * len(args)
        for i, a in enumerate(args):
            # In a sum, a term that holds a bare 𝟙 takes its shape from the others.
            waits = _is_ones(a) or (op == "add" and _holds_ones(a))
            if not waits:
                done[i] = self.convert(a)
        for i, a in enumerate(args):
            if done[i] is None:
                like = None
                if op == "mul" and _is_row_of_ones(a):
                    # In a product, 𝟙ᵀ has as many columns as the factor after it has rows.
                    after = [d for d in done[i + 1 :] if _is_shaped(d)]
                    if after:
                        like = self.sp.ZeroMatrix(after[0].shape[0], 1)
                elif op == "mul":
                    # In a product, 𝟙 has as many rows as the factor before it has columns;
                    # after a scalar factor (a 1×1 product such as 𝟙ᵀ·b₁) or none, as the
                    # whole has rows.
                    before = [d for d in done[:i] if _is_shaped(d)]
                    if before:
                        like = self.sp.ZeroMatrix(before[-1].shape[1], 1)
                    elif outer is not None:
                        like = self.sp.ZeroMatrix(outer.shape[0], 1)
                else:
                    like = next((d for d in done if _is_shaped(d)), outer)
                done[i] = self.convert(a, like)
        return combine(done)

    def product(self, xs):
        sp = self.sp
        if any(map(_is_shaped, xs)):
            # A 1×1 factor beside larger ones is a scalar: (𝟙ᵀ·b₁)·𝟙, (b₁ᵀ·W₁·x)·W₁·x.
            xs = [x[0, 0] if _is_matrix(x) and not _is_shaped(x) else x for x in xs]
            return sp.MatMul(*xs)
        return sp.Mul(*xs)

    def elementwise(self, f, x):
        sp = self.sp
        if _is_matrix(x):
            from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

            t = sp.Dummy("t")
            return ElementwiseApplyFunction(sp.Lambda(t, f(t)), x)
        return f(x)


def to_sympy(tree: dict, shapes: dict | None = None, defined=()):
    """A SymPy expression for a taylornet expression tree; ``shapes`` maps symbol names to
    ``(rows, cols)`` (or the report's ``"d₂×d₃"`` strings); ``defined``: the names of the
    session's own definitions (undefined SymPy Functions, not the catalog's formulas)."""
    sp = _sympy()
    return _Converter(parse_shapes(shapes), sp, defined).convert(tree)


# Functions an exact number's text calls (src/print/text.rs writes a function value by its
# name), beside the catalog's (`_known_functions`).
_NUMBER_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*'*|\d+(?:\.\d+)?|\S")


def number_to_sympy(exact: str):
    """An exact scalar in the input syntax (``1/sqrt(2*pi)``, ``exp(gamma)``) as a SymPy
    expression: ``pi`` and ``e`` the constants, a call of a primitive or catalog function its
    formula, every other name a Symbol of that name (as ``Expr.to_sympy`` names them: SymPy's
    own names, ``gamma``, ``beta``, ``E``, ``S``, and Python's ``lambda`` are no functions,
    constants or keywords here; from a review, ``exp(gamma)`` became Euler's Γ), decimals
    exact rationals."""
    sp = _sympy()
    tokens = _NUMBER_TOKEN.findall(exact.replace("π", "pi"))
    names = {}
    out = []
    for i, tok in enumerate(tokens):
        if tok[0].isalpha() or tok[0] == "_":
            primes = len(tok) - len(tok.rstrip("'"))
            name = tok.rstrip("'")
            called = i + 1 < len(tokens) and tokens[i + 1] == "("
            if called:
                t, body = _function(name, sp)
                if primes:
                    body = sp.diff(body, t, primes)
                value = sp.Lambda(t, body)
            elif name == "pi":
                value = sp.pi
            elif name == "e":
                value = sp.E
            else:
                value = sp.Symbol(name)
            key = f"_tn{len(names)}"
            names[key] = value
            out.append(key)
        elif tok == "^":
            out.append("**")
        elif tok[0].isdigit():
            # A decimal (gelu_tanh's 0.044715) is an exact rational, not a float.
            out.append(f"Rational('{tok}')" if "." in tok else f"Integer({tok})")
        else:
            out.append(tok)
    names.update(Rational=sp.Rational, Integer=sp.Integer)
    from sympy.parsing.sympy_parser import parse_expr

    return parse_expr(" ".join(out), local_dict=names, global_dict={"__builtins__": {}}, transformations=())


def number_value(exact: str, shown: str | None = None) -> float:
    """The float nearest an exact scalar without symbols, by SymPy to 30 digits it confirms;
    ``ValueError`` when it holds a symbol or SymPy cannot resolve it."""
    try:
        v = number_to_sympy(exact)
    except Exception:
        v = None
    if v is None or getattr(v, "free_symbols", True):
        raise ValueError(f"{shown or exact} has no numeric value (it is symbolic)")
    sp = _sympy()
    try:
        # strict: an error, not digits, where the working precision (up to maxn) cannot
        # resolve a cancellation.
        x = v.evalf(30, maxn=20000, strict=True)
    except Exception as e:
        raise ValueError(f"{shown or exact}: its value could not be resolved ({e})") from None
    if not x.is_real:
        raise ValueError(f"{shown or exact} has no real value")
    return float(sp.Float(x, 30))
