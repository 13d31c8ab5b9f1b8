"""The IPython magic: ``%%taylornet`` runs a cell as a taylornet script."""

from __future__ import annotations

import shlex

# The options the magic reads before the statements, and how many values each takes.
_OPTIONS = {"--new": 0, "--order": 1, "--input": 1, "--small": 1}


def parse_options(line):
    """``(new, settings, rest)``: whether ``--new`` was given, the keyword arguments of
    :meth:`taylornet.Session.configure` (``--order 5``, ``--input x``, ``--small "x b1"``), and
    what follows the options (a line magic's statements). ``ValueError`` for an unknown option
    or one without its value."""
    new, settings = False, {}
    rest = line.strip()
    while rest.startswith("--"):
        lexer = shlex.shlex(rest, posix=True, punctuation_chars=False)
        lexer.whitespace_split = True
        lexer.commenters = ""
        words = []
        try:
            for _ in range(2):
                words.append(next(lexer))
        except StopIteration:
            pass
        except ValueError as e:
            raise ValueError(f"%%taylornet: {e}") from None
        option = words[0]
        if option not in _OPTIONS:
            raise ValueError(f"%%taylornet: unknown option {option} (--new, --order N, --input NAME, --small \"NAMES\")")
        if _OPTIONS[option] and len(words) < 2:
            raise ValueError(f"%%taylornet: {option} takes a value")
        if option == "--new":
            new = True
        elif option == "--order":
            try:
                settings["order"] = int(words[1])
            except ValueError:
                raise ValueError(f"%%taylornet: --order takes a whole number, not {words[1]!r}") from None
        else:
            settings[option[2:]] = words[1]
        # What the lexer has not read yet is the rest of the line.
        rest = lexer.instream.read().strip() if _OPTIONS[option] else rest[len(option) :].strip()
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
            if new or TaylornetMagics.session is None:
                TaylornetMagics.session = tn.Session()
            source = cell if cell is not None else rest
            session = TaylornetMagics.session
            self.shell.user_ns["taylornet_session"] = session
            try:
                if settings:
                    session.configure(**settings)
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
