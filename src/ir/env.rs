//! What a session knows: declarations, bindings, function definitions.

use super::Ir;
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::syntax::{Name, ShapeSpec};
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// What a declaration says: `λ : scalar`, `n : dim`, `x : 4`, `W1 : 2×4`.
pub type Decl = ShapeSpec;

/// `z1 = W1·x + b1`: the meaning at the time of the binding.
///
/// A use of the binding shares `value` (an `Rc`, never a copy), so a chain of bindings costs
/// what each one adds. The value's shapes are numbered within the binding; a use ties them to
/// the statement through `symbols` alone.
#[derive(Clone, Debug)]
pub struct Binding {
    pub name: Name,
    pub value: Rc<Ir>,
    /// The right-hand side as written.
    pub text: String,
    /// Every matrix and vector symbol of the value (through nested bindings too), with its
    /// shape in the binding's numbering, in order of first appearance.
    pub symbols: Vec<(crate::algebra::Symbol, super::Shape)>,
    /// The value has a node whose size only its context fixes (`𝟙` of a free dimension), so a
    /// use copies the value to give that node the statement's dimension.
    pub copy_on_use: bool,
    /// How many nodes the value has with every binding it uses written out (saturating): the
    /// work of expanding it, known before any expansion starts.
    pub expanded_size: u64,
    /// How deeply the value nests with every binding it uses written out: the recursion depth
    /// of the stages that walk it.
    pub expanded_depth: u32,
}

/// A scalar function applied element-wise: `s(t; a = 1) = body`.
#[derive(Clone, Debug)]
pub struct FunDef {
    pub name: Name,
    pub var: Name,
    /// Keyword parameters and their default values (scalars).
    pub params: Vec<(Name, Ir)>,
    pub body: Ir,
    /// The definition as written.
    pub text: String,
    /// Defined by the prelude (the activation catalog).
    pub builtin: bool,
    /// The body's size in nodes once the definitions it calls are written out (saturating):
    /// a body that calls another twice doubles it.
    pub expanded_size: u64,
}

/// Declarations, bindings and functions in scope. A statement reads it and returns the change
/// it makes (see `session.rs`); values are shared through `Rc`, so nothing here is copied per
/// statement.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub decls: BTreeMap<Name, Decl>,
    pub bindings: BTreeMap<Name, Rc<Binding>>,
    pub functions: Functions,
    /// The network input (`:input`), used by `net(…)`.
    pub input: Name,
    /// Numeric values of matrix and vector symbols (`W1 = [[…]]`, `:weights FILE`); the
    /// analysis keeps the names, and the numeric instance substitutes these.
    pub values: BTreeMap<Name, Rc<crate::syntax::ast::TensorLit>>,
}

impl Env {
    pub fn function(&self, name: &Name) -> Option<&Rc<FunDef>> {
        self.functions.get(name)
    }
}

/// The functions in scope: the session's own definitions over the catalog's.
///
/// A session's definition of a catalog name (`sigmoid(t) = …`) shadows the catalog's; taking
/// it back (`remove`) shows the catalog's again.
#[derive(Clone, Debug, Default)]
pub struct Functions {
    defined: BTreeMap<Name, Rc<FunDef>>,
    catalog: Option<Rc<Catalog>>,
}

impl Functions {
    /// The catalog's functions and no others.
    pub fn with_catalog(catalog: Rc<Catalog>) -> Functions {
        Functions {
            defined: BTreeMap::new(),
            catalog: Some(catalog),
        }
    }

    /// The definition of `name`: the session's, else the catalog's (lowered on first use).
    pub fn get(&self, name: &Name) -> Option<&Rc<FunDef>> {
        match self.defined.get(name) {
            Some(d) => Some(d),
            None => self.catalog.as_ref()?.get(name),
        }
    }

    /// The catalog's activations in the prelude's order (`:catalog`); none without a catalog.
    pub fn catalog_order(&self) -> &[Name] {
        self.catalog.as_ref().map_or(&[], |c| c.order())
    }

    /// Whether `name` is a function, without lowering anything.
    pub fn contains_key(&self, name: &Name) -> bool {
        self.defined.contains_key(name) || self.catalog.as_ref().is_some_and(|c| c.contains(name))
    }

    /// Defines `name` in the session; returns the session's previous definition of it.
    pub fn insert(&mut self, name: Name, def: Rc<FunDef>) -> Option<Rc<FunDef>> {
        self.defined.insert(name, def)
    }

    /// Takes back the session's definition of `name`.
    pub fn remove(&mut self, name: &Name) -> Option<Rc<FunDef>> {
        self.defined.remove(name)
    }

    /// Every function's name, in order, without lowering anything.
    pub fn keys(&self) -> impl Iterator<Item = &Name> + '_ {
        let mut names: BTreeSet<&Name> = self.defined.keys().collect();
        if let Some(i) = self.catalog.as_ref().and_then(|c| c.index()) {
            names.extend(i.entries.keys());
        }
        names.into_iter()
    }

    /// Every function with its definition, in order (lowers the whole catalog).
    pub fn iter(&self) -> impl Iterator<Item = (&Name, &Rc<FunDef>)> + '_ {
        self.keys().filter_map(|n| Some((n, self.get(n)?)))
    }

    /// The session's own definitions, in order.
    pub fn defined(&self) -> impl Iterator<Item = &Rc<FunDef>> + '_ {
        self.defined.values()
    }
}

/// The activation catalog: the prelude's definitions, each lowered the first time it is used.
///
/// Starting a process costs nothing here: the prelude is cut into statements and each one's
/// name read the first time a name that is no primitive is looked up (`sigmoid`, not `tanh`:
/// the catalog defines no primitive's name, which a test checks), and a definition is parsed
/// and lowered the first time it is used, with what it calls.
#[derive(Debug)]
pub struct Catalog {
    source: &'static str,
    index: OnceCell<Option<Index>>,
}

#[derive(Debug)]
struct Index {
    entries: BTreeMap<Name, CatalogEntry>,
    /// The catalog's order (`:catalog`), for `classify` and listings.
    order: Vec<Name>,
}

#[derive(Debug)]
struct CatalogEntry {
    span: Span,
    /// `None` when the definition failed to lower (a bug in the prelude, reported once).
    lowered: OnceCell<Option<Rc<FunDef>>>,
}

impl Catalog {
    /// Indexes a prelude now: each statement is a definition `name(t; …) = body` or the
    /// `:catalog` order.
    pub fn new(source: &'static str) -> Result<Catalog, Diagnostic> {
        let index = Index::read(source)?;
        Ok(Catalog {
            source,
            index: OnceCell::from(Some(index)),
        })
    }

    /// A prelude indexed when first needed; one that fails to index (a bug in the prelude) is
    /// reported then, once, and holds nothing.
    pub fn lazy(source: &'static str) -> Catalog {
        Catalog {
            source,
            index: OnceCell::new(),
        }
    }

    fn index(&self) -> Option<&Index> {
        self.index
            .get_or_init(|| match Index::read(self.source) {
                Ok(index) => Some(index),
                Err(e) => {
                    // The prelude is part of the program; a failure here is a bug, reported plainly.
                    eprintln!("{}", e.render(self.source, "catalog.tn"));
                    None
                }
            })
            .as_ref()
    }

    /// The entry of `name`. Without the index, a primitive's name is none, and so is a name
    /// the prelude never writes at the start of a line before `(` as every definition starts
    /// (`W1`, `x`, `b1`: a query's other names); both checked by a test on the prelude.
    fn entry(&self, name: &Name) -> Option<&CatalogEntry> {
        let ascii = name.ascii();
        if crate::ir::Prim::from_name(&ascii).is_some()
            || !self.source.contains(&format!("\n{ascii}("))
        {
            return None;
        }
        self.index()?.entries.get(name)
    }

    fn contains(&self, name: &Name) -> bool {
        self.entry(name).is_some()
    }

    /// The catalog's activations in the prelude's order (`:catalog`).
    pub fn order(&self) -> &[Name] {
        self.index().map_or(&[], |i| i.order.as_slice())
    }

    fn get(self: &Rc<Catalog>, name: &Name) -> Option<&Rc<FunDef>> {
        let entry = self.entry(name)?;
        entry
            .lowered
            // Lowered outside the statement's budget: the result is kept for the thread, and
            // the prelude is small and fixed, so this is bounded.
            .get_or_init(
                || match crate::limits::unbudgeted(|| self.lower(name, entry.span)) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        // The prelude is part of the program; a failure here is a bug, reported plainly.
                        eprintln!("{}", e.render(self.source, "catalog.tn"));
                        None
                    }
                },
            )
            .as_ref()
    }

    /// Parses and lowers one definition against the catalog itself (`silu` calls `sigmoid`).
    fn lower(self: &Rc<Catalog>, name: &Name, span: Span) -> Result<Rc<FunDef>, Diagnostic> {
        let limits = crate::limits::Limits::default();
        let stmt = crate::syntax::parser::parse_statement_in(self.source, span, &limits)?;
        let env = Env {
            functions: Functions::with_catalog(self.clone()),
            ..Env::default()
        };
        let d = super::lower_function(&stmt, &env, self.source, true)?;
        if d.name != *name {
            return Err(Diagnostic::at(
                Phase::Name,
                span,
                format!("indexed as `{name}` but defines `{}`", d.name),
            ));
        }
        Ok(d)
    }
}

impl Index {
    /// Cuts a prelude into statements and reads each definition's name.
    fn read(source: &'static str) -> Result<Index, Diagnostic> {
        let mut entries = BTreeMap::new();
        let mut order = Vec::new();
        for span in crate::syntax::split::split_statements(source)? {
            let text = source[span.start..span.end].trim();
            if let Some(args) = text.strip_prefix(":catalog") {
                order = args
                    .split_whitespace()
                    .filter_map(|a| Name::parse(a).ok())
                    .collect();
                continue;
            }
            let name = text
                .split_once('(')
                .and_then(|(head, _)| Name::parse(head.trim()).ok())
                .ok_or_else(|| {
                    Diagnostic::at(Phase::Name, span, "the prelude holds only definitions")
                })?;
            let entry = CatalogEntry {
                span,
                lowered: OnceCell::new(),
            };
            entries.insert(name, entry);
        }
        Ok(Index { entries, order })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRELUDE: &str = "# a small prelude\nsigmoid(t) = 1/(1 + exp(-t))\nsilu(t) = t·sigmoid(t)\ngelu(t) = t·(1 + erf(t/sqrt(2)))/2\n:catalog silu sigmoid gelu\n";

    fn name(s: &str) -> Name {
        Name::parse(s).unwrap_or_else(|e| panic!("{e}"))
    }

    fn lowered(c: &Catalog) -> Vec<String> {
        c.index()
            .expect("the prelude indexes")
            .entries
            .iter()
            .filter(|(_, e)| e.lowered.get().is_some())
            .map(|(n, _)| n.ascii())
            .collect()
    }

    #[test]
    fn a_definition_is_lowered_when_first_used_with_what_it_calls() {
        let c = Rc::new(Catalog::new(PRELUDE).unwrap_or_else(|e| panic!("{}", e.message)));
        let f = Functions::with_catalog(c.clone());
        assert_eq!(c.order(), [name("silu"), name("sigmoid"), name("gelu")]);
        assert!(f.contains_key(&name("gelu")) && !f.contains_key(&name("tanh")));
        assert_eq!(f.keys().count(), 3);
        assert!(lowered(&c).is_empty(), "indexing lowers nothing");
        let silu = f.get(&name("silu")).map(|d| d.text.clone());
        assert_eq!(silu.as_deref(), Some("silu(t) = t·sigmoid(t)"));
        assert_eq!(lowered(&c), vec!["sigmoid", "silu"]);
        assert_eq!(f.iter().count(), 3);
        assert_eq!(lowered(&c).len(), 3);
    }

    #[test]
    fn a_session_definition_shadows_the_catalog_until_taken_back() {
        let c = Rc::new(Catalog::new(PRELUDE).unwrap_or_else(|e| panic!("{}", e.message)));
        let mut f = Functions::with_catalog(c);
        let catalog = f.get(&name("sigmoid")).cloned();
        let src = "sigmoid(t) = t";
        let stmt = crate::syntax::parse_statement(src, &crate::limits::Limits::default());
        let env = Env {
            functions: f.clone(),
            ..Env::default()
        };
        let mine = stmt
            .and_then(|s| super::super::lower_function(&s, &env, src, false))
            .unwrap_or_else(|e| panic!("{}", e.message));
        assert!(f.insert(name("sigmoid"), mine).is_none());
        assert_eq!(
            f.get(&name("sigmoid")).map(|d| d.text.as_str()),
            Some("sigmoid(t) = t")
        );
        assert_eq!(f.defined().count(), 1);
        assert_eq!(f.keys().count(), 3);
        f.remove(&name("sigmoid"));
        assert_eq!(
            f.get(&name("sigmoid")).map(|d| d.text.clone()),
            catalog.map(|d| d.text.clone())
        );
    }

    #[test]
    fn totality_is_read_from_the_syntax() {
        let c = Rc::new(
            Catalog::new(crate::series::CATALOG).unwrap_or_else(|e| panic!("{}", e.message)),
        );
        let f = Functions::with_catalog(c.clone());
        // Every catalog activation is finite at every real point (sigmoid's and softplus's
        // arguments of 1/· and log are 1 + exp(·) > 0; softsign's 1 + |t| > 0).
        for n in c.order() {
            if let Some(d) = f.get(n) {
                assert!(super::super::is_total(&d.body), "{}", d.text);
            }
        }
        let env = Env {
            functions: f,
            ..Env::default()
        };
        let total = |src: &str| {
            let stmt = crate::syntax::parse_statement(src, &crate::limits::Limits::default());
            let d = stmt
                .and_then(|s| super::super::lower_function(&s, &env, src, false))
                .unwrap_or_else(|e| panic!("{}", e.message));
            super::super::is_total(&d.body)
        };
        for yes in [
            "f(t) = log(1 + exp(t))",
            "f(t) = t/(1 + abs(t))",
            "f(t) = sqrt(1 + t^2)",
            "f(t) = 1/(1 + t^2)^3",
            "f(t; a = 2) = exp(t/a)",
        ] {
            assert!(total(yes), "{yes}");
        }
        for no in [
            "f(t) = 1/t",
            "f(t) = log(t)",
            "f(t) = sqrt(t)",
            "f(t) = tan(t)",
            "f(t) = 1/(1 + sin(t))",
            "f(t) = t^(1/3)",
        ] {
            assert!(!total(no), "{no}");
        }
    }

    #[test]
    fn a_statement_out_of_budget_still_gets_a_whole_definition() {
        let c = Rc::new(Catalog::new(PRELUDE).unwrap_or_else(|e| panic!("{}", e.message)));
        let f = Functions::with_catalog(c.clone());
        let cancelled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let budget = crate::limits::Budget::new(&crate::limits::Limits::default(), Some(cancelled));
        let _active = budget.enter();
        assert!(crate::limits::interrupted());
        // Lowering looks at the budget through `tick`, which reads it once per 1024 calls.
        assert!((0..1024).any(|_| crate::limits::tick()));
        assert!(f.get(&name("silu")).is_some());
        assert_eq!(lowered(&c), vec!["sigmoid", "silu"]);
        assert!(
            crate::limits::interrupted(),
            "the statement's budget is back"
        );
        assert!(crate::limits::tick());
    }

    #[test]
    fn a_primitive_is_looked_up_without_indexing_and_the_catalog_defines_none() {
        // `contains` and `get` answer "no" for a primitive's name without reading the
        // prelude, which is right only while it defines none.
        let c = Catalog::new(crate::series::CATALOG).unwrap_or_else(|e| panic!("{}", e.message));
        for n in c.index().expect("indexed").entries.keys() {
            assert!(crate::ir::Prim::from_name(&n.ascii()).is_none(), "{n}");
            let head = format!("\n{}(", n.ascii());
            assert!(
                crate::series::CATALOG.contains(&head),
                "{n} is written {head:?}"
            );
        }
        let lazy = Rc::new(Catalog::lazy(PRELUDE));
        let f = Functions::with_catalog(lazy.clone());
        assert!(!f.contains_key(&name("tanh")) && f.get(&name("exp")).is_none());
        assert!(!f.contains_key(&name("W1")) && !f.contains_key(&name("x")));
        assert!(
            lazy.index.get().is_none(),
            "a primitive or a query's names index nothing"
        );
        assert!(f.contains_key(&name("gelu")));
        assert!(lazy.index.get().is_some());
        assert_eq!(f.catalog_order().len(), 3);
    }

    #[test]
    fn a_prelude_statement_that_is_not_a_definition_is_refused() {
        assert!(Catalog::new("x : 3\n").is_err());
    }
}
