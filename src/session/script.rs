//! A script as a derivation document: its comments become prose, its statements equations.

use super::{Outcome, Session};
use crate::derive::Document;
use crate::derive::render::{Line, Piece, lines};
use crate::diagnostic::{Diagnostic, Phase, Span};
use crate::print::tree::{self, NameKind, Node};
use crate::syntax::{ExprKind, Stmt};

/// The comment paragraphs in `text` (lines starting with `#`), in order.
fn comment_paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Vec<String> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        match l.strip_prefix('#') {
            Some(c) if !c.trim().is_empty() => cur.push(c.trim().to_string()),
            _ => {
                if !cur.is_empty() {
                    out.push(cur.join(" "));
                    cur.clear();
                }
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur.join(" "));
    }
    out
}

/// Runs `source` in `session` and lays out what every statement did.
pub fn derive_source(
    session: &mut Session,
    source: &str,
    title: &str,
) -> Result<Document, Diagnostic> {
    derive_source_for(session, source, title, None)
}

/// [`derive_source`], or with `analysis = Some(n)`, the derivation of the `n`-th analysis of
/// `source` (from 0) alone: the statements before it run and those that are no analysis laid
/// out (the definitions and bindings it uses), the other analyses left out, and the
/// statements after it not run.
pub fn derive_source_for(
    session: &mut Session,
    source: &str,
    title: &str,
    analysis: Option<usize>,
) -> Result<Document, Diagnostic> {
    let mut doc = Derivation {
        lines: Vec::new(),
        results: Vec::new(),
        analyses: 0,
        wanted: analysis,
    };
    doc.script(session, source)?;
    Ok(Document {
        title: title.to_string(),
        lines: doc.lines,
        results: doc.results,
    })
}

/// A derivation as it is written, statement by statement.
struct Derivation {
    lines: Vec<Line>,
    results: Vec<serde_json::Value>,
    /// The analyses run so far, a loaded file's included.
    analyses: usize,
    /// Only this analysis (from 0), with what comes before it.
    wanted: Option<usize>,
}

/// Whether a script was written to its end or stopped at the analysis wanted.
#[derive(PartialEq)]
enum Written {
    Whole,
    Found,
}

impl Derivation {
    /// Runs `source` in `session` and writes what its statements did. A `:load` is written out
    /// in place: the loaded file's comments and statements, as if they stood there.
    fn script(&mut self, session: &mut Session, source: &str) -> Result<Written, Diagnostic> {
        let spans = crate::syntax::split::split_statements(source)?;
        let mut prev_end = 0;
        for span in &spans {
            self.prose(&source[prev_end..span.start]);
            prev_end = span.end;
            let stmt =
                crate::syntax::parser::parse_statement_in(source, *span, &session.options.limits)?;
            if let Stmt::Command { name, args, span } = &stmt
                && super::Command::parse(name) == Some(super::Command::Load)
            {
                if self.load(session, args.trim(), *span)? == Written::Found {
                    return Ok(Written::Found);
                }
                continue;
            }
            let outcome = session.run_statement(&stmt, source)?;
            if matches!(outcome, Outcome::Quit) {
                return Ok(Written::Whole);
            }
            if self.wanted.is_some() && matches!(outcome, Outcome::Analysis { .. }) {
                self.analyses += 1;
                if Some(self.analyses) != self.wanted.map(|n| n + 1) {
                    continue;
                }
            }
            // Writing a statement's steps (and its JSON result) observes the statement's budget
            // too: a result with huge exact numbers takes long to write out.
            // On an error the document is dropped whole, so `lines` half-written is never seen.
            let lines = &mut self.lines;
            let written = session.budget().within(|| {
                statement_lines(session, &stmt, &outcome, lines);
                match &outcome {
                    Outcome::Analysis { source, report, .. } => {
                        Some(crate::report::json(source, report))
                    }
                    _ => None,
                }
            });
            let result = written.map_err(|why| {
                Diagnostic::at(
                    Phase::Limit,
                    *span,
                    format!("writing the derivation: {why}"),
                )
            })?;
            self.results.extend(result);
            if self.wanted.is_some_and(|n| self.analyses == n + 1) {
                return Ok(Written::Found);
            }
        }
        self.prose(&source[prev_end.min(source.len())..]);
        Ok(Written::Whole)
    }

    /// `:load path` at `span`: the file checked as the command checks it, then written in place.
    fn load(
        &mut self,
        session: &mut Session,
        path: &str,
        span: Span,
    ) -> Result<Written, Diagnostic> {
        let (file, text) = session
            .load_file(path)
            .map_err(|m| Diagnostic::at(Phase::Command, span, m))?;
        self.lines.push(Line::File(path.to_string()));
        session
            .while_loading(file, |session| self.script(session, &text))
            .map_err(|d| super::loading_failure(d, path, &text, span))
    }

    fn prose(&mut self, text: &str) {
        for p in comment_paragraphs(text) {
            self.lines.push(Line::Prose(p));
        }
    }
}

fn statement_lines(session: &Session, stmt: &Stmt, outcome: &Outcome, out: &mut Vec<Line>) {
    match outcome {
        Outcome::Declared(names, what) => {
            let names: Vec<String> = names.iter().map(|n| n.unicode()).collect();
            let this = format!("{} is {what}", names.join(", "));
            // Consecutive declarations make one sentence.
            match out.last_mut() {
                Some(Line::Prose(p)) if p.starts_with("Shapes: ") && p.ends_with('.') => {
                    p.pop();
                    p.push_str(&format!(", {this}."));
                }
                _ => out.push(Line::Prose(format!("Shapes: {this}."))),
            }
        }
        Outcome::Defined(name, text) => match stmt {
            Stmt::Def {
                var, body, params, ..
            } if !matches!(body.kind, ExprKind::If { .. }) => {
                let lhs = Node::Call {
                    func: name.ascii(),
                    deriv: 0,
                    args: vec![Node::Name {
                        name: var.clone(),
                        kind: NameKind::Param,
                    }],
                };
                // Its parameters' defaults, which the equation does not show, as equations
                // after it (from a review: `s(t; a = 2)` was written `s(t) = t + a·t²`, a
                // never given).
                let defaults: Vec<Line> = (params.iter())
                    .filter_map(|p| {
                        Some(Line::Eq {
                            lhs: Node::Name {
                                name: p.name.clone(),
                                kind: NameKind::Param,
                            },
                            rhs: crate::print::source::node(p.default.as_ref()?),
                            tag: None,
                        })
                    })
                    .collect();
                let with = match defaults.is_empty() {
                    true => "",
                    false => ", with the defaults of its parameters",
                };
                out.push(Line::Note(vec![Piece::Text(format!(
                    "define the activation {name}{with}"
                ))]));
                out.push(Line::Eq {
                    lhs,
                    rhs: crate::print::source::node(body),
                    tag: None,
                });
                out.extend(defaults);
            }
            _ => out.push(Line::Prose(format!("define {text}"))),
        },
        Outcome::Bound(name, _) => {
            if let Some(b) = session.env.bindings.get(name) {
                if let Ok(e) = crate::analysis::normal_form(&b.value, &session.options.limits) {
                    out.push(Line::Note(vec![Piece::Text(format!("name {name}"))]));
                    out.push(Line::Eq {
                        lhs: Node::Name {
                            name: name.clone(),
                            kind: NameKind::Vector,
                        },
                        rhs: tree::expr(&e),
                        tag: None,
                    });
                }
            }
        }
        Outcome::Analysis { source, report, .. } => {
            match stmt {
                Stmt::Expr(e) => {
                    // A token-matrix input gives a matrix output, Y, as the steps below name it.
                    let y = if report.main.input.kind == crate::algebra::Kind::Matrix {
                        "Y"
                    } else {
                        "y"
                    };
                    out.push(Line::Section(y, crate::print::source::node(e)))
                }
                _ => out.push(Line::Heading(source.clone())),
            }
            // Around a data point the steps are written in the deviation (from a review: `y =
            // W·x + b holds exactly` read as a statement about the input).
            if let Some(at) = &session.options.at {
                let input = report.main.input.name.unicode();
                out.push(Line::Prose(format!(
                    "Around the data point {at}: the input is {at} + {input}, so {input} below is the deviation from {at}, and y = W·{input} + b is written in it.",
                    at = at.unicode()
                )));
            }
            // Values bound that change the verdict make the steps below those of generic values
            // (an entry exactly on a breakpoint, where relu(c₂ + u₂) = relu(c₂) + relu′(c₂)∘u₂
            // does not hold): said before them, not only after (from a review).
            let bound = crate::report::numeric::bound_verdict(report);
            if bound.is_some() {
                out.push(Line::Prose(
                    "The steps below hold for generic values of the weights and operating points; the bound values change the verdict, as the end of this section says.".into(),
                ));
            }
            if report.compensated.is_some() {
                out.push(Line::Prose("As it stands:".into()));
            }
            out.extend(lines(&report.main.steps));
            if let Some(c) = &report.compensated {
                out.push(Line::Prose("With the compensation, each O(1) part cancelled by its bias (the lecture's regime, where every pre-activation is small):".into()));
                out.extend(lines(&c.steps));
            }
            // What the steps assume (an operating point off every breakpoint, a generic one),
            // and what the bound values say of it (from a review: a breakpoint at the bound
            // values was left to the last line).
            for line in crate::report::analysis::assumption_lines(report, false) {
                out.push(Line::Prose(format!("Assumption: {line}.")));
            }
            let w = report.main.form.w.unicode();
            let each = (report
                .conditions
                .iter()
                .map(|c| (c, "Condition", "the network")))
            .chain(
                (report.compensated_conditions.iter())
                    .map(|c| (c, "Condition, with the compensation", "that network")),
            );
            for (c, label, network) in each {
                let there = c
                    .then
                    .as_ref()
                    .map(|a| {
                        let phrase = crate::report::analysis::verdict_phrase(a, &w);
                        format!("; there {network} is {phrase}")
                    })
                    .unwrap_or_default();
                out.push(Line::Prose(format!(
                    "{label}: {}{there}.",
                    crate::report::facts::condition_clause(c, &w)
                )));
            }
            // The steps are those of the symbolic result; values bound may change its verdict.
            if let Some(mut bound) = bound {
                if let Some(first) = bound.get(..1) {
                    bound = first.to_uppercase() + &bound[1..];
                }
                out.push(Line::Prose(format!("{bound}.")));
            }
        }
        // `:latex` in a document: the last result, typeset like the rest (not its LaTeX source).
        Outcome::Message(_)
            if matches!(stmt, Stmt::Command { name, .. } if name == "latex")
                && session.last.is_some() =>
        {
            if let Some(last) = &session.last {
                summary_lines(&last.report, out);
            }
        }
        Outcome::Message(m) => out.push(Line::Prose(format!("({m})"))),
        Outcome::Series(r) => out.extend(series_lines(r)),
        Outcome::Classify { rows, order, depth } => {
            out.extend(classify_lines(rows, *order, *depth))
        }
        Outcome::Verify { checks, .. } => {
            for c in checks {
                out.push(Line::Prose(format!(
                    "Numeric check ({}): {}: {}.",
                    c.label,
                    c.note,
                    if c.pass { "PASS" } else { "FAIL" }
                )));
            }
        }
        Outcome::Loaded(path, _) => out.push(Line::Prose(format!("(loaded {path})"))),
        Outcome::Quit => {}
    }
}

/// The result of an analysis in short: `W`, `b` and the verdict, as it stands and, where the
/// analysis made one, with the compensation.
fn summary_lines(report: &crate::analysis::Report, out: &mut Vec<Line>) {
    let tail = |steps: &[crate::derive::Step]| -> Vec<crate::derive::Step> {
        steps
            .iter()
            .filter(|s| {
                matches!(
                    s,
                    crate::derive::Step::Identified { .. } | crate::derive::Step::Verdict { .. }
                )
            })
            .cloned()
            .collect()
    };
    if report.compensated.is_some() {
        out.push(Line::Prose("In short, as it stands:".into()));
    } else {
        out.push(Line::Prose("In short:".into()));
    }
    out.extend(lines(&tail(&report.main.steps)));
    if let Some(c) = &report.compensated {
        out.push(Line::Prose(
            "With the compensation (each O(1) part cancelled by its bias):".into(),
        ));
        out.extend(lines(&tail(&c.steps)));
    }
}

/// The lines of an activation's series (`series`, `:series`).
pub fn series_lines(r: &crate::series::SeriesResult) -> Vec<Line> {
    let mut out = Vec::new();
    out.push(Line::Heading(format!("the series of {}", r.name)));
    // An expression is its own left-hand side, in its own variable: tanh(tanh(x)) = x − ⅔x³ + ….
    let (lhs, var) = match &r.written {
        Some((e, v)) => (
            crate::print::source::node(e),
            Node::Name {
                name: v.clone(),
                kind: NameKind::Param,
            },
        ),
        None => {
            let t = Node::Name {
                name: crate::syntax::Name::new("t", ""),
                kind: NameKind::Param,
            };
            let lhs = Node::Call {
                func: r.name.clone(),
                deriv: 0,
                args: vec![t.clone()],
            };
            (lhs, t)
        }
    };
    // One series, or one per side at a breakpoint.
    let v = match &r.written {
        Some((_, v)) => v.unicode(),
        None => "t".to_string(),
    };
    let at = crate::print::scalar_unicode(&r.at);
    let sides: Vec<(String, crate::series::Side)> = match &r.series {
        crate::series::PointSeries::Analytic(_) => {
            vec![(String::new(), crate::series::Side::Right)]
        }
        crate::series::PointSeries::OneSided { .. } => vec![
            (format!("{v} < {at}"), crate::series::Side::Left),
            (format!("{v} > {at}"), crate::series::Side::Right),
        ],
    };
    let names = crate::report::series_constant_names(r);
    // About a point a ≠ 0 the series is in powers of t − a: tanh(t) = tanh(1) + … · (t − 1) + ….
    let var = shifted(var, &r.at, &names);
    for (label, side) in sides {
        if !label.is_empty() {
            out.push(Line::Note(vec![
                Piece::Text("for ".into()),
                Piece::Formula(label),
            ]));
        }
        out.push(Line::Eq {
            lhs: lhs.clone(),
            rhs: tree::series_named(r.series.side(side), &var, &names),
            tag: None,
        });
    }
    let definitions = names.definitions();
    if !definitions.is_empty() {
        out.push(Line::Note(vec![Piece::Text("where".to_string())]));
        for (name, body, _) in definitions {
            out.push(Line::Eq {
                lhs: name,
                rhs: body,
                tag: None,
            });
        }
    }
    out
}

/// `var − at` (`t − 1`, `t + 2`, `t − (1 + π)`), or `var` alone at 0.
fn shifted(var: Node, at: &crate::algebra::Scalar, names: &tree::ConstantNames) -> Node {
    if at.is_zero() {
        return var;
    }
    let shift = match at.terms().next() {
        Some((_, c)) if at.len() == 1 && *c < 0u32 => (false, tree::scalar_named(&at.neg(), names)),
        _ if at.len() == 1 => (true, tree::scalar_named(at, names)),
        _ => (true, Node::Group(Box::new(tree::scalar_named(at, names)))),
    };
    Node::Sum(vec![(false, var), shift])
}

/// The lines of the classification table and the lecture's claims checked against it.
pub fn classify_lines(
    rows: &[crate::analysis::classify::Row],
    order: u32,
    depth: u32,
) -> Vec<Line> {
    let mut out = Vec::new();
    out.push(Line::Heading(format!(
        "Which activations keep a depth-{depth} network affine? (order {order})"
    )));
    // The headers that are mathematics are set as such: the one-sided slopes at 0, s′(0⁻)
    // and s′(0⁺) (from a review: `k`, `s(0)` and `slope --` were in the text font).
    let header = [
        Piece::Text("activation".into()),
        Piece::Text("verdict".into()),
        Piece::Formula("k".into()),
        Piece::Formula("s(0)".into()),
        Piece::Formula("s′(0⁻)".into()),
        Piece::Formula("s′(0⁺)".into()),
    ];
    let mut table = vec![header.to_vec()];
    for r in rows {
        let num = |s: &crate::algebra::Scalar| Piece::Number(s.clone());
        table.push(vec![
            Piece::Text(r.activation.ascii()),
            Piece::Text(r.label().to_string()),
            Piece::Text(r.k.map(|k| k.to_string()).unwrap_or_else(|| "—".into())),
            num(&r.s0),
            num(&r.slope_left),
            num(&r.slope_right),
        ]);
    }
    out.push(Line::Table(table));
    // The notes under the table, as the text report has them (a condition, a compensation).
    for r in rows {
        if let Some(n) = crate::report::facts::row_notes(r) {
            out.push(Line::Prose(format!("Note on {}: {n}.", r.activation)));
        }
    }
    for (name, claim, says_linear) in crate::analysis::classify::LECTURE_CLAIMS {
        if let Some(r) = crate::analysis::classify::lecture_row(rows, name) {
            let verdict = if r.is_affine() == *says_linear {
                "right"
            } else {
                "wrong"
            };
            let truth = match (r.label(), r.k) {
                ("kink", _) => "a kink at 0: not affine at any σ".to_string(),
                (v, Some(k)) => format!(
                    "{v} up to O(σ{}){}",
                    crate::print::superscript(k as i64),
                    crate::report::facts::offset_clause(r, &crate::print::scalar_unicode(&r.s0))
                ),
                (v, None) => v.to_string(),
            };
            out.push(Line::Prose(format!(
                "{name}: the notes say \"{claim}\" — {verdict}; the expansion gives {truth}."
            )));
        }
    }
    out
}
