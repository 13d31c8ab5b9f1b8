"""The IPython magic: ``%%taylornet`` runs a cell as a taylornet script."""

from __future__ import annotations

import sys


def register(ipython):
    from IPython.core.magic import Magics, line_cell_magic, magics_class
    from IPython.display import display

    import taylornet as tn

    @magics_class
    class TaylornetMagics(Magics):
        session = None

        @line_cell_magic
        def taylornet(self, line, cell=None):
            """Runs taylornet statements in the notebook's session and displays each result.

            ``%%taylornet`` (the cell), ``%taylornet STATEMENTS`` (one line);
            ``%%taylornet --new`` starts a fresh session. The session is
            ``taylornet_session`` in the user namespace, and the cell's results (a list) are
            ``taylornet_results``.
            """
            args = line.split()
            if "--new" in args or TaylornetMagics.session is None:
                TaylornetMagics.session = tn.Session()
                args = [a for a in args if a != "--new"]
            source = cell if cell is not None else " ".join(args)
            session = TaylornetMagics.session
            self.shell.user_ns["taylornet_session"] = session
            try:
                results = session.run(source, atomic=False)
            except tn.TaylornetError as e:
                self.shell.user_ns["taylornet_results"] = list(getattr(e, "results", []))
                for r in getattr(e, "results", []):
                    display(r)
                # Shown like the CLI shows it, without a Python traceback.
                print(e.rendered, end="", file=sys.stderr)
                return None
            self.shell.user_ns["taylornet_results"] = results
            for r in results:
                display(r)
            return None

    ipython.register_magics(TaylornetMagics)
