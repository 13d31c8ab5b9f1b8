//! The REPL and script commands (`:order 5`, `:series tanh`, …) as one typed table.
//!
//! The name, the aliases and the help line of every command live in [`Command`];
//! completion ([`names`]), "did you mean" suggestions and `:help` ([`help`]) are
//! derived from it, so a new command cannot be missing from any of them. The
//! session matches on the enum, never on a string.

/// A command, by name (its arguments are read by the session, which knows the state they refer to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// `:order 5`: the expansion order.
    Order,
    /// `:input x`: the network input.
    Input,
    /// `:small x b1`: the symbols of order ε.
    Small,
    /// `:format latex`: how results print.
    Format,
    /// `:series tanh order 9 at 1/2`: a function's exact Taylor series.
    Series,
    /// `:classify depth 3`: the table over the catalog.
    Classify,
    /// `:latex`: the last result as LaTeX.
    Latex,
    /// `:json`: the last result as JSON.
    Json,
    /// `:shapes`: the shapes in the last result.
    Shapes,
    /// `:load FILE.tn`: run a script into this session.
    Load,
    /// `:weights FILE [tensor=NAME …]`: numeric values from a weights file.
    Weights,
    /// `:at x0`: expand around a data point of the input.
    At,
    /// `:verify [expansion] [seed N] [draws N]`: check the last result numerically.
    Verify,
    /// `:env`: declarations, bindings and definitions.
    Env,
    /// `:reset`: forget everything.
    Reset,
    /// `:help`: the commands.
    Help,
    /// `:quit` (also `:q`, `:exit`).
    Quit,
}

impl Command {
    /// Every command, in the order `:help` lists them.
    pub const ALL: [Command; 17] = [
        Command::Order,
        Command::Input,
        Command::Small,
        Command::Format,
        Command::Series,
        Command::Classify,
        Command::Verify,
        Command::Latex,
        Command::Json,
        Command::Shapes,
        Command::Load,
        Command::Weights,
        Command::At,
        Command::Env,
        Command::Reset,
        Command::Help,
        Command::Quit,
    ];

    /// The name typed after `:`.
    pub fn name(self) -> &'static str {
        match self {
            Command::Order => "order",
            Command::Input => "input",
            Command::Small => "small",
            Command::Format => "format",
            Command::Series => "series",
            Command::Classify => "classify",
            Command::Latex => "latex",
            Command::Json => "json",
            Command::Shapes => "shapes",
            Command::Load => "load",
            Command::Weights => "weights",
            Command::At => "at",
            Command::Verify => "verify",
            Command::Env => "env",
            Command::Reset => "reset",
            Command::Help => "help",
            Command::Quit => "quit",
        }
    }

    /// Other names that mean the same command.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Command::Quit => &["q", "exit"],
            _ => &[],
        }
    }

    /// The command a name (or alias) denotes.
    pub fn parse(name: &str) -> Option<Command> {
        Command::ALL
            .into_iter()
            .find(|c| c.name() == name || c.aliases().contains(&name))
    }

    /// The command's lines in `:help` (`:json` shares `:latex`'s line).
    fn help(self) -> &'static str {
        match self {
            Command::Order => "  :order 5            keep terms to ε⁵",
            Command::Input => "  :input x            the network input (default x)",
            Command::Small => {
                "  :small x b1         the symbols of order ε (`:small default`: the input and every vector)"
            }
            Command::Format => "  :format latex       print results as text, latex or json",
            Command::Series => {
                "  :series tanh order 9 at 1/2   the exact Taylor series of an activation"
            }
            Command::Classify => {
                "  :classify           the table: which activations keep a deep network affine"
            }
            Command::Verify => {
                "  :verify             check the last result numerically (residual against σ);
                      `:verify expansion` checks the truncated expansion too"
            }
            Command::Latex => "  :latex  :json       the last result as LaTeX or JSON",
            Command::Json => "",
            Command::Shapes => "  :shapes             the shapes in the last result",
            Command::Load => "  :load FILE.tn       run a script into this session",
            Command::Weights => {
                "  :weights FILE [t=W1 …]   values from .npz/.safetensors (tensor t named W1)"
            }
            Command::At => {
                "  :at x0              expand around the data point x0 (`:at x0 = [1, 2]`, `:at off`)"
            }
            Command::Env => "  :env                show declarations, bindings and definitions",
            Command::Reset => "  :reset              forget everything but the limits",
            Command::Help => "  :help               this text",
            Command::Quit => "  :quit               leave",
        }
    }
}

/// Every command name, for completion and suggestions.
pub fn names() -> impl Iterator<Item = &'static str> {
    Command::ALL.into_iter().map(Command::name)
}

/// The text of `:help`: the statements, then every command's line.
pub fn help() -> String {
    let mut s = String::from(
        "statements
  W1 : 2x4            declare a shape (also `x : 4`, `λ : scalar`, `n : dim`)
  z1 = W1·x + b1      bind a name
  W1 = [[1, 2], [3, 4]]   numeric values (also `b1 = [0.1, -0.2]`)
  s(t) = λ·t          define an activation (`if t > 0 then t else 0` for piecewise ones)
  tanh(W2·tanh(z1) + b2)   analyse an expression
commands",
    );
    for c in Command::ALL {
        if !c.help().is_empty() {
            s.push('\n');
            s.push_str(c.help());
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_aliases_parse_back() {
        for c in Command::ALL {
            assert_eq!(Command::parse(c.name()), Some(c));
        }
        assert_eq!(Command::parse("q"), Some(Command::Quit));
        assert_eq!(Command::parse("exit"), Some(Command::Quit));
        assert_eq!(Command::parse("verfy"), None);
    }

    #[test]
    fn help_lists_every_command() {
        let h = help();
        for c in Command::ALL {
            assert!(
                h.contains(&format!(":{}", c.name())),
                "{c:?} missing from :help"
            );
        }
        assert!(h.starts_with("statements\n") && h.ends_with(":quit               leave"));
    }
}
