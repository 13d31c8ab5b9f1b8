"""taylornet from Python: exact Taylor expansions of neural-network expressions.

>>> import taylornet as tn
>>> r = tn.analyze("tanh(W2·tanh(W1·x + b1) + b2)", order=5)
>>> r.verdict, r.k
('affine', 3)
>>> str(r.W)
'W₂·W₁'

Every result renders in Jupyter (``_repr_html_`` with MathML, ``_repr_latex_``, and the
residual plot as SVG); ``str()`` is the CLI's text. Expressions convert to SymPy with
``.to_sympy()``; exact numbers are ``fractions.Fraction`` (or :class:`Number` when they
involve π, e or radicals). The computation runs with the GIL released, and Ctrl-C
(``KeyboardInterrupt``) cancels it. See docs/python.md.
"""

from __future__ import annotations

import html as _html
import decimal
import json as _json
import math
import numbers
import re
from collections.abc import Mapping, Sequence
from fractions import Fraction

from . import _taylornet
from ._taylornet import __version__

__all__ = [
    "Analysis",
    "Classification",
    "CommandError",
    "ExpansionError",
    "Expr",
    "LimitError",
    "NameError",
    "Number",
    "Numeric",
    "ParseError",
    "Series",
    "SeriesError",
    "Session",
    "ShapeError",
    "TaylornetError",
    "Verification",
    "analyze",
    "classify",
    "derive",
    "series",
    "verify",
]

# ----------------------------------------------------------------------------- errors


class TaylornetError(Exception):
    """An error reported by taylornet. ``str(e)`` is the rendered message with its caret.

    Attributes: ``phase`` (``parse``, ``name``, ``shape``, ``series``, ``expand``,
    ``command``, ``limit``, or ``""``), ``message``, ``line`` and ``column`` (from 1, or
    None), ``hint`` (or None) and ``rendered`` (what the CLI prints).
    """

    def __init__(self, phase, message, rendered, line=None, column=None, hint=None):
        super().__init__(rendered.rstrip("\n"))
        self.phase = phase
        self.message = message
        self.rendered = rendered
        self.line = line
        self.column = column
        self.hint = hint


class ParseError(TaylornetError, ValueError):
    """The input is not in the language (a syntax error)."""


class NameError(TaylornetError, NameError):  # noqa: A001 - a NameError, and a TaylornetError
    """An unknown or misused name."""


class ShapeError(TaylornetError, ValueError):
    """Dimensions that do not fit (a product of a 2×4 and a 2×4 matrix)."""


class SeriesError(TaylornetError, ValueError):
    """A series that cannot be taken (a singular point)."""


class ExpansionError(TaylornetError, ValueError):
    """The network cannot be expanded as asked."""


class CommandError(TaylornetError, ValueError):
    """A bad command (``:order 0``)."""


class LimitError(TaylornetError):
    """A limit was reached (the time budget, the number of terms, …); the keyword arguments
    of :class:`Session` raise them."""


_BY_PHASE = {
    "parse": ParseError,
    "name": NameError,
    "shape": ShapeError,
    "series": SeriesError,
    "expand": ExpansionError,
    "command": CommandError,
    "limit": LimitError,
}


def _translate(err):
    """The Python exception for an engine error."""
    phase, message, rendered, line, column, hint = err.args
    return _BY_PHASE.get(phase, TaylornetError)(phase, message, rendered, line, column, hint)


class _Errors:
    """Turns the engine's errors into taylornet's exception classes."""

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        if kind is not None and issubclass(kind, _taylornet.Error):
            raise _translate(value) from None
        return False


_errors = _Errors()

# ----------------------------------------------------------------------------- values


class _Written:
    """A value written in the input syntax (``ascii``) and in Unicode: equal to the same value,
    and to its Unicode text (``str()``), with which it shares its hash, so that ``r.W in
    {"W₂·W₁"}`` agrees with ``r.W == "W₂·W₁"``. Compare ``.ascii`` for the input syntax."""

    ascii = unicode = ""

    def __eq__(self, other):
        if type(other) is type(self):
            return self.ascii == other.ascii
        if isinstance(other, str):
            return other == self.unicode
        return NotImplemented

    def __hash__(self):
        # Equal values have equal Unicode texts too (one value, one rendering).
        return hash(self.unicode)

    def __str__(self):
        return self.unicode


class Number(_Written):
    """An exact number that is not rational (``1/√(2π)``): ``exact`` in the input syntax,
    ``unicode``, ``float(n)``, ``n.to_sympy()``. Numbers are equal when their exact forms
    are, and a Number equals the string of its exact form (``n == "1/sqrt(2*pi)"``), with
    which it shares its hash (a Number written by hand has no Unicode form of its own)."""

    def __init__(self, exact, unicode=None, value=None):
        self.exact = self.ascii = exact
        self.unicode = unicode or exact
        self.value = value

    def __eq__(self, other):
        if isinstance(other, Number):
            return self.exact == other.exact
        if isinstance(other, str):
            return other == self.exact
        return NotImplemented

    def __hash__(self):
        return hash(self.exact)

    def __float__(self):
        if self.value is None:
            # No engine value: a Number written by hand (Number('1/sqrt(2*pi)')), or one
            # beyond f64's normal range or symbolic. Its exact form evaluated by SymPy, when
            # it holds no symbol, to 30 digits that SymPy confirms (a cancellation, such as
            # gelu(-40) = -20 - 20*erf(-20*sqrt(2)) = -1.46e-348, loses every digit at plain
            # precision; from a review, it gave +1.7e-164), rounded to the nearest float.
            from ._sympy import number_value

            return number_value(self.exact, self.unicode)
        return float(self.value)

    def to_sympy(self):
        from ._sympy import number_to_sympy

        return number_to_sympy(self.exact)

    def _sympy_(self):
        return self.to_sympy()

    def _repr_latex_(self):
        import sympy

        return f"${sympy.latex(self.to_sympy())}$"

    def __repr__(self):
        return f"Number({self.exact!r})"


def _number(exact, unicode=None, value=None):
    """A rational as a Fraction, anything else as a :class:`Number`."""
    try:
        return Fraction(exact)
    except (ValueError, ZeroDivisionError, TypeError):
        return Number(exact, unicode, value)


class Expr(_Written):
    """An expression in a result: ``str()`` is Unicode (``W₂·W₁``), ``.ascii`` the input
    syntax (it parses back to the same normal form), ``.latex`` LaTeX, ``.tree`` the JSON
    tree (docs/json.md), ``.to_sympy()`` a SymPy expression."""

    def __init__(self, value, owner=None):
        self.ascii = value["ascii"]
        self.unicode = value["unicode"]
        self.tree = value["tree"]
        self._owner = owner
        self._latex = None

    @property
    def latex(self):
        # Written from the tree, as the report writes it: the input form does not read back
        # where it names the identity `I` or a dimension as a number (`1/d1`).
        if self._latex is None:
            engine = getattr(self._owner, "_engine", None) or _tree_engine()
            with _errors:
                self._latex = engine.tree_latex(_json.dumps(self.tree))
        return self._latex

    def _repr_latex_(self):
        try:
            return f"${self.latex}$"
        except (TaylornetError, ValueError):
            return None

    def to_sympy(self, shapes=None):
        """SymPy: MatrixSymbol products, HadamardProduct/HadamardPower, DiagMatrix, and
        element-wise functions; ``shapes`` (``{"W1": (2, 4)}``) overrides the inferred ones."""
        from ._sympy import to_sympy

        known = dict(self._owner.shapes.get("symbols") or {}) if self._owner is not None else {}
        known.update(shapes or {})
        defined = getattr(self._owner, "_defined", ())
        return to_sympy(self.tree, known, defined)

    def _sympy_(self):
        return self.to_sympy()

    def __repr__(self):
        return f"Expr({self.unicode!r})"


_TREE_ENGINE = []


def _tree_engine():
    """An engine for what needs no session (an unpickled result's LaTeX), made once."""
    if not _TREE_ENGINE:
        _TREE_ENGINE.append(_taylornet.Engine())
    return _TREE_ENGINE[0]


def _expr(value, owner):
    return Expr(value, owner) if isinstance(value, dict) and "tree" in value else value


class _Stored:
    """A result the engine keeps for later questions (derivation, LaTeX, verification, a
    series' renderings), under one id: the analyses of one run share it. The engine forgets
    it when the last Python object that reads it is collected."""

    __slots__ = ("engine", "id")

    def __init__(self, engine, id):
        self.engine = engine
        self.id = id

    def __del__(self):
        try:
            self.engine.release(self.id)
        except Exception:
            pass


class _Rendered:
    """A result that shows as the CLI's text, and in a notebook as its HTML or LaTeX."""

    def __init__(self, item):
        self.json = item["json"]
        self.text = item["text"]
        self.html = item.get("html")
        self.latex = item.get("latex")

    def _repr_html_(self):
        return self.html

    def _repr_latex_(self):
        # Only a formula a notebook can set (math mode): a document's sectioning (a series'
        # `\subsection*`) or an empty text is left to the HTML.
        latex = self.latex
        if not latex or not latex.lstrip().startswith(("$", "\\begin{align", "\\[")):
            return None
        return latex

    def __str__(self):
        return self.text


class _Decision:
    """The fields one analysis has (also the compensated one)."""

    def _read(self, d):
        self.json = d
        self.verdict = d["verdict"]
        self.k = d["k"]
        self.order = d["order"]
        self.requested_order = d["requested_order"]
        self.input = d["input"]
        self.small = d["small"]
        self.W = _expr(d["W"], self)
        self.b = _expr(d["b"], self)
        fn = d.get("first_nonaffine") or {}
        #: the first non-affine term in the input's symbols (``first_nonaffine_layered``: by layer)
        self.first_nonaffine = _expr(fn.get("expanded"), self) if fn else None
        self.first_nonaffine_layered = _expr(fn.get("layered"), self) if fn else None
        self.remainder = _expr(d.get("remainder"), self)
        self.expansion = {int(k): _expr(v, self) for k, v in (d.get("expansion") or {}).items()}
        self.truncated = d["truncated"]
        self.layers = d["layers"]
        self.kinks = d["kinks"]
        self.shapes = d.get("shapes") or {}
        self.assumptions = d["assumptions"]


class Compensated(_Decision):
    """The analysis with each O(1) offset between layers cancelled by its bias."""

    def __init__(self, d, parent):
        self._engine = parent._engine
        self._id = parent._id
        # The stored result is the parent's, released when the parent goes: its expressions
        # (self.W, …) keep this object, and so the parent, alive.
        self._parent = parent
        self._defined = parent._defined
        self._read(d)

    def __repr__(self):
        return f"<compensated: {self.verdict}, k={self.k}>"


class Analysis(_Decision, _Rendered):
    """The analysis of a network: ``verdict`` (``exact-affine``, ``affine``, ``kink``,
    ``degenerate``, ``conditional``), ``k``, ``W``, ``b``, ``first_nonaffine``, … (the
    fields of docs/json.md; ``json`` holds the whole document). ``str()`` is the CLI's
    report; in a notebook the derivation renders (MathML)."""

    def __init__(self, item, engine, stored=None):
        self._item = item
        # The session's own definitions: a call of one has no SymPy formula here.
        self._defined = frozenset(item.get("defined_functions") or ())
        self._engine = engine
        self._id = item.get("id")
        # The engine's stored result, shared with the other analyses of the same run.
        self._stored = stored
        # Its place among the analyses of its run: its derivation is of that one alone.
        self._index = item.get("index")
        self._verifiable = bool(item.get("last"))
        self.source = item["source"]
        _Rendered.__init__(self, item)
        d = self.json
        self._read(d)
        self.expression = d["expression"]
        self.generic_verdict = d["generic_verdict"]
        self.compensated = Compensated(d["compensated"], self) if d.get("compensated") else None
        self.conditions = d["conditions"]
        #: the compensated result's conditions, as ``conditions`` (empty without one)
        self.compensated_conditions = d.get("compensated_conditions", [])
        self.derivation_steps = d["derivation"]
        #: the numeric instance (:class:`Numeric`) when weights have values or a data point is set
        self.numeric = Numeric(d["numeric"], item.get("exact_numeric")) if d.get("numeric") else None

    def __reduce__(self):
        # Pickled with its fields, without its session (which lives in the engine of the
        # process that made it): unpickled, it answers everything but the questions that need
        # the session (derivation, verification, an expression's LaTeX), which raise.
        return (_detached_analysis, (self._item,))

    def _need_session(self, what):
        if self._engine is None:
            raise ValueError(f"{what} needs the session that made this result, and it was unpickled without it: run the statements again")

    def derivation(self, format="text", hadamard="circ", epsilon="ε"):
        """The derivation of the statements that produced this result: ``text``, ``latex``,
        ``typst``, ``html`` (MathML) or ``json``."""
        self._need_session("a derivation")
        # The entry runs again up to this analysis, a loaded file's statements in their place
        # (a file changed since, so that the analysis differs, raises).
        with _errors:
            return self._engine.derive("", format, self._id, False, "Derivation", hadamard, epsilon, self._index)

    def verify(self, **kw):
        """The numeric check; see :func:`verify`."""
        return verify(self, **kw)

    def _repr_html_(self):
        head = (
            f"<p><b>{_html.escape(self.expression)}</b>: verdict <b>{_html.escape(self.verdict)}</b>"
            + (f", k = {self.k}" if self.k is not None else "")
            + "</p>"
        )
        if self._engine is None:
            return f"<div class='taylornet'>{head}<pre>{_html.escape(self.text)}</pre></div>"
        return f"<div class='taylornet'>{head}{self.derivation('html')}</div>"

    def __repr__(self):
        return f"<Analysis {self.expression!r}: {self.verdict}, k={self.k}>"


class Series(_Rendered):
    """The exact Taylor series of an activation: ``coefficients`` (Fractions, or
    :class:`Number` for values with π, e or radicals; ``left``/``right`` at a kink),
    ``klass`` (``analytic``, ``kink``, …), ``description``. Its ``text``, ``latex`` and
    ``html`` are written the first time they are read (a deep composition's are megabytes)."""

    def __init__(self, item, engine, renderings=None):
        self._item = item
        self._engine = engine
        self._id = item["id"]
        self._stored = _Stored(engine, item["id"]) if engine is not None else None
        self._renderings = dict(renderings or {})
        self.json = item["json"]
        d = self.json
        self.name = d["name"]
        self.at = _number(d["at"]["exact"], None, d["at"]["value"])
        self.order = d["order"]
        self.klass = d["class"]
        self.description = d["description"]

        def coeffs(cs):
            return [_number(c["exact"], c["unicode"], c["value"]) for c in cs]

        self.coefficients = coeffs(d["coefficients"]) if "coefficients" in d else None
        self.left = coeffs(d["left"]) if "left" in d else None
        self.right = coeffs(d["right"]) if "right" in d else None
        self.exact = d.get("exact")

    def __reduce__(self):
        # Pickled with its coefficients and the renderings written so far; unpickled, the
        # others cannot be written (the engine that kept the series is not there).
        return (Series, (self._item, None, self._renderings))

    def _rendering(self, format):
        if format not in self._renderings:
            if self._engine is None:
                raise ValueError(f"this series was unpickled before its {format} was written: take the series again")
            with _errors:
                self._renderings[format] = self._engine.render_series(self._id, format)
        return self._renderings[format]

    text = property(lambda self: self._rendering("text"), doc="The CLI's text report.")
    latex = property(lambda self: self._rendering("latex"), doc="The LaTeX document.")
    html = property(lambda self: self._rendering("html"), doc="The HTML (MathML) document.")

    def to_sympy(self, t=None):
        """The truncated series as a SymPy polynomial in ``t`` (not at a kink)."""
        import sympy

        if self.coefficients is None:
            raise ValueError(f"{self.name} has one-sided series: use .left and .right")
        t = t if t is not None else sympy.Symbol("t")
        return sum(
            (sympy.sympify(c) if isinstance(c, Fraction) else c.to_sympy()) * t**k
            for k, c in enumerate(self.coefficients)
        ) + (0 if self.exact else sympy.O(t ** (self.order + 1)))

    def __repr__(self):
        return f"<Series {self.name} to order {self.order}: {self.klass}>"


class Classification(_Rendered):
    """The table over the catalog: ``rows`` is a list of dicts (``activation``,
    ``verdict``, ``k``, ``s0``, ``slope_left``, ``slope_right``, ``first_nonaffine``,
    ``condition``, ``compensated``; expressions as Unicode text), ready for
    ``pandas.DataFrame(c.rows)``."""

    def __init__(self, item):
        super().__init__(item)
        d = self.json
        self.order = d["order"]
        self.depth = d["depth"]
        self.rows = [
            {k: (v["unicode"] if isinstance(v, dict) and "unicode" in v else v) for k, v in r.items()}
            for r in d["rows"]
        ]

    def __getitem__(self, activation):
        for r in self.rows:
            if r["activation"] == activation:
                return r
        raise KeyError(activation)

    def __repr__(self):
        return f"<Classification: {len(self.rows)} activations, depth {self.depth}, order {self.order}>"


class Verification(_Rendered):
    """A numeric check: ``passed``, ``checks`` (each with ``slope``, ``predicted``,
    ``rows``), the CLI's ``text``, and ``svg`` (the residual plot) when asked for."""

    def __init__(self, item, svg=None):
        super().__init__(item)
        d = self.json
        self.passed = d["pass"]
        self.checks = d["checks"]
        self.svg = svg

    def _repr_svg_(self):
        return self.svg

    def _repr_html_(self):
        return f"<pre>{_html.escape(self.text)}</pre>" + (self.svg or "")

    def __repr__(self):
        return f"<Verification: {'PASS' if self.passed else 'FAIL'}>"


class Message(str):
    """What a declaration, definition, binding or command answered (``order set to 5``)."""

    kind = "message"

    def _repr_pretty_(self, p, cycle):
        p.text(str(self))


def _value_at(region, w_exact=None, b_exact=None):
    """y(x₀) = W·x₀ + b of a region's affine map y = W·x + b, as a matrix of the JSON's form:
    exact (``exact_values``) when W, b and x₀ are (``w_exact``, ``b_exact``: their exact
    entries in full, which the JSON may leave out)."""
    w, b = region["w"], region.get("b")
    if b is None:
        return None
    rows, cols = w["rows"], w["cols"]
    at_exact = region.get("at_exact")
    w_exact = w_exact or w.get("exact_values")
    b_exact = b_exact or b.get("exact_values")
    if w_exact and b_exact and at_exact and len(at_exact) == cols:
        x0 = [Fraction(v) for v in at_exact]
        W = [[Fraction(c) for c in r] for r in w_exact]
        y = [Fraction(b_exact[i][0]) + sum(W[i][j] * x0[j] for j in range(cols)) for i in range(rows)]
        return {
            "rows": rows,
            "cols": 1,
            "values": [[float(v)] for v in y],
            "exact": True,
            "exact_values": [[str(v)] for v in y],
        }
    x0 = region["at"]
    y = [b["values"][i][0] + sum(w["values"][i][j] * x0[j] for j in range(cols)) for i in range(rows)]
    return {"rows": rows, "cols": 1, "values": [[v] for v in y], "exact": False}


def _count(what, value, minimum, maximum=2**31 - 1):
    """An integer keyword argument in [minimum, maximum], else ``ValueError`` (never a float
    truncated, never an ``OverflowError`` from the engine's unsigned integers)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be an integer, not {value!r}")
    if not minimum <= int(value) <= maximum:
        raise ValueError(f"{what} must be between {minimum} and {maximum}, not {value}")
    return int(value)


def _name_arg(what, name):
    """A symbol name given to ``input=`` or ``small=``: one name, never more statements."""
    if not isinstance(name, str) or not name.strip() or any(c in name for c in ";\n\r:#") or len(name.split()) != 1:
        raise ValueError(f"{what}: {name!r} is not one symbol name")
    return name.strip()


class Numeric:
    """The numeric instance of an analysis (the bound weights substituted; docs/models.md):
    ``W`` and ``b`` as numpy float64 arrays (``b`` 1-D; None when they have no value): the
    Jacobian at x₀ and b = y(x₀), so that y ≈ W·(x − x₀) + b near x₀ (for a piecewise-linear
    network, exactly, on its region; its intercept form y = W·x + b is ``region["b"]``),
    ``W_exact`` and ``b_exact`` as nested lists of ``fractions.Fraction`` when every entry is
    exact (else None), ``region`` (the affine region of a piecewise-linear network) and
    ``sigma_star`` (σ* of a smooth network) as dicts or None, ``missing``, ``notes``, and
    ``json``, the ``numeric`` object of docs/json.md."""

    def __init__(self, d, exact=None):
        self.json = d
        exact = exact or {}
        self.missing = d.get("missing") or []
        self.notes = d.get("notes") or []
        self.region = d.get("region")
        self.sigma_star = d.get("sigma_star")
        self._w = d.get("w")
        self._b = d.get("b")
        region = self.region
        if self._w is None and isinstance(region, dict) and region.get("w") and region.get("radius_inf") != 0:
            # A piecewise-linear network: W of its region's affine map, and b = y(x₀), as for a
            # smooth network (y = W·(x − x₀) + b near x₀); the region's own intercept form
            # y = W·x + b is region["b"].
            self._w, self._b = region["w"], _value_at(region, exact.get("w"), exact.get("b"))
            # The engine's exact b in full is the region's intercept: y(x₀) is computed here.
            exact = {"w": exact.get("w")}
        self.W_exact = self._exact(self._w, exact.get("w"), flat=False)
        self.b_exact = self._exact(self._b, exact.get("b"), flat=True)

    @staticmethod
    def _exact(m, full, flat):
        if m is None:
            return None
        rows = full if full is not None else m.get("exact_values")
        if rows is None:
            return None
        out = [[Fraction(c) for c in r] for r in rows]
        return [r[0] for r in out] if flat and m["cols"] == 1 else out

    @staticmethod
    def _array(m, flat):
        if m is None:
            return None
        import numpy as np

        a = np.array(m["values"], dtype=np.float64).reshape(m["rows"], m["cols"])
        return a[:, 0].copy() if flat and m["cols"] == 1 else a

    @property
    def W(self):
        return self._array(self._w, False)

    @property
    def b(self):
        return self._array(self._b, True)

    def __repr__(self):
        w = self._w
        shape = f"W {w['rows']}×{w['cols']}" if w else "no W"
        return f"<Numeric: {shape}{', exact' if self.W_exact is not None else ''}>"


def _exact_rational(x, name):
    """The exact rational of a number that is not an int, its length checked."""
    if isinstance(x, (str, bytes)):
        # A string is text, not a number (float('1') would read it).
        raise ValueError(f"{name}: {x!r} is not a number")
    if isinstance(x, numbers.Rational):
        # Fraction, and numpy integers: exact as they are.
        q = Fraction(int(x.numerator), int(x.denominator))
    elif isinstance(x, decimal.Decimal):
        if not x.is_finite():
            raise ValueError(f"{name}: {x} is not a finite number (NaN and ±∞ have no exact value)")
        if x and abs(x.as_tuple().exponent) > 10_000:
            # Its exact rational would have ten thousand digits or more (from a review:
            # Decimal('1e1000000000') ran for minutes before the engine could refuse it).
            raise ValueError(f"{name}: {x} has an exponent past ±10000")
        # A Decimal is the decimal it is, not the nearest binary float.
        q = Fraction(x)
    elif callable(getattr(x, "as_integer_ratio", None)):
        # A binary float, the double or a wider one (numpy.longdouble, whose 1e400 is finite):
        # the rational it is, not the double nearest to it.
        try:
            q = Fraction(*x.as_integer_ratio())
        except (OverflowError, ValueError):
            raise ValueError(f"{name}: {x} is not a finite number (NaN and ±∞ have no exact value)") from None
    elif getattr(getattr(x, "dtype", None), "kind", None) == "b":
        # numpy's bool, as Python's.
        q = Fraction(int(x))
    else:
        # Anything else (√2 from SymPy, a 200-bit mpmath float) has no exact value here:
        # rounding it to a double would bind another number (from a review).
        raise ValueError(
            f"{name}: {x!r} is not an exact number (give an int, a float, a Fraction or a Decimal)"
        )
    _check_length(q.numerator, q.denominator, name)
    return q


def _exact_fraction(x, name):
    """The exact rational of a number as `n` or `n/d` text (its length checked)."""
    q = _exact_rational(int(x) if isinstance(x, bool) else x, name)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


# Python writes an int of more decimal digits than this only when told to (its guard against
# slow conversions); the engine reads entries of up to `max_literal_digits` (4096) digits.
_MAX_BITS = 14_000


def _check_length(n, d, name):
    """``ValueError`` for a number whose literal would be longer than the engine reads."""
    bits = max(abs(n).bit_length(), d.bit_length())
    if bits > _MAX_BITS:
        raise ValueError(
            f"{name}: a number of about {int(bits * 0.30103)} digits is longer than a literal can be "
            "(the limit `max_literal_digits`, 4096 digits)"
        )


def _shape_error(message):
    return ShapeError("shape", message, f"error: {message}\n")


def _tensor_rows(name, value):
    """A vector (1-D) or matrix (2-D) from a numpy array or nested lists, checked: its rows
    (a matrix) or entries (a vector), and whether it is a matrix."""
    if isinstance(value, Mapping):
        # From a review: a dict was called "a scalar".
        raise _shape_error(f"{name}: a mapping ({type(value).__name__}); a weight is a vector (1-D) or a matrix (2-D) of numbers")
    mask = getattr(value, "mask", None)
    if mask is not None and hasattr(value, "filled") and bool(getattr(mask, "any", lambda: mask)()):
        # A masked array's masked entries have no value (from a review: "None is not an
        # exact number").
        raise ValueError(f"{name}: a masked array with masked entries, which have no value; fill them first (`.filled(...)`)")
    if hasattr(value, "tolist") and not isinstance(value, (list, tuple)):
        shape = getattr(value, "shape", None)
        if shape == ():
            raise _shape_error(f"{name}: a scalar; a weight is a vector (1-D) or a matrix (2-D)")
        if shape is not None and len(shape) not in (1, 2):
            raise _shape_error(f"{name}: an array of {len(shape)} dimensions; a weight is a vector (1-D) or a matrix (2-D)")
        value = value.tolist()

    def is_seq(v):
        # A list, a tuple, a `range` or another sequence of numbers; a numpy array. Text is
        # no sequence of numbers (from a review, "12" was called a scalar).
        if isinstance(v, (str, bytes)):
            return False
        return isinstance(v, Sequence) or (hasattr(v, "tolist") and getattr(v, "ndim", 0) > 0)

    if isinstance(value, (str, bytes)):
        raise ValueError(f"{name}: {value!r} is not a number")
    if not is_seq(value):
        raise _shape_error(f"{name}: a scalar; a weight is a vector (1-D) or a matrix (2-D)")
    value = [v.tolist() if hasattr(v, "tolist") and not isinstance(v, Sequence) else v for v in value]
    if not value:
        raise _shape_error(f"{name}: an empty array")
    if all(not is_seq(v) for v in value):
        return value, False
    if not all(is_seq(v) for v in value):
        raise _shape_error(f"{name}: a ragged array (some entries are rows, some numbers)")
    width = len(value[0])
    if width == 0:
        raise _shape_error(f"{name}: an empty row")
    for i, row in enumerate(value):
        if len(row) != width:
            raise _shape_error(
                f"{name}: a ragged array (row {i + 1} has {len(row)} {'entry' if len(row) == 1 else 'entries'}, row 1 has {width})"
            )
        if any(is_seq(v) for v in row):
            raise _shape_error(f"{name}: an array of more than 2 dimensions; a weight is a vector (1-D) or a matrix (2-D)")
    return value, True


def _tensor_entries(name, value, most):
    """The same, as (rows, columns or None for a vector, entries row by row as exact `n` or
    `n/d` text): what :meth:`Session.bind` hands the engine without writing a literal, which
    for a large array would pass ``max_input_bytes``. Past ``most`` entries (the session's
    ``max_tensor_entries``) a :class:`LimitError`, before any entry is converted."""
    rows, matrix = _tensor_rows(name, value)
    width = len(rows[0]) if matrix else 1
    if len(rows) * width > most:
        message = f"{name} has {len(rows)}×{width} entries, more than {most} (`max_tensor_entries`)"
        raise LimitError("limit", message, f"error: limit reached: {message}\n", None, None, None)
    flat = [v for row in rows for v in row] if matrix else rows
    return len(rows), (len(rows[0]) if matrix else None), [_exact_fraction(v, name) for v in flat]


# A name as the grammar reads one (grammar/taylornet.pest, `ident`): an ASCII or Greek letter,
# then letters, digits, `_` or subscript digits (`W1`, `W_1`, `W₁`, `λ₂`). Nothing else
# reaches a statement (no `;`, no spaces, no `ᵀ` or `²`).
_LETTER = "A-Za-zΑ-Ωα-ωϵϕ"
_NAME = re.compile(f"[{_LETTER}][{_LETTER}0-9_₀-₉]*")


def _checked_name(name):
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a weight name")
    return name


def _detached_analysis(item):
    """An :class:`Analysis` unpickled: its fields, without a session."""
    return Analysis(item, None, None)


def _results(items, engine, stored=None):
    """The result objects of a run's outcomes; the analyses of one run share the engine's
    stored result (``stored``: by id)."""
    stored = {} if stored is None else stored
    out = []
    for it in items:
        kind = it["kind"]
        if kind == "analysis":
            id = it.get("id")
            if id is not None and id not in stored:
                stored[id] = _Stored(engine, id)
            out.append(Analysis(it, engine, stored.get(id)))
        elif kind == "series":
            out.append(Series(it, engine))
        elif kind == "classify":
            out.append(Classification(it))
        elif kind == "verify":
            out.append(Verification(it))
        elif kind == "loaded":
            out.extend(_results(it["outcomes"], engine, stored))
        elif kind == "quit":
            pass
        else:
            m = Message(it.get("text", ""))
            m.kind = kind
            out.append(m)
    return out


# ----------------------------------------------------------------------------- session


class Session:
    """A session, as in the REPL: declarations (``W1 : 2x4``), definitions
    (``s(t) = λ·t``), bindings, options, and the results of the statements run in it.

    Options are keyword arguments: ``order``, ``input``, ``small`` (names), and the limits
    (``time_budget`` in seconds, ``max_terms``, ``max_order``, …; see ``limits``).
    An entry that fails leaves the session as it was.
    """

    def __init__(self, *, order=None, input=None, small=None, **limits):
        self._engine = _taylornet.Engine()
        self.configure(order=order, input=input, small=small, **limits)

    def configure(self, *, order=None, input=None, small=None, **limits):
        """Sets options: the same as ``:order``, ``:input``, ``:small`` and the limits. All or
        nothing: when one is refused, none changes."""
        commands = []
        if order is None and "max_order" in limits:
            # A ceiling below the order in force would leave every analysis refused (from a
            # review: accepted, then "order 4 exceeds the limit 3").
            top = limits["max_order"]
            if isinstance(top, numbers.Real) and math.isfinite(top) and top < self.order:
                raise ValueError(
                    f"max_order {top} is below the session's order {self.order}: give a lower "
                    "order with it (configure(order=…, max_order=…))"
                )
        if order is not None:
            # Checked here against the session's own ceiling, so the error names the keyword
            # the caller wrote (it showed a caret under a `:order 99` nobody typed).
            top = limits.get("max_order", self.limits["max_order"])
            top = int(top) if isinstance(top, numbers.Real) and math.isfinite(top) else self.limits["max_order"]
            try:
                order = _count("order", order, 1, top)
            except ValueError as e:
                raise CommandError("command", str(e), f"error: {e}\n") from None
            commands.append(f":order {order}")
        if input is not None:
            commands.append(f":input {_name_arg('input', input)}")
        if small is not None:
            names = small.split() if isinstance(small, str) else list(small)
            names = [_name_arg("small", n) for n in names]
            commands.append(":small " + (" ".join(names) if names else "default"))
        if limits:
            known = self.limits
            unknown = sorted(k for k in limits if k not in known)
            if unknown:
                raise TypeError(
                    f"unexpected keyword argument {unknown[0]!r}: the options are order, input, "
                    f"small and the limits {', '.join(sorted(known))}"
                )
        before = {k: v for k, v in self.limits.items() if k in limits} if limits else None
        if limits:
            with _errors:
                try:
                    self._engine.set_limits({k: float(v) for k, v in limits.items()})
                except _taylornet.Error as e:
                    raise ValueError(e.args[1]) from None
        if commands:
            try:
                self.run("\n".join(commands))
            except BaseException:
                # The commands are undone as one entry; the limits set above are undone here.
                if before:
                    self._engine.set_limits({k: float(v) for k, v in before.items() if v is not None})
                raise
        return self

    @property
    def options(self):
        """``{"order", "input", "small", "limits"}``."""
        return _json.loads(self._engine.options())

    @property
    def order(self):
        return self.options["order"]

    @order.setter
    def order(self, n):
        self.configure(order=n)

    @property
    def limits(self):
        return self.options["limits"]

    def run(self, source, atomic=True):
        """Runs statements (separated by ``;`` or newlines) and returns what each produced:
        :class:`Analysis`, :class:`Series`, :class:`Classification`, :class:`Verification`
        or a :class:`Message`. With ``atomic`` (the REPL's way) a failure undoes the whole
        entry; otherwise the statements before it keep their effect."""
        if not isinstance(source, str):
            raise TypeError(f"run() takes statements as a string, not {source!r}")
        with _errors:
            text, error = self._engine.run(source, atomic)
        results = _results(_json.loads(text)["outcomes"], self._engine)
        if error is not None:
            exc = _translate(error)
            exc.results = results
            raise exc
        return results

    def bind(self, name, value):
        """Binds a weight to a numeric value: a numpy array or nested lists, 1-D a vector, 2-D a
        matrix. Floats are taken exactly (``0.1`` is the binary float's rational,
        ``Fraction(0.1)``); NaN, ±∞, ragged arrays and other ranks raise ``ValueError``
        (:class:`ShapeError` for shapes), naming the weight."""
        name = _checked_name(name)
        rows, cols, entries = _tensor_entries(name, value, self.limits["max_tensor_entries"])
        # Handed over as entries, not as a literal: a 200×200 array of floats written exactly
        # is past ``max_input_bytes`` as text; ``max_tensor_entries`` bounds it here.
        with _errors:
            return self._engine.bind_values(name, rows, cols, entries)

    def at(self, point=None, name="x0"):
        """Expands around a data point (``:at``): a vector (numpy array or list, bound to
        ``name``), the name of a bound vector, or None to expand around 0 again."""
        if point is None:
            return self.run(":at off")[-1]
        if isinstance(point, str):
            return self.run(f":at {_checked_name(point)}")[-1]
        name = _checked_name(name)
        rows, matrix = _tensor_rows(name, point)
        if matrix and len(rows[0]) == 1:
            # A column (n×1, as numpy writes a column vector) is the vector of its entries.
            point = [row[0] for row in rows]
        elif matrix:
            raise _shape_error(f"{name}: a data point is a vector (1-D, or a column n×1)")
        # Bound as a weight is (its entries, not a literal: a long vector of floats written
        # exactly is past ``max_input_bytes``), then named.
        self.bind(name, point)
        return self.run(f":at {name}")[-1]

    def analyze(self, source):
        """Runs ``source`` and returns its last analysis."""
        found = [r for r in self.run(source) if isinstance(r, Analysis)]
        if not found:
            raise ParseError("parse", "no expression to analyse", "error: no expression to analyse\n")
        return found[-1]

    def series(self, spec, order=9, at=None):
        """The exact series of an activation: a name (``gelu``), a definition
        (``swish(t) = t·sigmoid(t)``) or an expression in one variable; ``at`` a point."""
        if not isinstance(spec, str):
            raise TypeError(f"series() takes an activation as a string (a name, a definition or an expression in t), not {spec!r}")
        # None is the default, as for analyze(); past the ceiling a LimitError names it, at
        # any size (from a review: ValueError past 2³¹, LimitError below).
        order = _count("order", 9 if order is None else order, 1, math.inf)
        top = self.limits["max_series_order"]
        if order > top:
            # (Python writes an int of more than 4300 digits only when told to.)
            shown = f"order {order}" if order.bit_length() < 300 else f"an order of about {int(order.bit_length() * 0.30103)} digits"
            message = f"{shown} exceeds the limit {top} (`max_series_order`)"
            raise LimitError("limit", message, f"error: limit reached: {message}\n")
        if at is not None and (isinstance(at, bool) or not isinstance(at, (str, numbers.Rational, float, decimal.Decimal))):
            # From a review: a list reached the parser and failed there, pointing at the name.
            raise TypeError(f"at: a point is a number or an exact expression as a string, not {at!r}")
        if isinstance(at, numbers.Rational) and not isinstance(at, str):
            # Its length checked before Python writes it (from a review: Python's own
            # "Exceeds the limit (4300 digits)" for 10**5000).
            at = _exact_fraction(at, "at")
        if isinstance(at, float) and not math.isfinite(at):
            raise ValueError(f"at: {at!r} is not a point (a finite number or an exact expression)")
        if isinstance(at, float):
            # A float is the rational it is, as bound weights are.
            at = str(Fraction(at))
        with _errors:
            item = _json.loads(self._engine.series(spec, order, None if at is None else str(at)))
        return Series(item, self._engine)

    def classify(self, depth=2):
        """The table over the catalog at this session's order."""
        try:
            depth = _count("depth", depth, 1, 16)
        except ValueError as e:
            raise CommandError("command", str(e), f"error: {e}\n") from None
        found = [r for r in self.run(f":classify depth {int(depth)}") if isinstance(r, Classification)]
        return found[0]

    def derive(self, source, format="text", standalone=False, title="Derivation", hadamard="circ", epsilon="ε"):
        """A script as a derivation document (``text``, ``latex``, ``typst``, ``html``,
        ``json``), run in a copy of this session."""
        with _errors:
            return self._engine.derive(source, format, None, standalone, title, hadamard, epsilon)

    @property
    def env(self):
        """The declarations, bindings and definitions (``:env``)."""
        return str(self.run(":env")[0])

    def reset(self):
        """Forgets everything (``:reset``)."""
        self.run(":reset")

    def __repr__(self):
        o = self.options
        return f"<taylornet.Session order={o['order']} input={o['input']}>"


# ----------------------------------------------------------------------------- functions


def analyze(source, order=None, input=None, small=None, weights=None, at=None, **limits):
    """Analyses ``source`` (statements; the last expression is analysed) in a fresh session.

    ``order``: expand to O(εⁿ); ``input``: the input symbol; ``small``: the symbols of order
    ε; ``weights``: a dict name → numpy array (or nested lists) bound first (see
    :meth:`Session.bind`); ``at``: a data point (see :meth:`Session.at`); other keywords are
    limits (``time_budget`` seconds, ``max_terms``, …)."""
    if weights is not None and not isinstance(weights, Mapping):
        raise TypeError(f"weights: a dict of names to arrays, not {type(weights).__name__}")
    s = Session(order=order, input=input, small=small, **limits)
    for name, value in (weights or {}).items():
        s.bind(name, value)
    if at is not None:
        s.at(at)
    return s.analyze(source)


def series(spec, order=9, at=None, **limits):
    """The exact Taylor series of an activation (see :meth:`Session.series`)."""
    return Session(**limits).series(spec, order=order, at=at)


def classify(depth=2, order=3, **limits):
    """For every catalog activation: is a depth-``depth`` network of it affine for small inputs?"""
    return Session(order=order, **limits).classify(depth=depth)


def derive(source, format="text", standalone=False, order=None, input=None, small=None, **kw):
    """A step-by-step derivation of a script (see :meth:`Session.derive`)."""
    limits = {k: v for k, v in kw.items() if k not in ("title", "hadamard", "epsilon")}
    extra = {k: v for k, v in kw.items() if k in ("title", "hadamard", "epsilon")}
    s = Session(order=order, input=input, small=small, **limits)
    return s.derive(source, format=format, standalone=standalone, **extra)


def verify(result, plot=False, sigmas=None, seed=1, draws=4, expansion=False, params=None):
    """Checks an :class:`Analysis` numerically: seeded random weights, inputs and biases of
    scale σ, the true network against ``W·x + b``, the fitted slope of the residual against
    the prediction. ``plot=True`` adds the log–log plot (SVG, shown inline in a notebook)."""
    if not isinstance(result, Analysis):
        raise TypeError("verify() takes an Analysis (from tn.analyze or Session.run)")
    result._need_session("verification")
    if not result._verifiable:
        raise ValueError("only the last analysis of a run can be verified; analyse it on its own")
    # None: the engine's default grid, as the CLI's.
    sigmas = [float(s) for s in sigmas] if sigmas is not None else None
    seed = _count("seed", seed, 0, 2**64 - 1)
    draws = _count("draws", draws, 1, 64)
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(f"params: a dict of parameter names to numbers, not {type(params).__name__}")
    for k, v in (params or {}).items():
        # From a review: NaN gave a FAIL, not an error.
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(float(v)):
            raise ValueError(f"params: {k} must be a finite number, not {v!r}")
    with _errors:
        text, svg = result._engine.verify(
            result._id, sigmas, int(seed), int(draws), bool(expansion),
            {str(k): float(v) for k, v in (params or {}).items()}, bool(plot),
        )
    return Verification(_json.loads(text), svg)


# ----------------------------------------------------------------------------- IPython


def load_ipython_extension(ipython):
    """``%load_ext taylornet``: the ``%%taylornet`` cell magic (and ``%taylornet`` line
    magic) runs the cell as a taylornet script in one session per notebook; every result is
    displayed. ``%%taylornet --new`` starts a fresh session."""
    from ._magic import register

    register(ipython)
