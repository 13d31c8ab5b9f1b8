//! Lowering: AST → IR. Resolves names, applies the kind convention, unifies shapes.
//!
//! Kinds by convention (declarations override): an upper-case Latin name is a
//! matrix, a lower-case Latin name a column vector, a Greek name a scalar
//! parameter; `π` and `e` are constants. Dimensions are unified across the
//! whole statement; a mismatch points at both operands.
//!
//! One concern per file: this file holds the entry points and the lowering context;
//! `names.rs` resolves names, `expr.rs` the operators, `calls.rs` function calls and
//! `net(…)`, `bindings.rs` the uses of bindings, `shapes.rs` dimension unification,
//! `tree.rs` the children of a node.

mod bindings;
mod calls;
mod expr;
mod names;
mod shapes;
mod tree;

use super::shape::{DimVar, Fixed, Unifier};
use super::{Binding, Env, FunDef, Ir, IrKind, Prim, Shape};
use crate::algebra::{Kind, Symbol};
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::syntax::{self, Name, ShapeSpec, Stmt};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use bindings::has_unsized_ones;
pub use bindings::{expanded_depth, expanded_size};
pub use tree::children;

type R<T> = Result<T, Diagnostic>;

/// A lowered expression and the shapes of its symbols.
#[derive(Clone, Debug)]
pub struct Lowered {
    /// The expression, with names resolved and shapes known.
    pub ir: Ir,
    /// Every matrix and vector symbol it uses, with its shape.
    pub symbols: BTreeMap<Symbol, Shape>,
}

/// A lowered statement, ready to be committed to the session.
#[derive(Clone, Debug)]
pub enum LoweredStmt {
    Decl(Vec<Name>, ShapeSpec),
    Def(Rc<FunDef>),
    Bind(Rc<Binding>),
    /// `W1 = [[…]]`: a symbol with a numeric value (and the shape it fixes).
    Value(Name, Rc<crate::syntax::ast::TensorLit>),
    /// An expression, lowered, and as written (reports render it as the user wrote it).
    Expr(Lowered, Rc<syntax::Expr>),
    Command {
        name: String,
        args: String,
        span: Span,
    },
}

/// What a name the language reads as a constant stands for (`ones` is 𝟙, `e`, `pi`): a value
/// or a binding of that name would never be read (from a review, `ones = 2·𝟙` was accepted and
/// `ones` stayed 𝟙).
fn constant_name(name: &Name) -> Option<&'static str> {
    if !name.sub.is_empty() {
        return None;
    }
    match &*name.base {
        "ones" | "𝟙" => Some("the all-ones vector 𝟙"),
        "e" => Some("the constant e"),
        "pi" | "π" => Some("the constant π"),
        "I" => Some("the identity matrix I"),
        _ => None,
    }
}

/// Whether `name` is a function: the session's and the catalog's, a primitive, or one of the
/// operators the language calls by name (`softmax`, `sum`, `net`, …).
fn is_function_name(name: &Name, env: &Env) -> bool {
    env.functions.contains_key(name)
        || Prim::from_name(&name.ascii()).is_some()
        || is_operator(name)
}

/// One of the operators the language calls by name, which lowering reads before any
/// definition: a definition of one would never be used.
fn is_operator(name: &Name) -> bool {
    name.sub.is_empty()
        && matches!(
            &*name.base,
            "net" | "sum" | "mean" | "softmax" | "layernorm" | "rmsnorm" | "logsumexp" | "diag"
        )
}

/// Why `name` cannot take numeric values from a weights file or Python: a function's name, a
/// constant's (`e`, `ones`, `I`), a scalar parameter's (Greek) or the input's, whose value
/// would never be read (from a review, a tensor `e` was bound as a matrix and `ones` silently
/// ignored); `None` when it can.
pub fn value_name_problem(name: &Name, env: &Env) -> Option<String> {
    if is_function_name(name, env) {
        return Some(format!("`{name}` is a function"));
    }
    if let Some(what) = constant_name(name) {
        return Some(format!("`{name}` is {what}"));
    }
    if name.is_greek() {
        return Some(format!(
            "`{name}` is a scalar parameter, which takes no array of values"
        ));
    }
    (*name == env.input).then(|| input_value_problem(name))
}

/// Why the input takes no values: the expansion is around a data point, set apart.
fn input_value_problem(name: &Name) -> String {
    format!(
        "`{name}` is the input, whose values are not read (the expansion is around 0, or a data point set with `:at`)"
    )
}

/// Only matrix and vector names take numeric values, and never a function's or the input's.
fn check_value_name(name: &Name, span: Span, env: &Env) -> Result<(), Diagnostic> {
    if *name == env.input {
        return Err(
            Diagnostic::at(Phase::Name, span, input_value_problem(name)).hint(format!(
                "a data point is another vector: `:at {}0 = [1, 2, …]`",
                name.ascii()
            )),
        );
    }
    if is_function_name(name, env) {
        return Err(Diagnostic::at(
            Phase::Name,
            span,
            format!("`{name}` is a function; choose another name for the values"),
        ));
    }
    if let Some(what) = constant_name(name) {
        return Err(Diagnostic::at(
            Phase::Name,
            span,
            format!("`{name}` is {what}; choose another name for the values"),
        ));
    }
    if name.is_greek() {
        return Err(Diagnostic::at(
            Phase::Name,
            span,
            format!(
                "`{name}` is a scalar parameter; only matrices and vectors take literal values"
            ),
        )
        .hint("a scalar is bound as an expression: `α = 0.5`"));
    }
    Ok(())
}

/// Lowers one statement against the environment (which it does not change).
pub fn lower_statement(stmt: &Stmt, env: &Env, source: &str) -> R<LoweredStmt> {
    match stmt {
        Stmt::Command { name, args, span } => Ok(LoweredStmt::Command {
            name: name.clone(),
            args: args.clone(),
            span: *span,
        }),
        Stmt::Decl { names, shape, .. } => {
            for (n, sp) in names {
                if env.functions.contains_key(n) || Prim::from_name(&n.ascii()).is_some() {
                    return Err(Diagnostic::at(
                        Phase::Name,
                        *sp,
                        format!("`{n}` is a function and cannot be declared"),
                    ));
                }
            }
            Ok(LoweredStmt::Decl(
                names.iter().map(|(n, _)| n.clone()).collect(),
                shape.clone(),
            ))
        }
        Stmt::Def { .. } => lower_function(stmt, env, source, false).map(LoweredStmt::Def),
        Stmt::Value {
            name,
            name_span,
            value,
            ..
        } => check_value_name(name, *name_span, env)
            .map(|()| LoweredStmt::Value(name.clone(), Rc::new(value.clone()))),
        Stmt::Bind {
            name,
            name_span,
            value,
            ..
        } => {
            if is_function_name(name, env) {
                return Err(Diagnostic::at(
                    Phase::Name,
                    *name_span,
                    format!("`{name}` is a function; choose another name for the binding"),
                ));
            }
            if let Some(what) = constant_name(name) {
                return Err(Diagnostic::at(
                    Phase::Name,
                    *name_span,
                    format!("`{name}` is {what}; choose another name for the binding"),
                ));
            }
            let l = lower_expr(value, env)?;
            let text = source
                .get(value.span.start..value.span.end)
                .unwrap_or("")
                .to_string();
            let copy_on_use = has_unsized_ones(&l.ir, env);
            let expanded_size = expanded_size(&l.ir, env);
            let expanded_depth = expanded_depth(&l.ir, env);
            Ok(LoweredStmt::Bind(Rc::new(Binding {
                name: name.clone(),
                value: Rc::new(l.ir),
                text,
                symbols: l.symbols.into_iter().collect(),
                copy_on_use,
                expanded_size,
                expanded_depth,
            })))
        }
        Stmt::Expr(e) => lower_expr(e, env).map(|l| LoweredStmt::Expr(l, Rc::new(e.clone()))),
    }
}

/// Lowers a function definition `s(t; a = 1) = body`.
pub fn lower_function(stmt: &Stmt, env: &Env, source: &str, builtin: bool) -> R<Rc<FunDef>> {
    let Stmt::Def {
        name,
        name_span,
        var,
        var_span,
        params,
        body,
        span,
    } = stmt
    else {
        return Err(Diagnostic::at(
            Phase::Name,
            stmt.span(),
            "not a function definition",
        ));
    };
    // From a review: `softmax(t) = t^2` was acknowledged and never used.
    if Prim::from_name(&name.ascii()).is_some() || is_operator(name) {
        return Err(Diagnostic::at(
            Phase::Name,
            *name_span,
            format!("`{name}` is built in and cannot be redefined"),
        ));
    }
    if !var.is_greek() && var.base.chars().next().is_some_and(|c| c.is_uppercase()) {
        return Err(Diagnostic::at(
            Phase::Name,
            *var_span,
            "a function's variable must be a scalar name such as `t`",
        ));
    }
    let mut cx = Cx::new(env);
    let mut defaults = Vec::new();
    let mut seen = BTreeSet::new();
    for p in params {
        if !seen.insert(p.name.clone()) || p.name == *var {
            return Err(Diagnostic::at(
                Phase::Name,
                p.span,
                format!("parameter `{}` is named twice", p.name),
            ));
        }
        let value = match &p.default {
            Some(d) => {
                let v = cx.expr(d)?;
                if v.kind_of() != Kind::Scalar {
                    return Err(Diagnostic::at(
                        Phase::Shape,
                        d.span,
                        "a parameter's value must be a scalar",
                    ));
                }
                v
            }
            None => Ir {
                kind: IrKind::Param(p.name.clone()),
                span: p.span,
                shape: Shape::scalar(),
            },
        };
        defaults.push((p.name.clone(), value));
    }
    cx.fun = Some(FunCx {
        name: name.clone(),
        var: var.clone(),
        params: seen,
    });
    let body_ir = cx.expr(body)?;
    if body_ir.kind_of() != Kind::Scalar {
        return Err(Diagnostic::at(
            Phase::Shape,
            body.span,
            "a function body must be a scalar expression of its variable",
        ));
    }
    let body_ir = cx.finish(body_ir).ir;
    let text = source.get(span.start..span.end).unwrap_or("").to_string();
    // Each call of another definition is its body written out (from a review, definitions that
    // call the last one twice doubled the work of each series without any limit).
    let mut expanded_size = 0u64;
    crate::ir::visit::walk(&body_ir, |n| {
        expanded_size = expanded_size.saturating_add(match &n.kind {
            IrKind::Apply {
                callee: crate::ir::Callee::Def(d),
                ..
            } => d.expanded_size.saturating_add(1),
            _ => 1,
        });
        crate::ir::visit::Step::Descend
    });
    Ok(Rc::new(FunDef {
        name: name.clone(),
        var: var.clone(),
        params: defaults,
        body: body_ir,
        text,
        builtin,
        expanded_size,
    }))
}

/// Lowers an expression against the environment.
pub fn lower_expr(e: &syntax::Expr, env: &Env) -> R<Lowered> {
    let mut cx = Cx::new(env);
    let ir = cx.expr(e)?;
    Ok(cx.finish(ir))
}

struct FunCx {
    name: Name,
    var: Name,
    params: BTreeSet<Name>,
}

#[derive(Clone, Copy)]
struct VShape {
    kind: Kind,
    r: DimVar,
    c: DimVar,
}

struct Cx<'e> {
    env: &'e Env,
    u: Unifier,
    one: DimVar,
    symtab: BTreeMap<Name, (Kind, DimVar, DimVar)>,
    fun: Option<FunCx>,
}

impl<'e> Cx<'e> {
    fn new(env: &'e Env) -> Cx<'e> {
        let mut u = Unifier::default();
        let one = u.fixed(Fixed::Known(1));
        Cx {
            env,
            u,
            one,
            symtab: BTreeMap::new(),
            fun: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Dim;
    use crate::limits::Limits;
    use crate::syntax::parse_script;

    fn env_after(src: &str) -> (Env, Vec<Stmt>) {
        let mut env = Env {
            input: Name::new("x", ""),
            ..Env::default()
        };
        let stmts = parse_script(src, &Limits::default()).unwrap();
        for s in &stmts {
            if let Stmt::Decl { names, shape, .. } = s {
                for (n, _) in names {
                    env.decls.insert(n.clone(), shape.clone());
                }
            }
        }
        (env, stmts)
    }

    #[test]
    fn shape_mismatch_points_at_both_operands() {
        let src = "W1 : 2x4; x : 3; W1·x";
        let (env, stmts) = env_after(src);
        let Stmt::Expr(e) = &stmts[2] else { panic!() };
        let err = lower_expr(e, &env).unwrap_err();
        assert_eq!(err.phase, Phase::Shape);
        assert_eq!(err.labels.len(), 2);
        assert_eq!(&src[err.labels[0].span.start..err.labels[0].span.end], "W1");
        assert_eq!(&src[err.labels[1].span.start..err.labels[1].span.end], "x");
        assert!(err.labels[0].text.contains("2×4"), "{:?}", err.labels);
    }

    #[test]
    fn dimensions_unify_across_the_statement() {
        let src = "W1 : 2x4; W2·W1·x + b";
        let (env, stmts) = env_after(src);
        let Stmt::Expr(e) = &stmts[1] else { panic!() };
        let l = lower_expr(e, &env).unwrap();
        let x = l
            .symbols
            .iter()
            .find(|(s, _)| &*s.name.base == "x")
            .map(|(_, sh)| sh.clone())
            .unwrap();
        assert_eq!(x.rows, Dim::Known(4));
        let b = l
            .symbols
            .iter()
            .find(|(s, _)| &*s.name.base == "b")
            .map(|(_, sh)| sh.clone())
            .unwrap();
        assert_eq!(
            b.rows,
            l.symbols
                .iter()
                .find(|(s, _)| s.name.sub.as_ref() == "2")
                .map(|(_, sh)| sh.rows.clone())
                .unwrap()
        );
    }
}
