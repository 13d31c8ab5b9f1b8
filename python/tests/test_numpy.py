"""numpy arrays in (Session.bind, analyze(weights=…), Session.at) and out (Analysis.numeric)."""

from fractions import Fraction

import numpy as np
import pytest

import taylornet as tn

TANH2 = "tanh(W2·tanh(W1·x + b1) + b2)"


def tanh_net(w1, b1, w2, b2):
    return lambda x: np.tanh(w2 @ np.tanh(w1 @ x + b1) + b2)


def jacobian(f, x0, h=1e-5):
    """Central differences, column by column."""
    cols = []
    for j in range(len(x0)):
        e = np.zeros_like(x0)
        e[j] = h
        cols.append((f(x0 + e) - f(x0 - e)) / (2 * h))
    return np.stack(cols, axis=1)


def random_weights(seed=7):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.normal(size=(3, 2)),
        "b1": rng.normal(size=3) * 0.5,
        "W2": rng.normal(size=(2, 3)),
        "b2": rng.normal(size=2) * 0.5,
    }


def test_tanh_network_W_is_its_jacobian_at_zero():
    w = random_weights()
    r = tn.analyze(TANH2, order=3, weights=w)
    assert r.numeric is not None
    W, b = r.numeric.W, r.numeric.b
    assert isinstance(W, np.ndarray) and W.dtype == np.float64 and W.shape == (2, 2)
    assert b.shape == (2,)
    f = tanh_net(w["W1"], w["b1"], w["W2"], w["b2"])
    x0 = np.zeros(2)
    np.testing.assert_allclose(W, jacobian(f, x0), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(b, f(x0), rtol=1e-14, atol=1e-15)
    # tanh of a rational is irrational: W is computed in 256-bit floats, not exact
    assert r.numeric.W_exact is None


def test_session_bind_and_at_give_the_jacobian_at_the_data_point():
    w = random_weights(11)
    s = tn.Session(order=3)
    for name, value in w.items():
        s.bind(name, value)
    x0 = np.array([0.3, -0.7])
    s.at(x0)
    r = s.analyze(TANH2)
    f = tanh_net(w["W1"], w["b1"], w["W2"], w["b2"])
    np.testing.assert_allclose(r.numeric.W, jacobian(f, x0), rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(r.numeric.b, f(x0), rtol=1e-13, atol=1e-14)
    assert r.numeric.sigma_star is None or isinstance(r.numeric.sigma_star, dict)


def test_floats_are_bound_exactly():
    W1 = np.array([[0.1, 0.5], [2.0, -0.25]])
    r = tn.analyze("W1·x", weights={"W1": W1})
    assert r.verdict == "exact-affine"
    exact = r.numeric.W_exact
    assert exact[0][0] == Fraction(0.1) and exact[0][0] != Fraction(1, 10)
    assert exact == [[Fraction(v) for v in row] for row in W1.tolist()]
    np.testing.assert_array_equal(r.numeric.W, W1)
    assert r.numeric.b_exact == [0, 0]
    # float32 keeps its own value: 0.1f is 13421773/134217728
    r32 = tn.analyze("W1·x", weights={"W1": W1.astype(np.float32)})
    assert r32.numeric.W_exact[0][0] == Fraction(13421773, 134217728)
    # nested lists and ints, and a vector bias
    r2 = tn.analyze("W1·x + b1", weights={"W1": [[1, -3], [0, 7]], "b1": [0.1, 2**60]})
    assert r2.numeric.W_exact == [[1, -3], [0, 7]]
    assert r2.numeric.b_exact == [Fraction(0.1), 2**60]


def test_a_report_without_values_has_no_numeric_instance():
    assert tn.analyze(TANH2).numeric is None


def test_relu_network_at_a_point_has_its_region():
    s = tn.Session()
    s.bind("W1", np.array([[1.0, 0.0], [0.0, 1.0]]))
    s.bind("b1", np.array([0.0, 0.0]))
    s.at([0.5, -0.25])
    r = s.analyze("relu(W1·x + b1)")
    region = r.numeric.region
    assert isinstance(region, dict)
    assert region["radius_inf"] == pytest.approx(0.25)
    np.testing.assert_array_equal(r.numeric.W, np.array([[1.0, 0.0], [0.0, 0.0]]))


@pytest.mark.parametrize(
    "value, kind, words",
    [
        (np.array([[1.0, np.nan]]), ValueError, "finite"),
        (np.array([np.inf, 1.0]), ValueError, "finite"),
        ([[1, 2], [3]], tn.ShapeError, "ragged"),
        ([[1, 2], 3], tn.ShapeError, "ragged"),
        (np.zeros((2, 2, 2)), tn.ShapeError, "3 dimensions"),
        ([[[1, 2]], [[3, 4]]], tn.ShapeError, "more than 2"),
        (np.float64(1.5), tn.ShapeError, "scalar"),
        ([], tn.ShapeError, "empty"),
        (["a", "b"], ValueError, "not a number"),
    ],
)
def test_bad_arrays_raise_naming_the_weight(value, kind, words):
    s = tn.Session()
    with pytest.raises(kind) as e:
        s.bind("W7", value)
    assert "W7" in str(e.value) and words in str(e.value)
    with pytest.raises(kind):
        tn.analyze("W7·x", weights={"W7": value})


def test_bad_names_and_points_raise():
    s = tn.Session()
    with pytest.raises(ValueError):
        s.bind("W1 = [1]; W2", [1.0])
    with pytest.raises(tn.ShapeError):
        s.at(np.eye(2))


def test_numeric_b_is_the_value_at_the_data_point_for_every_kind_of_network():
    # y ≈ W·(x − x₀) + b with b = y(x₀), for a linear, a piecewise-linear and a smooth network
    # (from a review: a region's intercept was given as b for the first two).
    w = np.array([[2.0, 0.0], [0.0, 3.0]])
    x0 = np.array([1.0, 1.0])
    r = tn.analyze("W·x + b", weights={"W": w, "b": [1, 1]}, at=x0)
    np.testing.assert_array_equal(r.numeric.b, w @ x0 + 1)
    assert r.numeric.b_exact == [Fraction(3), Fraction(4)]
    relu = lambda x: np.maximum(w @ x + np.array([1.0, -4.0]), 0)
    x0 = np.array([0.5, -0.25])
    r = tn.analyze("relu(W·x + b)", weights={"W": w, "b": [1, -4]}, at=x0)
    np.testing.assert_allclose(r.numeric.b, relu(x0))
    np.testing.assert_allclose(r.numeric.W, jacobian(relu, x0), atol=1e-9)
    # The region keeps its own intercept form y = W·x + b.
    np.testing.assert_allclose(np.array(r.numeric.region["b"]["values"])[:, 0], relu(x0) - r.numeric.W @ x0)
    weights = random_weights()
    f = tanh_net(**{k.lower(): v for k, v in weights.items()})
    x0 = np.array([0.3, -0.7])
    r = tn.analyze(TANH2, weights=weights, at=x0)
    np.testing.assert_allclose(r.numeric.b, f(x0), atol=1e-12)


def test_fractions_and_decimals_bind_exactly_and_strings_do_not():
    from decimal import Decimal

    r = tn.analyze("W1·x", weights={"W1": [[Fraction(1, 3), Decimal("0.1")]]})
    assert r.numeric.W_exact == [[Fraction(1, 3), Fraction(1, 10)]]
    with pytest.raises(ValueError, match="not a number"):
        tn.analyze("W1·x", weights={"W1": [["1", "2"]]})


def test_long_numbers_are_refused_naming_the_weight_and_long_doubles_are_exact():
    from decimal import Decimal

    # From a review: Python's own guard on int-to-text conversion surfaced as its message.
    for value in (10**5000, Decimal("1e5000"), Fraction(1, 3**9000)):
        with pytest.raises((ValueError, tn.LimitError), match="W1"):
            tn.analyze("W1·x", weights={"W1": [[value]]})
    # Within the literal limit, a long exact value binds in full.
    big = 3**4000
    r = tn.analyze("W1·x", weights={"W1": [[big]]})
    assert r.numeric.W_exact == [[big]]
    # A long double is its own binary value (on platforms where it is wider than a double).
    third = np.longdouble(1) / 3
    r = tn.analyze("W1·x", weights={"W1": [[third]]})
    assert r.numeric.W_exact == [[Fraction(*third.as_integer_ratio())]]
    huge = np.longdouble("1e400")
    if np.isfinite(huge):
        # Finite as a long double (x86), past a double's range: bound, not called infinite.
        r = tn.analyze("W1·x", weights={"W1": [[huge]]})
        assert r.numeric.W_exact == [[Fraction(*huge.as_integer_ratio())]]
    with pytest.raises(ValueError, match="not a finite number"):
        tn.analyze("W1·x", weights={"W1": [[np.longdouble("inf")]]})


def test_a_large_float_array_binds_exactly_without_a_literal():
    # A 200×200 array of floats written exactly as a literal is 2.4 MB, past `max_input_bytes`
    # (the LimitError quoted a line the user never wrote): its entries go to the engine as
    # they are, up to `max_tensor_entries`.
    rng = np.random.default_rng(7)
    w = rng.standard_normal((200, 200))
    s = tn.Session()
    echo = s.bind("W1", w)
    assert echo.startswith("W₁ = ") and "numeric 200×200" in echo
    r = s.analyze("W1·x")
    assert r.verdict == "exact-affine"
    exact = r.numeric.W_exact
    assert exact[0][0] == Fraction(*w[0, 0].as_integer_ratio())
    assert exact[199][123] == Fraction(*w[199, 123].as_integer_ratio())
    # Past the entries limit: a LimitError naming the weight and the limit, the session
    # unchanged (W1 keeps its value).
    with pytest.raises(tn.LimitError, match="W1.*max_tensor_entries"):
        s.bind("W1", np.ones((300, 300)))
    assert s.analyze("W1·x").numeric.W_exact[0][0] == exact[0][0]
    # A name that cannot take values is refused as the statement refuses it.
    for name in ("tanh", "α", "e"):
        with pytest.raises(tn.NameError):
            s.bind(name, [[1.0]])


def test_bind_and_at_keep_the_literal_limits_and_refuse_inexact_values():
    # From a review of the entries path. Digits past `max_literal_digits` are refused as the
    # literal refuses them.
    s = tn.Session(max_literal_digits=10)
    with pytest.raises(tn.LimitError, match="max_literal_digits"):
        s.bind("W1", [[10**30, 1]])
    # A value without an exact rational form is refused, not rounded to a double.
    class Irrational:
        def __float__(self):
            return 2**0.5
    with pytest.raises(ValueError, match="not an exact number"):
        tn.Session().bind("W1", [[Irrational()]])
    assert "[1, 0]" in tn.Session().bind("W1", [np.True_, np.False_])  # numpy bools, as ints
    # Names whose values would never be read: the identity I and the input x.
    s = tn.Session()
    for name in ("I", "x"):
        with pytest.raises(tn.NameError):
            s.bind(name, [[1.0]])
    # Past `max_tensor_entries` the refusal comes before the entries are converted.
    with pytest.raises(tn.LimitError, match="max_tensor_entries"):
        s.bind("W1", np.ones((3000, 3000)))
    # A long data point goes in as entries too (as a literal it was past max_input_bytes).
    v = np.random.default_rng(1).standard_normal(20000)
    s = tn.Session(max_tensor_entries=30000)
    s.at(v)
    r = s.analyze("W·x")
    assert r.verdict == "exact-affine"


def test_sequences_bind_and_text_is_no_number():
    # From a review: a `range` was "a scalar", and so was a string.
    s = tn.Session()
    assert "[0, 1, 2]" in s.bind("v1", range(3))
    assert "[[0, 1], [2, 3]]" in s.bind("W1", [range(2), range(2, 4)])
    with pytest.raises(ValueError, match="not a number"):
        s.bind("W2", "12")


def test_mappings_masked_arrays_and_columns():
    # From a review: a dict was "a scalar", a masked array's masked entry "None is not an exact
    # number", and a column vector refused as a data point.
    s = tn.Session()
    with pytest.raises(tn.ShapeError, match="a mapping"):
        s.bind("W1", {"a": 1})
    with pytest.raises(ValueError, match="masked entries"):
        s.bind("b1", np.ma.masked_array([1.0, 2.0], mask=[0, 1]))
    assert "[1, 2]" in s.bind("b1", np.ma.masked_array([1.0, 2.0], mask=[0, 0]))
    s.bind("W1", [[1, 2], [3, -1]])
    s.at(np.array([[0.5], [-1.0]]))
    column = s.analyze("tanh(W1·x + b1)").numeric
    s.at(np.array([0.5, -1.0]))
    flat = s.analyze("tanh(W1·x + b1)").numeric
    assert np.array_equal(column.W, flat.W) and np.array_equal(column.b, flat.b)
    with pytest.raises(tn.ShapeError, match="a column"):
        s.at(np.ones((2, 2)))
