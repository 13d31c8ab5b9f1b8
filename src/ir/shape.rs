//! Shapes and dimension unification (union–find over dimension variables).

use crate::algebra::Kind;
use crate::syntax::Name;
use std::fmt;

/// A dimension after unification.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    Known(u64),
    /// A declared dimension symbol (`n : dim`).
    Named(Name),
    /// Not determined by the statement; numbered for display.
    Free(u32),
}

impl fmt::Display for Dim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dim::Known(n) => write!(f, "{n}"),
            Dim::Named(n) => write!(f, "{n}"),
            Dim::Free(i) => write!(f, "d{}", crate::syntax::names::subscript(*i as u64)),
        }
    }
}

/// The shape of a value: a scalar, an `rows×1` vector or a `rows×cols` matrix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    pub kind: Kind,
    pub rows: Dim,
    pub cols: Dim,
}

impl Shape {
    pub fn scalar() -> Shape {
        Shape {
            kind: Kind::Scalar,
            rows: Dim::Known(1),
            cols: Dim::Known(1),
        }
    }
    /// `2×4`, `2×1`, `1×1`.
    pub fn text(&self) -> String {
        match self.kind {
            Kind::Scalar => "scalar".to_string(),
            _ => format!("{}×{}", self.rows, self.cols),
        }
    }
    pub fn is_known(&self) -> bool {
        matches!(self.rows, Dim::Known(_)) && matches!(self.cols, Dim::Known(_))
    }
}

/// A dimension variable during lowering.
pub type DimVar = u32;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fixed {
    Known(u64),
    Named(Name),
}

/// Two dimensions that cannot be equal (the caller knows which operands they belong to).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mismatch;

/// Union–find over dimension variables, some bound to fixed dimensions.
#[derive(Default, Debug)]
pub struct Unifier {
    parent: Vec<DimVar>,
    fixed: Vec<Option<Fixed>>,
}

impl Unifier {
    pub fn fresh(&mut self) -> DimVar {
        let v = self.parent.len() as DimVar;
        self.parent.push(v);
        self.fixed.push(None);
        v
    }
    pub fn fixed(&mut self, f: Fixed) -> DimVar {
        let v = self.fresh();
        self.fixed[v as usize] = Some(f);
        v
    }
    pub fn find(&self, mut v: DimVar) -> DimVar {
        while self.parent[v as usize] != v {
            v = self.parent[v as usize];
        }
        v
    }
    /// Makes two dimensions equal, or says they cannot be.
    pub fn unify(&mut self, a: DimVar, b: DimVar) -> Result<(), Mismatch> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return Ok(());
        }
        let fa = self.fixed[ra as usize].clone();
        let fb = self.fixed[rb as usize].clone();
        match (&fa, &fb) {
            (Some(x), Some(y)) if x != y => return Err(Mismatch),
            _ => {}
        }
        // Keep the smaller root so display numbering follows first use.
        let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[child as usize] = root;
        self.fixed[root as usize] = fa.or(fb);
        Ok(())
    }
    pub fn resolve(&self, v: DimVar) -> Dim {
        let r = self.find(v);
        match &self.fixed[r as usize] {
            Some(Fixed::Known(n)) => Dim::Known(*n),
            Some(Fixed::Named(n)) => Dim::Named(n.clone()),
            None => Dim::Free(r),
        }
    }
}
