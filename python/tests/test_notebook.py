"""examples/lecture.ipynb, executed headless; its outputs are checked."""

from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "lecture.ipynb"


@pytest.fixture(scope="module")
def cells():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=False).execute()
    return {cell.metadata["tags"][0]: cell.outputs for cell in nb.cells if cell.cell_type == "code"}


def data(outputs, mime):
    """Every output's `mime` part, in order (text/plain unwrapped from IPython's pretty-printing)."""
    parts = [o["data"][mime] for o in outputs if "data" in o and mime in o["data"]]
    return [p.replace("\n ", " ") if mime == "text/plain" else p for p in parts]


def test_verdicts(cells):
    assert data(cells["tanh-verdict"], "text/plain") == ["('affine', 3)"]
    assert data(cells["tanh-forms"], "text/plain")[0].startswith("('W₂·W₁', 'W2*W1', '−W₂·((W₁·x)^∘2∘b₁)")


def test_renderings(cells):
    assert data(cells["tanh-W"], "text/latex") == ["$W_{2} W_{1}$"]
    html = data(cells["tanh-report"], "text/html")[0]
    assert "<math" in html and "verdict <b>affine</b>, k = 3" in html
    assert data(cells["tanh-report"], "text/latex")[0].startswith("\\begin{align*}")
    assert "<table" in data(cells["classify"], "text/html")[0]
    assert data(cells["verify"], "image/svg+xml")[0].lstrip().startswith("<svg")
    assert "PASS" in data(cells["verify"], "text/html")[0]


def test_exact_values(cells):
    coefficients = data(cells["gelu-coefficients"], "text/plain")[0]
    assert coefficients.startswith("[Fraction(0, 1), Fraction(1, 2), Number('1/sqrt(2*pi)')")
    assert "sqrt(2)*t**2/(2*sqrt(pi))" in data(cells["gelu-sympy"], "text/plain")[0]
    rows = data(cells["classify-rows"], "text/plain")[0]
    assert rows == "[('sigmoid', 'affine', 3), ('tanh', 'affine', 3), ('relu', 'kink', 1), ('selu', 'kink', 1)]"
    assert "HadamardPower" in data(cells["sympy"], "text/plain")[0]


def test_magic(cells):
    shown = data(cells["lecture"], "text/plain")
    analyses = [s for s in shown if s.startswith("<Analysis")]
    assert analyses == [
        "<Analysis 'lin(W2·lin(W1·x + b1) + b2)': exact-affine, k=None>",
        "<Analysis 'sigmoid(W2·sigmoid(W1·x + b1) + b2)': affine, k=2>",
        "<Analysis 'relu(W2·relu(W1·x + b1) + b2)': kink, k=1>",
        "<Analysis 'selu(W2·selu(W1·x + b1) + b2)': kink, k=1>",
    ]
    assert shown[:2] == ["x : 4×1", "W₁ : 2×4"]
    assert "defined lin: lin(t) = λ·t" in shown
    # The magic's session persists: its declarations apply in later cells.
    assert data(cells["magic-session"], "text/plain") == [
        "[('tanh(W2·tanh(W1·x + b1) + b2)', 'affine', 3)]"
    ]
