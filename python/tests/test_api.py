"""The Python API: meaning (verdicts, k, W), errors, limits, sessions, Ctrl-C, the GIL."""

import _thread
import json
import os
import shutil
import subprocess
import signal
import threading
import time
from fractions import Fraction
from pathlib import Path

import pytest

import taylornet as tn

ROOT = Path(__file__).resolve().parents[2]
TANH2 = "tanh(W2·tanh(W1·x + b1) + b2)"


def cli():
    """The command-line binary built from this repository, if there is one."""
    candidates = [os.environ.get("TAYLORNET_CLI")]
    if os.environ.get("CARGO_TARGET_DIR"):
        candidates.append(str(Path(os.environ["CARGO_TARGET_DIR"]) / "release" / "taylornet"))
    candidates += [str(ROOT / "target" / "release" / "taylornet"), shutil.which("taylornet")]
    for c in candidates:
        if c and Path(c).is_file():
            return c
    pytest.skip("the taylornet binary is not built (cargo build --release)")


def cli_json(*args):
    out = subprocess.run([cli(), *args, "--format", "json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def test_issue_example():
    r = tn.analyze(TANH2, order=5)
    assert (r.verdict, r.k) == ("affine", 3)
    assert str(r.W) == "W₂·W₁"
    assert r.W.ascii == "W2*W1"
    assert r.W.latex == "W_{2} W_{1}"
    assert r.W._repr_latex_() == "$W_{2} W_{1}$"
    assert str(r.b) == "W₂·b₁ + b₂"
    assert r.order == 5 and r.requested_order == 5


@pytest.mark.parametrize(
    "source, verdict, k",
    [
        (TANH2, "affine", 3),
        ("s(t) = λ·t; s(W2·s(W1·x + b1) + b2)", "exact-affine", None),
        ("relu(W2·relu(W1·x + b1) + b2)", "kink", 1),
        ("sigmoid(W2·sigmoid(W1·x + b1) + b2)", "affine", 2),
        ("gelu(W2·gelu(W1·x + b1) + b2)", "affine", 2),
        ("leaky_relu(W1·x + b1; a = α)", "conditional", 1),
    ],
)
def test_same_as_the_cli(source, verdict, k):
    r = tn.analyze(source)
    assert (r.verdict, r.k) == (verdict, k)
    j = cli_json("analyze", source)
    # The Python object carries the CLI's document, field for field.
    assert r.json == j
    assert r.W.ascii == j["W"]["ascii"] and r.W.tree == j["W"]["tree"]
    assert str(r) == subprocess.run([cli(), "analyze", source], capture_output=True, text=True).stdout


def test_compensated_sigmoid():
    r = tn.analyze("sigmoid(W2·sigmoid(W1·x + b1) + b2)")
    assert r.compensated is not None and r.compensated.k == 3
    assert str(r.compensated.W) == "(1/16)·W₂·W₁"
    assert str(r.W) == "¼·diag(sigmoid′(c₂))·W₂·W₁"
    assert "sigmoid" in r.W.latex and "diag" in r.W.latex


def test_derivation_renders():
    r = tn.analyze(TANH2)
    html = r._repr_html_()
    assert "<math" in html and "affine" in html
    assert r._repr_latex_().startswith("\\begin{align*}")
    assert "W_{2} W_{1}" in r.derivation("latex")
    assert "tanh" in r.derivation("text")


def test_errors_are_exceptions():
    with pytest.raises(tn.ShapeError) as e:
        tn.analyze("W1 : 2x4\nW1·W1")
    assert (e.value.line, e.value.column, e.value.phase) == (2, 1, "shape")
    assert "^^ a 2×4 matrix" in str(e.value)
    assert isinstance(e.value, tn.TaylornetError)

    with pytest.raises(tn.ParseError) as e:
        tn.analyze("tanh(W1·x +")
    assert e.value.line == 1 and e.value.column == 5
    assert "never closed" in e.value.message

    with pytest.raises(tn.NameError) as e:
        tn.series("tahn")
    assert e.value.hint == "did you mean `tanh`?"
    # also a Python NameError
    assert isinstance(e.value, NameError)

    with pytest.raises(tn.CommandError):
        tn.Session().run(":order 0")


def test_limits_are_keywords():
    with pytest.raises(tn.LimitError) as e:
        tn.analyze("(W1·x + W2·x + W3·x + W4·x + W5·x + W6·x + W7·x + W8·x)^∘3", max_terms=50)
    assert "max_terms" in str(e.value)
    with pytest.raises(tn.CommandError):
        tn.analyze(TANH2, order=7, max_order=6)
    # An unknown keyword is a TypeError, as for any Python function, naming what is known.
    with pytest.raises(TypeError, match="no_such_limit.*max_terms"):
        tn.Session(no_such_limit=3)
    with pytest.raises(TypeError, match="ordr"):
        tn.analyze(TANH2, ordr=5)
    s = tn.Session(time_budget=2.5, max_terms=1000)
    assert s.limits["time_budget"] == 2.5 and s.limits["max_terms"] == 1000


def test_session_mirrors_the_repl():
    s = tn.Session(order=5)
    out = s.run("W1 : 2x4; W2 : 2x2; s(t) = λ·t")
    assert [m.kind for m in out] == ["declared", "declared", "defined"]
    r = s.analyze("s(W2·s(W1·x + b1) + b2)")
    assert r.verdict == "exact-affine" and str(r.W) == "λ²·W₂·W₁"
    assert r.shapes["W"] == "2×4"
    # An entry that fails is undone as a whole, like the REPL's.
    with pytest.raises(tn.ShapeError) as e:
        s.run("W3 : 3x3; W3·W1")
    assert "W₃" not in s.env
    assert "W₁ : 2×4" in s.env
    s.order = 3
    assert s.order == 3
    assert s.options["input"] == "x"
    s.reset()
    assert "W₁" not in s.env
    del e


def test_series_coefficients_are_exact():
    g = tn.series("gelu", order=6)
    c = g.coefficients
    assert c[1] == Fraction(1, 2) and c[0] == 0 and c[3] == 0
    import sympy

    assert sympy.simplify(c[2].to_sympy() - 1 / sympy.sqrt(2 * sympy.pi)) == 0
    assert abs(float(c[4]) + 1 / (6 * (2 * 3.141592653589793) ** 0.5)) < 1e-15
    t = sympy.Symbol("t")
    exact = sympy.series(t / 2 * (1 + sympy.erf(t / sympy.sqrt(2))), t, 0, 7).removeO()
    assert sympy.simplify(g.to_sympy(t).removeO() - exact) == 0
    assert tn.series("tanh", order=5).coefficients == [0, 1, 0, Fraction(-1, 3), 0, Fraction(2, 15)]
    selu = tn.series("selu", order=2)
    assert selu.klass == "kink" and selu.coefficients is None
    assert isinstance(selu.right[1], Fraction) and abs(float(selu.right[1]) - 1.0507009873554805) < 1e-15
    assert "<math" in g._repr_html_()


def test_series_reports_are_written_when_read():
    """A series hands back its coefficients; its text, LaTeX and HTML are written on first
    reading, from the stored result, and are the CLI's own (also for `:series` in a script)."""
    spec = "sigmoid(sigmoid(t))"
    s = tn.series(spec, order=4)
    assert s._renderings == {}
    for fmt in ("text", "latex", "html"):
        out = subprocess.run(
            [cli(), "series", spec, "--order", "4", "--format", fmt],
            check=True, capture_output=True, text=True,
        ).stdout
        assert getattr(s, fmt) == out, fmt
    assert str(s) == s.text
    assert set(s._renderings) == {"text", "latex", "html"}
    # A notebook sets the HTML; the LaTeX is a document (\subsection*), no formula to set.
    assert s._repr_latex_() is None and s._repr_html_() is s.html
    assert s.json == cli_json("series", spec, "--order", "4")
    session = tn.Session(order=4)
    (t,) = session.run(":series tanh")
    assert str(t) == session.series("tanh").text and "tanh" in t.latex
    with pytest.raises(Exception, match="unknown format"):
        s._engine.render_series(s._id, "pdf")


def test_classify_table():
    c = tn.classify(depth=3)
    assert c.depth == 3 and c.order == 3
    assert c["tanh"]["verdict"] == "affine" and c["tanh"]["k"] == 3
    assert c["relu"]["verdict"] == "kink"
    assert c["gelu"]["k"] == 2
    assert all(set(r) >= {"activation", "verdict", "k"} for r in c.rows)
    assert "<table" in c._repr_html_()
    assert c.json == cli_json("classify", "--depth", "3")


def test_verify_with_plot():
    r = tn.analyze(TANH2)
    v = tn.verify(r, plot=True)
    assert v.passed
    assert abs(v.checks[0]["slope"] - 3) < 0.1
    assert v._repr_svg_().lstrip().startswith("<svg")
    assert tn.verify(r).svg is None
    with pytest.raises(TypeError):
        tn.verify("tanh(x)")


@pytest.mark.skipif(cli() is None, reason="no taylornet binary built")
def test_verify_is_the_clis_to_the_bit():
    # From a review: Python's own grid of σ differed in the last bit, and so did the JSON.
    assert tn.verify(tn.analyze(TANH2)).json == cli_json("verify", TANH2)


def test_no_output_on_stdout(capfd):
    r = tn.analyze(TANH2)
    tn.series("tanh")
    tn.verify(r)
    out, _ = capfd.readouterr()
    assert out == ""


LONG = dict(order=10, max_terms=10**9, time_budget=600)
# A Hadamard power of a 12-term sum has tens of thousands of terms and takes seconds (a deep
# network no longer does: it is decided from its lowest orders).
SLOW = "(" + " + ".join(f"W{i}·x" for i in range(1, 13)) + ")^∘7"


@pytest.fixture
def sigint_raises():
    # A process started in the background by a non-interactive shell ignores SIGINT, and then
    # `interrupt_main` does nothing: give the test Python's own handler, as a terminal would.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_cancels(sigint_raises):
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        tn.analyze(SLOW, **LONG)
    assert time.monotonic() - start < 10
    timer.join()
    # The session is usable after the interrupt.
    s = tn.Session()
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        s.configure(**LONG).run(SLOW)
    timer.join()
    assert s.configure(order=3).analyze(TANH2).k == 3


def test_the_gil_is_released():
    done = threading.Event()
    def work():
        try:
            tn.analyze(SLOW, max_terms=10**9, time_budget=1.5)
        except tn.LimitError:
            pass
        finally:
            done.set()

    t = threading.Thread(target=work)
    t.start()
    ticks = 0
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    t.join()
    # With the GIL held by the computation this loop could not have run.
    assert ticks > 100


def test_writing_a_derivation_observes_the_budget():
    s = tn.Session(order=3)
    assert "tanh" in s.derive("tanh(W1·x + b1)", format="html")
    with pytest.raises(tn.LimitError):
        tn.Session(time_budget=1e-9).derive("tanh(W1·x + b1)", format="latex")


def test_a_refused_configure_changes_nothing():
    s = tn.Session(order=5)
    before = s.limits
    with pytest.raises(ValueError):
        s.configure(order=0, time_budget=3, max_terms=777)
    assert s.limits == before and s.order == 5
    # Refused by the engine after the limits were set: they are set back.
    with pytest.raises(tn.TaylornetError):
        s.configure(order=7, small="λ", time_budget=3, max_terms=777)
    assert s.limits == before and s.order == 5


@pytest.mark.parametrize("kw", [{"small": "x; :order 7"}, {"input": "x; W1 : 9x9"}, {"input": "x\ny"}])
def test_names_are_names_not_statements(kw):
    with pytest.raises(ValueError, match="not one symbol name"):
        tn.Session(**kw)


@pytest.mark.parametrize(
    "call",
    [
        lambda: tn.series("tanh", order=-1),
        lambda: tn.series("tanh", order=2.9),
        lambda: tn.series("tanh", at=float("nan")),
        lambda: tn.Session(order=True),
        lambda: tn.analyze(TANH2).verify(seed=-1),
        lambda: tn.analyze(TANH2).verify(seed=2**70),
        lambda: tn.analyze(TANH2).verify(draws=0),
        # From a review: one σ fitted no slope and failed with advice to try a larger σ.
        lambda: tn.analyze(TANH2).verify(sigmas=[0.1]),
        lambda: tn.analyze(TANH2).verify(sigmas=[0.1, 0.1]),
        lambda: tn.analyze(TANH2).verify(sigmas=[0.1] * 65),
    ],
)
def test_bad_keyword_arguments_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


def test_compensated_expressions_outlive_their_analysis():
    import gc

    c = tn.analyze("sigmoid(W2·sigmoid(W1·x + b1) + b2)").compensated
    gc.collect()
    assert c.W.latex


def test_each_result_of_a_run_has_its_own_derivation():
    a, b = tn.Session().run("tanh(W·x); sigmoid(W·x)")
    da, db = a.derivation(), b.derivation()
    assert "tanh(W·x)" in da and "sigmoid" not in da
    assert "sigmoid(W·x)" in db and "tanh" not in db


def test_equal_expressions_hash_equal():
    r = tn.analyze("s(t) = λ·t; s(W2·s(W1·x + b1) + b2)")
    assert r.W == str(r.W) and r.W in {str(r.W)} and str(r.W) in {r.W}


def test_a_number_written_by_hand_has_a_float():
    assert float(tn.Number("1/sqrt(2*pi)")) == pytest.approx(0.3989422804014327, rel=1e-15)


def test_the_analyses_of_one_run_outlive_each_other():
    # From a review: they share the engine's stored result, and collecting the first freed it
    # for the others ("no stored result 1").
    import gc

    first, second = tn.Session().run("tanh(W·x); sigmoid(W2·sigmoid(W1·x + b1) + b2)")
    del first
    gc.collect()
    assert "sigmoid" in second.derivation() and second.W.latex
    assert second.verify(sigmas=[1e-2, 1e-3, 1e-4]).passed


def test_a_loaded_file_gives_results_that_answer_questions(tmp_path):
    script = tmp_path / "net.tn"
    script.write_text("s(t) = λ·t\ns(W2·s(W1·x + b1) + b2)\n", encoding="utf-8")
    s = tn.Session()
    (r,) = [x for x in s.run(f":load {script}") if isinstance(x, tn.Analysis)]
    assert r.verdict == "exact-affine" and r.W == "λ²·W₂·W₁"
    # In a notebook it shows its derivation (MathML), the file's line among it.
    assert r.W.latex and "<math" in r._repr_html_() and "<code>" in r._repr_html_()
    # Its own steps: the file's definition and its network, not the entry's `:load` alone.
    steps = r.derivation()
    assert "From " in steps and "s(t) = λ·t" in steps and "y = s(W₂·s(W₁·x + b₁) + b₂)" in steps
    assert r.verify(sigmas=[1e-2, 1e-3], params={"λ": 0.7}).passed
    # An analysis after the load is the entry's last: the loaded one is not verifiable then.
    loaded, after = [x for x in s.run(f":load {script}; tanh(W·x)") if isinstance(x, tn.Analysis)]
    with pytest.raises(ValueError, match="last analysis"):
        loaded.verify()
    assert after.verify(sigmas=[1e-2, 1e-3]).passed
    # The second analysis's derivation is of tanh(W·x); the first, of the file's network.
    assert "tanh" in after.derivation() and "tanh" not in loaded.derivation()
    # A file changed since the entry ran: its derivation would be of another network.
    script.write_text("s(t) = λ·t\ns(W2·s(W1·x))\n", encoding="utf-8")
    with pytest.raises(tn.TaylornetError, match="no longer gives this analysis"):
        loaded.derivation()


def test_limits_out_of_range_are_value_errors():
    # From a review: nesting past what the engine's stack holds killed the interpreter.
    for name in ("max_depth", "max_expanded_depth"):
        with pytest.raises(ValueError, match=name):
            tn.Session(**{name: 10**9})
    assert tn.analyze("(" * 5000 + "tanh(W1·x)" + ")" * 5000, max_depth=10_000).k == 3
    # From a review: a budget past what a duration holds panicked in the engine.
    for value in (1e300, float("inf"), -1.0, 0.0):
        with pytest.raises(ValueError, match="time_budget"):
            tn.Session(time_budget=value)
    # As written, not as its 301 digits (from a review).
    with pytest.raises(ValueError, match=r"too large: 1e300 seconds$"):
        tn.Session(time_budget=1e300)
    with pytest.raises(ValueError, match="max_memory"):
        tn.Session(max_memory=2**50)
    assert tn.Session(max_memory=64 << 20).limits["max_memory"] == 64 << 20
    # A budget past what the clock holds is no deadline (from a review: it panicked).
    assert tn.analyze(TANH2, time_budget=1e19).k == 3


def test_a_statement_past_its_memory_ceiling_stops_with_a_limit_error():
    s = tn.Session(max_memory=16 << 20, time_budget=30)
    with pytest.raises(tn.LimitError, match="max_memory"):
        s.series("sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(t)))))", order=12)
    # The session is unharmed, and a ceiling raised lets it through.
    assert s.analyze(TANH2).k == 3


def test_a_memory_ceiling_counts_its_own_session_only():
    # From a review: the count was the process's, so a session computing in another thread
    # tripped this one's ceiling (and its frees could hide this one's growth).
    busy = threading.Thread(
        target=lambda: tn.series("sigmoid(sigmoid(sigmoid(sigmoid(sigmoid(t)))))", order=12)
    )
    busy.start()
    time.sleep(0.1)
    s = tn.Session(max_memory=96 << 20)
    assert s.series("mish(t)", order=40, at=3).order == 40
    busy.join()


def test_a_reset_keeps_the_limits():
    s = tn.Session(time_budget=3, max_terms=777, order=5)
    s.run("W1 : 2x4")
    s.reset()
    assert s.limits["time_budget"] == 3 and s.limits["max_terms"] == 777
    assert "W₁" not in s.env


def test_bad_argument_types_are_type_errors():
    with pytest.raises(TypeError, match="string"):
        tn.series(5)
    with pytest.raises(TypeError, match="string"):
        tn.Session().run(None)


@pytest.mark.parametrize("name", ["W₁", "W₂₀", "W_1"])
def test_unicode_names_bind(name):
    # From a review: names as the reports write them (`W₁`) were refused.
    s = tn.Session()
    s.bind(name, [[1, 2], [3, 4]])
    r = s.analyze(f"tanh({name}·x)")
    assert r.numeric.W_exact == [[1, 2], [3, 4]]
    for bad in ["W₁; :reset", "Wᵀ", "W²", "Ｗ", "ﬁ"]:
        with pytest.raises(ValueError, match="not a weight name"):
            s.bind(bad, [1])


def test_numbers_equal_by_their_exact_form():
    gelu = tn.series("gelu", order=3)
    c = gelu.coefficients[2]
    hand = tn.Number("1/sqrt(2*pi)")
    assert c == hand and hash(c) == hash(hand)
    assert c == "1/sqrt(2*pi)" and hash(c) == hash("1/sqrt(2*pi)")
    assert len({c, hand, "1/sqrt(2*pi)"}) == 1


def test_catalog_activations_convert_to_sympy():
    # From a review: the tree says `atan`, the converter knew `arctan`, and most catalog
    # activations became undefined SymPy functions.
    sympy = pytest.importorskip("sympy")
    import math

    lam, alpha = 1.0507009873554805, 1.6732632423543772
    for name, at, value in [
        ("atan", 0.5, math.atan(0.5)),
        ("sigmoid", 0.5, 1 / (1 + math.exp(-0.5))),
        ("gelu", 0.5, 0.5 * (1 + math.erf(0.5 / math.sqrt(2))) / 2),
        ("selu", -0.5, lam * alpha * (math.exp(-0.5) - 1)),
        ("mish", 0.5, 0.5 * math.tanh(math.log1p(math.exp(0.5)))),
        ("softsign", -0.5, -0.5 / 1.5),
        ("elu", -0.5, math.exp(-0.5) - 1),
    ]:
        r = tn.analyze(f"x : 1; b1 = [{at}]; {name}(x + b1)", order=1)
        e = r.b.to_sympy()
        # b = f(c₁), c₁ the operating point b₁: the function applied element-wise.
        f = e.function
        assert not f.atoms(sympy.core.function.AppliedUndef), (name, f)
        assert float(sympy.N(f(sympy.Rational(at)), 30)) == pytest.approx(value, rel=1e-12), name


def test_results_pickle_with_their_fields():
    # From a review: results could not be pickled (multiprocessing, joblib, caches).
    import pickle

    r = tn.analyze("sigmoid(W2·sigmoid(W1·x + b1) + b2)")
    back = pickle.loads(pickle.dumps(r))
    assert (back.verdict, back.k, back.W, back.b, str(back)) == (r.verdict, r.k, r.W, r.b, str(r))
    assert back.compensated.W == r.compensated.W
    assert "<pre>" in back._repr_html_()
    for needs_session in (back.derivation, back.verify):
        with pytest.raises(ValueError, match="unpickled|no session"):
            needs_session()
    # An expression's LaTeX is written from its tree, which needs no session.
    assert back.W.latex == r.W.latex
    s = tn.series("gelu", order=4)
    text = s.text
    s2 = pickle.loads(pickle.dumps(s))
    assert s2.coefficients == s.coefficients and s2.text == text
    with pytest.raises(ValueError, match="unpickled"):
        s2.latex
    c = tn.classify()
    assert pickle.loads(pickle.dumps(c)).rows == c.rows


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_child_makes_its_own_workers():
    # From a review: the child inherited the parent's pool, whose threads it does not have,
    # and a session made there waited forever.
    parents = [tn.Session() for _ in range(6)]
    assert parents[0].analyze(TANH2).k == 3
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            ok = tn.analyze(TANH2).k == 3
            try:
                parents[0].analyze(TANH2)
            except RuntimeError as e:
                ok = ok and "another process" in str(e)
            else:
                ok = False
            code = 0 if ok else 2
        finally:
            os._exit(code)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung")
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, status



def test_sympy_forms_take_the_calls_parameters_and_the_sessions_definitions():
    # From a review: the catalog's defaults were used whatever the call's parameters, and a
    # catalog name defined again in the session got the catalog's formula.
    sympy = pytest.importorskip("sympy")
    import math

    def f_of(src):
        r = tn.analyze(src, order=1)
        return r.b.to_sympy().function

    half = sympy.Rational(1, 2)
    f = f_of("x : 1; b1 = [-1/2]; leaky_relu(x + b1; a = 1/5)")
    assert f(-half) == -sympy.Rational(1, 10)
    f = f_of("x : 1; b1 = [1/2]; swish(x + b1; β = 3)")
    assert float(f(half)) == pytest.approx(0.5 / (1 + math.exp(-1.5)), rel=1e-14)
    f = f_of("x : 1; b1 = [-1/2]; elu(x + b1; α = 2)")
    assert float(f(-half)) == pytest.approx(2 * (math.exp(-0.5) - 1), rel=1e-14)
    # A catalog name defined again is the session's function: no formula is claimed for it.
    f = f_of("sigmoid(t) = tanh(t); x : 1; b1 = [1/2]; sigmoid(x + b1)")
    assert f(half).atoms(sympy.core.function.AppliedUndef)
    assert f.expr.func.__name__ == "sigmoid"
    # Defined in the run and reset after the analysis: still not the catalog's function.
    s = tn.Session(small="x")
    a = s.run("sigmoid(t) = tanh(t); sigmoid(W·x + b); :reset")[1]
    assert a.W.to_sympy().atoms(sympy.core.function.AppliedUndef) or "Derivative" in str(a.W.to_sympy())


def test_arguments_of_the_wrong_kind_are_type_and_value_errors():
    # From a review: each reached the engine and failed there, or was ignored.
    with pytest.raises(TypeError, match="at:"):
        tn.series("tanh", at=[1])
    with pytest.raises(TypeError, match="weights"):
        tn.analyze("tanh(W1·x)", weights=[1, 2])
    assert tn.series("tanh", order=2, at=Fraction(1, 2)).coefficients[0] == tn.series("tanh", order=2, at="1/2").coefficients[0]
    r = tn.analyze("s(t) = λ·tanh(t); s(W1·x)")
    with pytest.raises(ValueError, match="finite"):
        r.verify(sigmas=[1e-2, 1e-3], params={"λ": float("nan")})
    # An error in the point is shown in the point's text (the caret stood in the function).
    with pytest.raises(tn.TaylornetError) as e:
        tn.series("tanh(tanh(t))", at="1/0")
    assert "1/0" in e.value.rendered and "tanh" not in e.value.rendered and e.value.column in (1, 2, 3)
    # A name the network does not read was ignored (a misspelt λ left λ at its default).
    with pytest.raises(ValueError, match="`μ` is not a parameter.*`λ`"):
        r.verify(sigmas=[1e-2, 1e-3], params={"μ": 1})
    with pytest.raises(ValueError, match="between 1 and 64"):
        r.verify(sigmas=[1e-2, 1e-3], draws=100)


def test_review_findings_of_a_python_user():
    np = pytest.importorskip("numpy")
    # A bad notation keyword is a ValueError, as a bad format is.
    with pytest.raises(ValueError):
        tn.derive("tanh(x)", hadamard="x")
    with pytest.raises(ValueError):
        tn.analyze("tanh(W1·x)").derivation(hadamard="x")
    # A data point the source itself binds, as `taylornet analyze --at p` takes it.
    r = tn.analyze("W1 = [[1, 0], [0, 1]]; p = [0.1, 0.2]; tanh(W1·x)", at="p")
    assert r.numeric.W is not None
    # A scalar inner product at a data point has numeric W and b (κ₁ = wᵀ·x₀ is computed).
    s = tn.Session()
    s.bind("w", np.array([0.5, -1.0]))
    s.at([0.3, -0.7])
    r = s.analyze("sigmoid(wᵀ·x)")
    z = 0.5 * 0.3 + 0.7
    sig = 1 / (1 + np.exp(-z))
    assert np.allclose(np.asarray(r.numeric.W, dtype=float), sig * (1 - sig) * np.array([[0.5, -1.0]]))
    assert np.allclose(np.asarray(r.numeric.b, dtype=float).ravel(), [sig])
    # A parameter at the value where the result changes is checked against the result there.
    r = tn.analyze("leaky_relu(W1·x + b1; a = α)")
    assert tn.verify(r, params={"α": 1}).passed


def test_expressions_the_input_does_not_read_back_have_latex():
    # From a review: `.latex` read `.ascii` back, and raised for the identity `I` and for a
    # dimension written as a number (`1/d1`); a notebook then showed no formula.
    cases = [
        ("tanh(x)", "W", "I"),
        ("x + W·x", "W", "W + I"),
        ("softmax(W1·x + b1)", "W", "\\tfrac{1}{d_{1}} W_{1} - \\tfrac{1}{d_{1}^{2}} \\mathbf{1} \\mathbf{1}^{\\top} W_{1}"),
        ("n : dim; x : n; tanh(x − mean(x)·𝟙)", "W", "-\\tfrac{1}{n} \\mathbf{1} \\mathbf{1}^{\\top} + I"),
    ]
    for src, field, latex in cases:
        e = getattr(tn.analyze(src), field)
        assert e.latex == latex, src
        assert e._repr_latex_() == f"${latex}$"
    r = tn.analyze("logsumexp(W·x)")
    assert "d_{1}" in r.first_nonaffine.latex
    # The same LaTeX as the derivation writes for W.
    assert r.W.latex in r.derivation("latex")


def test_derive_refuses_what_the_cli_refuses_for_epsilon():
    # From a review: a name the source uses, `}` and the empty name were taken from Python.
    for eps in ["x", "}", "", "W1"]:
        with pytest.raises(ValueError, match="epsilon"):
            tn.derive("tanh(W1·x + b1)", format="latex", epsilon=eps)
    assert "\\sigma^{3}" in tn.derive("tanh(W1·x + b1)", format="latex", epsilon="σ")


def test_a_ceiling_below_the_order_is_refused():
    # From a review: accepted, and every analysis then failed naming an order never set.
    s = tn.Session(order=5)
    with pytest.raises(ValueError, match="below the session's order 5"):
        s.configure(max_order=3)
    assert s.limits["max_order"] != 3 and s.analyze("tanh(W1·x)").order == 5
    s.configure(order=3, max_order=3)
    assert (s.order, s.limits["max_order"]) == (3, 3)


def test_series_orders_past_the_ceiling_are_a_limit_at_any_size():
    # From a review: ValueError past 2³¹, LimitError below; None is the default, as for analyze.
    for order in (10**9, 10**30, 10**5000):
        with pytest.raises(tn.LimitError, match="max_series_order"):
            tn.series("tanh", order=order)
    assert len(tn.series("tanh", order=None).coefficients) == len(tn.series("tanh").coefficients)
    # A point too long to be a literal is refused as a bound weight is (from a review:
    # Python's own "Exceeds the limit (4300 digits)").
    with pytest.raises(ValueError, match="max_literal_digits"):
        tn.series("tanh", at=10**5000)
