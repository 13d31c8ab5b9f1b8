//! A visitor over the IR, in the manner of regex-syntax's `hir::visitor`.
//!
//! Walks that only inspect a tree (which symbols, parameters or functions it uses, how
//! large it is) implement [`Visitor`] and run with [`visit`]. The traversal keeps its
//! own stack on the heap, so a deeply nested input cannot overflow the call stack, and a
//! visitor can decline to enter a node's children (a shared binding it accounts for as a
//! whole) or stop the walk once it has its answer.

use super::Ir;
use super::lower::children;
use std::convert::Infallible;

/// What the traversal does after [`Visitor::visit_pre`] has seen a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Visit the node's children, then call [`Visitor::visit_post`] on it.
    Descend,
    /// Leave the children out; [`Visitor::visit_post`] is still called on the node.
    Skip,
    /// End the walk now and call [`Visitor::finish`]; no further `visit_post` calls.
    Stop,
}

/// A depth-first walk over an [`Ir`]: `visit_pre` on the way down, `visit_post` on the way
/// up, `finish` for the result.
pub trait Visitor {
    /// What the walk computes.
    type Output;
    /// An error that ends the walk.
    type Err;

    /// Called once, before the first node.
    fn start(&mut self) {}

    /// Called on a node before its children; the answer says whether to enter them.
    fn visit_pre(&mut self, _ir: &Ir) -> Result<Step, Self::Err> {
        Ok(Step::Descend)
    }

    /// Called on a node after its children (or right after `visit_pre` when it skipped them).
    fn visit_post(&mut self, _ir: &Ir) -> Result<(), Self::Err> {
        Ok(())
    }

    /// The result, once the walk is over.
    fn finish(self) -> Result<Self::Output, Self::Err>;
}

/// Runs `visitor` over `ir` depth first, children in order, with a heap stack as deep as
/// the tree (the call stack stays constant).
pub fn visit<V: Visitor>(ir: &Ir, mut visitor: V) -> Result<V::Output, V::Err> {
    // Each frame is a node whose children are being visited and those still to visit
    // (listed once per node, so a sum of many terms is walked in linear time).
    let mut stack: Vec<(&Ir, std::vec::IntoIter<&Ir>)> = Vec::new();
    visitor.start();
    let mut next = Some(ir);
    loop {
        if let Some(node) = next.take() {
            match visitor.visit_pre(node)? {
                Step::Descend => stack.push((node, children(&node.kind).into_iter())),
                Step::Skip => visitor.visit_post(node)?,
                Step::Stop => return visitor.finish(),
            }
        }
        let Some((node, rest)) = stack.last_mut() else {
            return visitor.finish();
        };
        match rest.next() {
            Some(c) => next = Some(c),
            None => {
                let node = *node;
                stack.pop();
                visitor.visit_post(node)?;
            }
        }
    }
}

/// Runs `f` on every node before its children (a [`Visitor`] with only `visit_pre`), for
/// walks that collect or search and need no result of their own.
pub fn walk(ir: &Ir, f: impl FnMut(&Ir) -> Step) {
    struct Pre<F>(F);
    impl<F: FnMut(&Ir) -> Step> Visitor for Pre<F> {
        type Output = ();
        type Err = Infallible;
        fn visit_pre(&mut self, ir: &Ir) -> Result<Step, Infallible> {
            Ok((self.0)(ir))
        }
        fn finish(self) -> Result<(), Infallible> {
            Ok(())
        }
    }
    match visit(ir, Pre(f)) {
        Ok(()) => {}
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::algebra::Q;
    use crate::diagnostic::Span;
    use crate::ir::IrKind;
    use crate::ir::Shape;

    fn num(n: i64) -> Ir {
        Ir {
            kind: IrKind::Num(Q::from(n)),
            span: Span::default(),
            shape: Shape::scalar(),
        }
    }

    fn node(kind: IrKind) -> Ir {
        Ir {
            kind,
            span: Span::default(),
            shape: Shape::scalar(),
        }
    }

    /// Records the order of the calls as `(n` / `n)` for leaves and `(` / `)` for inner nodes.
    struct Trace(String);

    impl Visitor for Trace {
        type Output = String;
        type Err = ();
        fn visit_pre(&mut self, ir: &Ir) -> Result<Step, ()> {
            match &ir.kind {
                IrKind::Num(q) => self.0.push_str(&format!("({q}")),
                _ => self.0.push('('),
            }
            Ok(Step::Descend)
        }
        fn visit_post(&mut self, _: &Ir) -> Result<(), ()> {
            self.0.push(')');
            Ok(())
        }
        fn finish(self) -> Result<String, ()> {
            Ok(self.0)
        }
    }

    #[test]
    fn pre_and_post_order_match_the_tree() {
        let ir = node(IrKind::Sum(vec![
            num(1),
            node(IrKind::Neg(Box::new(num(2)))),
            node(IrKind::Mul(vec![num(3), num(4)])),
        ]));
        assert_eq!(
            visit(&ir, Trace(String::new())),
            Ok("((1)((2))((3)(4)))".to_string())
        );
    }

    #[test]
    fn a_deep_chain_does_not_use_the_call_stack() {
        let mut ir = num(0);
        for _ in 0..200_000 {
            ir = node(IrKind::Neg(Box::new(ir)));
        }
        struct Depth(usize, usize);
        impl Visitor for Depth {
            type Output = usize;
            type Err = ();
            fn visit_pre(&mut self, _: &Ir) -> Result<Step, ()> {
                self.0 += 1;
                self.1 = self.1.max(self.0);
                Ok(Step::Descend)
            }
            fn visit_post(&mut self, _: &Ir) -> Result<(), ()> {
                self.0 -= 1;
                Ok(())
            }
            fn finish(self) -> Result<usize, ()> {
                Ok(self.1)
            }
        }
        assert_eq!(visit(&ir, Depth(0, 0)), Ok(200_001));
        // Dropping a 200 000-deep Box chain recurses; unwind it by hand.
        let mut cur = ir;
        while let IrKind::Neg(x) = cur.kind {
            cur = *x;
        }
    }

    #[test]
    fn skip_and_stop() {
        let ir = node(IrKind::Sum(vec![
            node(IrKind::Neg(Box::new(num(1)))),
            num(2),
            num(3),
        ]));
        struct Until(String);
        impl Visitor for Until {
            type Output = String;
            type Err = ();
            fn visit_pre(&mut self, ir: &Ir) -> Result<Step, ()> {
                Ok(match &ir.kind {
                    IrKind::Neg(_) => Step::Skip,
                    IrKind::Num(q) if *q == 3u32 => Step::Stop,
                    IrKind::Num(q) => {
                        self.0.push_str(&q.to_string());
                        Step::Descend
                    }
                    _ => Step::Descend,
                })
            }
            fn finish(self) -> Result<String, ()> {
                Ok(self.0)
            }
        }
        assert_eq!(visit(&ir, Until(String::new())), Ok("2".to_string()));
    }
}
