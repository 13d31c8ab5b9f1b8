"""The ``%%taylornet`` magic in an IPython shell: its options, its session, its errors."""

import pytest

IPython = pytest.importorskip("IPython")

import taylornet as tn  # noqa: E402
from taylornet._magic import parse_options  # noqa: E402


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    sh = InteractiveShell.instance()
    sh.run_line_magic("load_ext", "taylornet")
    yield sh
    InteractiveShell.clear_instance()


def test_options_are_read_before_the_statements():
    assert parse_options("--new --order 5 tanh(W·x)") == (True, {"order": 5}, "tanh(W·x)")
    assert parse_options('--small "x b1" --input x') == (False, {"small": "x b1", "input": "x"}, "")
    # A prime is no quote (from a review: shlex read it as one).
    assert parse_options("--new tanh'(b1) ∘ x") == (True, {}, "tanh'(b1) ∘ x")
    assert parse_options("--order\t5\ttanh(x)") == (False, {"order": 5}, "tanh(x)")
    for bad in ["--orde 5", "--order", "--order five", '--small "x b1']:
        with pytest.raises(ValueError):
            parse_options(bad)


def test_the_order_option_sets_the_sessions_order(shell):
    # From a review: `%%taylornet --order 5` ran at the default order.
    shell.run_cell_magic("taylornet", "--new --order 5", "tanh(W2·tanh(W1·x + b1) + b2)")
    (r,) = shell.user_ns["taylornet_results"]
    assert r.order == 5 and r.k == 3
    assert shell.user_ns["taylornet_session"].order == 5
    shell.run_line_magic("taylornet", "--order 3 sigmoid(W·x)")
    (r,) = shell.user_ns["taylornet_results"]
    assert r.order == 3


def test_an_error_fails_the_cell_after_the_results_before_it(shell):
    # From a review: an error was printed and the cell succeeded, so "run all" went on.
    result = shell.run_cell("%%taylornet --new\nW1 : 2x4\ntanh(W1·W1·x)\n")
    assert not result.success
    assert [str(r) for r in shell.user_ns["taylornet_results"]] == ["W₁ : 2×4"]
    # The session kept what ran before the error.
    assert "W₁ : 2×4" in shell.user_ns["taylornet_session"].env
    assert not shell.run_cell("%taylornet --frobnicate").success
    assert isinstance(shell.user_ns["taylornet_session"], tn.Session)


def test_options_a_new_session_refuses_leave_the_session_before_it(shell):
    # From a review: `--new --order 99` failed the cell after the old session was dropped.
    assert shell.run_cell("%%taylornet --new\nW1 : 2x4\n").success
    assert not shell.run_cell("%%taylornet --new --order 99\ntanh(W1·x)\n").success
    assert "W₁ : 2×4" in shell.user_ns["taylornet_session"].env
    assert not shell.run_cell("%%taylornet --order 99\ntanh(W1·x)\n").success
    assert shell.user_ns["taylornet_session"].order == 3
