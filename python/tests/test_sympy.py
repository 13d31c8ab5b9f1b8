"""SymPy forms, checked numerically against an independent numpy computation of the network."""

import numpy as np
import pytest
import sympy
from sympy.matrices.expressions.hadamard import HadamardPower, HadamardProduct

import taylornet as tn

rng = np.random.default_rng(7)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def evaluate(expr, values):
    """``expr`` with numeric matrices substituted, as a numpy array."""
    subs = {}
    for s in expr.free_symbols:
        if isinstance(s, sympy.MatrixSymbol):
            subs[s] = sympy.ImmutableMatrix(values[s.name])
        elif s.name in values:
            subs[s] = values[s.name]
    return np.array(sympy.sympify(expr.subs(subs)).as_explicit().evalf(), dtype=float)


def test_structure():
    r = tn.analyze("s(t) = λ·t; s(W2·s(W1·x + b1) + b2)")
    W = r.W.to_sympy()
    lam = sympy.Symbol("lambda")
    W1, W2 = (s for s in sorted(W.free_symbols, key=str) if isinstance(s, sympy.MatrixSymbol))
    assert W == lam**2 * W2 * W1 or sympy.simplify(W - lam**2 * W2 * W1) == sympy.ZeroMatrix(*W.shape)
    f = tn.analyze("tanh(W2·tanh(W1·x + b1) + b2)").first_nonaffine.to_sympy()
    assert f.atoms(HadamardPower) and f.atoms(HadamardProduct)


def test_shapes_follow_the_declarations():
    r = tn.analyze("W1 : 2x4; W2 : 3x2; tanh(W2·tanh(W1·x + b1) + b2)")
    assert r.W.to_sympy().shape == (3, 4)
    assert r.first_nonaffine.to_sympy().shape == (3, 1)


def test_linear_collapse_numerically():
    r = tn.analyze("W1 : 2x4; W2 : 2x2; s(t) = λ·t; s(W2·s(W1·x + b1) + b2)")
    v = {"W1": rng.normal(size=(2, 4)), "W2": rng.normal(size=(2, 2)), "b1": rng.normal(size=(2, 1)),
         "b2": rng.normal(size=(2, 1)), "lambda": 0.7}
    W = evaluate(r.W.to_sympy(), v)
    b = evaluate(r.b.to_sympy(), v)
    x = rng.normal(size=(4, 1))
    y = 0.7 * (v["W2"] @ (0.7 * (v["W1"] @ x + v["b1"])) + v["b2"])
    assert np.allclose(W @ x + b, y)


def test_tanh_first_nonaffine_term_numerically():
    """Without biases, y − W·x shrinks like σ³ and y − W·x − N₃ like σ⁵ (even terms vanish);
    with them, N₃ is the formula the report prints, evaluated in numpy."""
    r = tn.analyze("W1 : 3x4; W2 : 2x3; tanh(W2·tanh(W1·x + b1) + b2)")
    W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(2, 3))
    x0 = rng.normal(size=(4, 1))
    W, n3 = r.W.to_sympy(), r.first_nonaffine.to_sympy()
    zero3, zero2 = np.zeros((3, 1)), np.zeros((2, 1))
    residual, rest = [], []
    for sigma in (1e-1, 1e-2):
        x = sigma * x0
        v = {"W1": W1, "W2": W2, "x": x, "b1": zero3, "b2": zero2}
        y = np.tanh(W2 @ np.tanh(W1 @ x))
        residual.append(np.abs(y - evaluate(W, v) @ x).max())
        rest.append(np.abs(y - evaluate(W, v) @ x - evaluate(n3, v)).max())
    assert 0.5e-3 < residual[1] / residual[0] < 2e-3
    assert 0.5e-5 < rest[1] / rest[0] < 2e-5
    # −W₂·((W₁·x)^∘2∘b₁) − ⅓·W₂·(W₁·x)^∘3 − (W₂·W₁·x)^∘2∘(W₂·b₁) − (W₂·W₁·x)^∘2∘b₂ − ⅓·(W₂·W₁·x)^∘3
    assert str(r.first_nonaffine).count("∘") == 8
    x, b1, b2 = x0, rng.normal(size=(3, 1)), rng.normal(size=(2, 1))
    u, z = W1 @ x, W2 @ W1 @ x
    by_hand = -W2 @ (u**2 * b1) - W2 @ u**3 / 3 - z**2 * (W2 @ b1) - z**2 * b2 - z**3 / 3
    assert np.allclose(evaluate(n3, {"W1": W1, "W2": W2, "x": x, "b1": b1, "b2": b2}), by_hand)


def test_sigmoid_jacobian_numerically():
    """W = ¼·diag(sigmoid′(c₂))·W₂·W₁ at c₂ = ½·W₂·𝟙 is the network's Jacobian at 0."""
    r = tn.analyze("W1 : 3x4; W2 : 2x3; sigmoid(W2·sigmoid(W1·x + b1) + b2)")
    W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(2, 3))
    c2 = W2 @ np.full((3, 1), 0.5)
    W = evaluate(r.W.to_sympy(shapes={"c2": (2, 1)}), {"W1": W1, "W2": W2, "c2": c2})
    # Independent: central differences of the network itself at x = 0, b = 0.
    net = lambda x: sigmoid(W2 @ sigmoid(W1 @ x))
    h = 1e-6
    J = np.hstack([(net(e * h) - net(-e * h)) / (2 * h) for e in np.eye(4)[:, :, None]])
    assert np.allclose(W, J, atol=1e-8)
    # The compensated W is (1/16)·W₂·W₁.
    Wc = evaluate(r.compensated.W.to_sympy(), {"W1": W1, "W2": W2})
    assert np.allclose(Wc, W2 @ W1 / 16)


def test_abs_at_a_kink():
    r = tn.analyze("W1 : 2x3; relu(W1·x + b1)")
    f = r.first_nonaffine.to_sympy()
    v = {"W1": rng.normal(size=(2, 3)), "x": rng.normal(size=(3, 1)), "b1": rng.normal(size=(2, 1))}
    assert np.allclose(evaluate(f, v), 0.5 * np.abs(v["W1"] @ v["x"] + v["b1"]))


def test_order_terms_refuse():
    r = tn.analyze("tanh(W2·tanh(W1·x + b1) + b2)")
    with pytest.raises(ValueError):
        tn.Expr({"ascii": "", "unicode": "", "tree": {"op": "order", "args": [{"op": "num", "value": "1"}]}}).to_sympy()
    assert r.remainder is None or r.remainder.tree


def test_sympify():
    r = tn.analyze("s(t) = λ·t; s(W2·s(W1·x + b1) + b2)")
    assert sympy.sympify(r.W) == r.W.to_sympy()
    c = tn.series("gelu", order=2).coefficients[2]
    assert sympy.sympify(c) == 1 / sympy.sqrt(2 * sympy.pi)


def test_softmax_jacobian_numerically():
    # W of softmax(W1·x + b1) at small input is the Jacobian (diag(p) − p·pᵀ)·W1 at p = 𝟙/n.
    r = tn.analyze("W1 : 3x4; softmax(W1·x + b1)")
    W1 = rng.normal(size=(3, 4))
    W = evaluate(r.W.to_sympy(), {"W1": W1})
    p = np.full((3, 1), 1 / 3)
    assert np.allclose(W, (np.diagflat(p) - p @ p.T) @ W1)


def test_decimals_in_exact_coefficients_stay_exact():
    # gelu_tanh holds 0.044715: its coefficients' SymPy forms are exact rationals, not floats
    # (from a review: 53-bit Floats were 4.5e-18 off at π/4), checked against SymPy's own series.
    s = tn.series("gelu_tanh", order=2, at="pi/4")
    c = s.coefficients[2].to_sympy()
    assert not c.atoms(sympy.Float)
    t = sympy.Symbol("t")
    k = sympy.sqrt(2 / sympy.pi)
    f = t / 2 * (1 + sympy.tanh(k * (t + sympy.Rational(44715, 1000000) * t**3)))
    truth = sympy.diff(f, t, 2).subs(t, sympy.pi / 4) / 2
    assert abs(sympy.N(c - truth, 60)) < sympy.Float("1e-55")


def softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


@pytest.mark.parametrize("layer", ["softmax", "layernorm", "rmsnorm"])
def test_scalar_products_with_ones_convert(layer):
    # (𝟙ᵀ·b₁)·𝟙 and (𝟙ᵀ·W₁·x)·W₁·x are a scalar times a vector (from a review: a 1×1 MatMul
    # by an n×1 one raised ShapeError). Every field converts, with the declared shapes.
    r = tn.analyze(f"W1 : 3x4; {layer}(W1·x + b1)")
    for field in (r.W, r.b, r.first_nonaffine):
        assert field.to_sympy().shape[0] == 3


def test_softmax_b_and_first_nonaffine_numerically():
    r = tn.analyze("W1 : 3x4; softmax(W1·x + b1)")
    W1 = rng.normal(size=(3, 4))
    # b is softmax(b₁) to first order in the small b₁.
    b1 = 1e-5 * rng.normal(size=(3, 1))
    b = evaluate(r.b.to_sympy(), {"W1": W1, "b1": b1})
    assert np.allclose(b, softmax(b1), atol=1e-9)
    # At b₁ = 0 the deviation from W·x + b is the first non-affine term (order σ²), to a
    # relative O(σ) (the next order).
    x = 1e-3 * rng.normal(size=(4, 1))
    zero = np.zeros((3, 1))
    values = {"W1": W1, "b1": zero, "x": x}
    lin = evaluate(r.W.to_sympy(), values) @ x + evaluate(r.b.to_sympy(), values)
    n2 = evaluate(r.first_nonaffine.to_sympy(), values)
    deviation = softmax(W1 @ x) - lin
    assert np.allclose(deviation, n2, rtol=0, atol=1e-2 * np.abs(n2).max())


def test_exact_numbers_name_their_symbols_as_expressions_do():
    # From a review: exact texts went through plain sympify, where gamma, beta and zeta are
    # SymPy's functions, E Euler's number and lambda a keyword: σ(γ) became σ(0)'s series,
    # and float() of it 0.5.
    t = sympy.Symbol("t")
    for point in ["γ", "β", "ζ", "λ"]:
        s = tn.series("sigmoid", order=3, at=point)
        a = sympy.Symbol({"γ": "gamma", "β": "beta", "ζ": "zeta", "λ": "lambda"}[point])
        f = 1 / (1 + sympy.exp(-(a + t)))
        for k, c in enumerate(s.coefficients):
            assert sympy.simplify(c.to_sympy() - sympy.diff(f, t, k).subs(t, 0) / sympy.factorial(k)) == 0
            with pytest.raises(ValueError, match="symbolic"):
                float(c)
    session = tn.Session()
    session.run("E : scalar")
    s = session.series("exp(E*t)", order=2)
    E = sympy.Symbol("E")
    assert [c if isinstance(c, int) else sympy.sympify(c) for c in s.coefficients] == [1, E, E**2 / 2]
    r = tn.analyze("tanh(γ·W1·x + b1)")
    assert r.W.to_sympy().free_symbols >= {sympy.Symbol("gamma")}


def test_float_of_a_number_without_an_engine_value_is_resolved_or_refused():
    # From a review: gelu(−40) = −20 − 20·erf(−20√2) = −1.46·10⁻³⁴⁸, beyond f64, came out as
    # +1.7·10⁻¹⁶⁴ (every digit lost to the cancellation at SymPy's plain precision).
    import math

    for a, truth in [("-38", -1.0964627770e-314), ("-40", -0.0), ("-3", -0.0040496940949)]:
        c = tn.series("gelu", order=1, at=a).coefficients[0]
        v = float(c)
        assert math.copysign(1, v) == -1
        assert abs(v - truth) <= 1e-10 * abs(truth) + 1e-320, (a, v)
