"""The IPython magic: ``%%taylornet`` runs a cell as a taylornet script."""

from __future__ import annotations

# The options the magic reads before the statements (all but --new take a value).
_OPTIONS = ("--new", "--order", "--input", "--small")


def _first_word(text):
    """``(word, rest)``: ``text`` split at its first whitespace (a space or a tab)."""
    parts = text.split(None, 1)
    return parts[0], (parts[1].strip() if len(parts) > 1 else "")


def parse_options(line):
    """``(new, settings, rest)``: whether ``--new`` was given, the keyword arguments of
    :meth:`taylornet.Session.configure` (``--order 5``, ``--input x``, ``--small "x b1"``), and
    what follows the options (a line magic's statements, left as written: a prime ``'`` in
    ``tanh'(b1)`` is no quote). ``ValueError`` for an unknown option or one without its value."""
    new, settings = False, {}
    rest = line.strip()
    while rest.startswith("--"):
        option, rest = _first_word(rest)
        if option not in _OPTIONS:
            raise ValueError(f"%%taylornet: unknown option {option} (--new, --order N, --input NAME, --small \"NAMES\")")
        if option == "--new":
            new = True
            continue
        if not rest:
            raise ValueError(f"%%taylornet: {option} takes a value")
        if rest[0] in "\"'":
            # A quoted value (--small "x b1"): up to the same quote.
            end = rest.find(rest[0], 1)
            if end < 0:
                raise ValueError(f"%%taylornet: {option}: no closing {rest[0]}")
            value, rest = rest[1:end], rest[end + 1 :].strip()
        else:
            value, rest = _first_word(rest)
        if option == "--order":
            try:
                settings["order"] = int(value)
            except ValueError:
                raise ValueError(f"%%taylornet: --order takes a whole number, not {value!r}") from None
        else:
            settings[option[2:]] = value
    return new, settings, rest


def register(ipython):
    from IPython.core.error import UsageError
    from IPython.core.magic import Magics, line_cell_magic, magics_class
    from IPython.display import display

    import taylornet as tn

    @magics_class
    class TaylornetMagics(Magics):
        session = None

        @line_cell_magic
        def taylornet(self, line, cell=None):
            """Runs taylornet statements in the notebook's session and displays each result.

            ``%%taylornet`` (the cell), ``%taylornet STATEMENTS`` (one line). Options before
            the statements: ``--new`` starts a fresh session; ``--order N``, ``--input NAME``
            and ``--small "NAMES"`` set the session's options (as ``:order`` does) before the
            statements run. The session is ``taylornet_session`` in the user namespace, and
            the cell's results (a list) are ``taylornet_results``. An error shows as the CLI
            shows it, after the results of the statements before it, and fails the cell.
            """
            try:
                new, settings, rest = parse_options(line)
            except ValueError as e:
                raise UsageError(str(e)) from None
            if cell is not None and rest:
                raise UsageError(f"%%taylornet: the statements go in the cell, not after the options ({rest!r})")
            source = cell if cell is not None else rest
            try:
                if new or TaylornetMagics.session is None:
                    # Made with its options, so that options it refuses leave the session
                    # before it in place (from a review: `--new --order 99` had dropped it).
                    TaylornetMagics.session = tn.Session(**settings)
                elif settings:
                    TaylornetMagics.session.configure(**settings)
            except (tn.TaylornetError, ValueError) as e:
                raise UsageError(f"%%taylornet: {getattr(e, 'message', None) or e}") from None
            session = TaylornetMagics.session
            self.shell.user_ns["taylornet_session"] = session
            try:
                results = session.run(source, atomic=False)
            except tn.TaylornetError as e:
                results = list(getattr(e, "results", []))
                self.shell.user_ns["taylornet_results"] = results
                for r in results:
                    display(r)
                # Shown as the CLI shows it, without a Python traceback; the cell fails, so
                # that running the notebook stops here.
                raise UsageError(e.rendered.rstrip("\n")) from None
            except ValueError as e:
                raise UsageError(f"%%taylornet: {e}") from None
            self.shell.user_ns["taylornet_results"] = results
            for r in results:
                display(r)
            return None

    ipython.register_magics(TaylornetMagics)
