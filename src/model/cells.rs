//! Whether a positively homogeneous piecewise-linear function is linear, decided exactly by
//! walking the cells where each of its bars keeps a sign.
//!
//! Near a data point on a breakpoint, a network of piecewise-linear activations is
//! `y(x₀ + h) = y(x₀) + g(h)` with g built from linear forms and bars: each bar is |z(h)| for a
//! form z that is linear in h and in earlier bars ([`super::region::germ`]). Inside an open
//! cone where every bar's argument keeps a strict sign, each bar is ± a linear form, so g is
//! linear there. These cones, for every sign pattern that some h realises, cover the space up
//! to a set of measure zero, and g is continuous: g is linear exactly when it has one map on
//! all of them. Whether a sign pattern is realised is a linear program (an open cone
//! `{h : rᵢ·h > 0}` is non-empty exactly when `{h : rᵢ·h ≥ 1}` is), solved exactly over the
//! rationals by the simplex method with Bland's rule, which cannot cycle.

use crate::algebra::Q;

/// How many linear programs one decision may solve before it gives up (the cells can be
/// exponentially many in the number of bars), and how many rational operations all of them
/// may take (a pivot of the simplex method costs one per entry of its tableau).
const MAX_PROGRAMS: usize = 4096;
const MAX_WORK: u64 = 20_000_000;

/// One bar: the coefficients of its argument, first on h's n entries, then on the bars before
/// it (the i-th bar's coefficient at n + i).
pub(crate) type Bar = Vec<Q>;

/// Whether `value(h) = Σₖ out[k]·(h, bars)ₖ` is the same linear map on every cell, for each
/// output row: `Ok(Some(w))` with that map's rows on h, `Ok(None)` when two cells differ (the
/// function bends), `Err` when the cells are too many to walk.
pub(crate) fn linear_map(
    n: usize,
    bars: &[Bar],
    outputs: &[Vec<Q>],
) -> Result<Option<Vec<Vec<Q>>>, String> {
    let mut walk = Walk {
        n,
        bars,
        outputs,
        programs: 0,
        work: 0,
        found: None,
    };
    let mut forms = Vec::with_capacity(bars.len());
    let origin_side = vec![Q::from(0u32); n];
    let bends = walk.cell(&mut Vec::new(), &mut forms, &origin_side)?;
    // Some cell is always reached (they cover the space): its map, when nothing bends.
    let first = walk.found.take();
    Ok((!bends).then(|| first.unwrap_or_else(|| walk.maps(&forms))))
}

struct Walk<'a> {
    n: usize,
    bars: &'a [Bar],
    outputs: &'a [Vec<Q>],
    programs: usize,
    work: u64,
    /// The map of the first cell reached.
    found: Option<Vec<Vec<Q>>>,
}

impl Walk<'_> {
    /// The linear form on h of a vector over (h, bars), with the bars' forms on this cell.
    fn on_h(&self, v: &[Q], forms: &[Vec<Q>]) -> Vec<Q> {
        let mut out: Vec<Q> = v[..self.n].to_vec();
        for (i, form) in forms.iter().enumerate() {
            let Some(c) = v.get(self.n + i) else { break };
            if *c != 0u32 {
                for (o, f) in out.iter_mut().zip(form) {
                    *o += c * f;
                }
            }
        }
        out
    }

    fn maps(&self, forms: &[Vec<Q>]) -> Vec<Vec<Q>> {
        self.outputs.iter().map(|o| self.on_h(o, forms)).collect()
    }

    /// Walks the cells inside the cone `{h : r·h > 0, r ∈ rows}`, of which `inside` is a point,
    /// with the first `forms.len()` bars' signs fixed; true as soon as two cells have different
    /// maps.
    fn cell(
        &mut self,
        rows: &mut Vec<Vec<Q>>,
        forms: &mut Vec<Vec<Q>>,
        inside: &[Q],
    ) -> Result<bool, String> {
        let Some(bar) = self.bars.get(forms.len()) else {
            let maps = self.maps(forms);
            return Ok(match &self.found {
                Some(first) => *first != maps,
                None => {
                    self.found = Some(maps);
                    false
                }
            });
        };
        let z = self.on_h(bar, forms);
        if z.iter().all(|e| *e == 0u32) {
            // The argument is 0 on this whole cell: so is the bar.
            forms.push(z);
            let bends = self.cell(rows, forms, inside)?;
            forms.pop();
            return Ok(bends);
        }
        let at = dot(&z, inside);
        for sign in [1i32, -1] {
            let side: Vec<Q> = z.iter().map(|e| e * Q::from(sign)).collect();
            // A point of the cone on this side: the one we have when z has this sign there,
            // one moved along ±z when z vanishes there (the cone is open), else a program's.
            let point = if at == 0u32 {
                Some(nudged(inside, &side, rows))
            } else if (at > 0u32) == (sign > 0) {
                Some(inside.to_vec())
            } else {
                self.programs += 1;
                if self.programs > MAX_PROGRAMS || crate::limits::interrupted() {
                    return Err("too many cells to walk near the breakpoint".into());
                }
                rows.push(side.clone());
                let found = point_in_open_cone(self.n, rows, &mut self.work)
                    .ok_or("too much arithmetic to walk the cells near the breakpoint")?;
                rows.pop();
                found
            };
            if let Some(point) = point {
                // |z| = ±z on this side.
                rows.push(side.clone());
                forms.push(side);
                let bends = self.cell(rows, forms, &point)?;
                forms.pop();
                rows.pop();
                if bends {
                    return Ok(true);
                }
            }
        }
        Ok(false)
    }
}

fn dot(a: &[Q], b: &[Q]) -> Q {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `inside + δ·d` for a δ > 0 small enough that every row stays positive (`inside` has
/// r·inside > 0 for each row r, and d·d > 0 makes d·(inside + δ·d) > 0 when d·inside = 0).
fn nudged(inside: &[Q], d: &[Q], rows: &[Vec<Q>]) -> Vec<Q> {
    // r·(inside + δd) = r·inside + δ·r·d > 0 for δ < r·inside / |r·d| where r·d < 0.
    let mut delta = Q::from(1u32);
    for r in rows {
        let along = dot(r, d);
        if along < 0u32 {
            let limit = dot(r, inside) / -along;
            if limit < delta {
                delta = limit;
            }
        }
    }
    delta /= Q::from(2u32);
    inside.iter().zip(d).map(|(x, e)| x + &delta * e).collect()
}

/// Some h with r·h > 0 for every row r, or `Some(None)` when there is none: the cone is
/// non-empty exactly when `{h : r·h ≥ 1}` is (scale h). Phase one of the simplex method on
/// h = p − q, R·(p − q) − s + a = 𝟙 with p, q, s, a ≥ 0, minimising Σa from the basis a = 𝟙;
/// feasible exactly when the minimum is 0, and then the basic solution is a point. `None` when
/// `work` (rational operations, shared by the caller's programs) passes its limit.
fn point_in_open_cone(n: usize, rows: &[Vec<Q>], work: &mut u64) -> Option<Option<Vec<Q>>> {
    let m = rows.len();
    if m == 0 {
        return Some(Some(vec![Q::from(0u32); n]));
    }
    // Columns: p (n), q (n), s (m), a (m), then the right-hand side.
    let cols = 2 * n + 2 * m;
    let mut t: Vec<Vec<Q>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![Q::from(0u32); cols + 1];
            for j in 0..n {
                row[j] = r[j].clone();
                row[n + j] = -&r[j];
            }
            row[2 * n + i] = Q::from(-1i32);
            row[2 * n + m + i] = Q::from(1u32);
            row[cols] = Q::from(1u32);
            row
        })
        .collect();
    let mut basis: Vec<usize> = (0..m).map(|i| 2 * n + m + i).collect();
    // Reduced costs of minimising Σa: c_j − Σ_rows (cost of the basic variable)·t[i][j].
    let cost = |j: usize| Q::from(u32::from(j >= 2 * n + m && j < cols));
    loop {
        let reduced = |j: usize, t: &[Vec<Q>], basis: &[usize]| -> Q {
            let mut r = cost(j);
            for (i, b) in basis.iter().enumerate() {
                let cb = cost(*b);
                if cb != 0u32 {
                    r -= &cb * &t[i][j];
                }
            }
            r
        };
        // Bland: the entering column is the first with a negative reduced cost.
        let Some(enter) = (0..cols).find(|&j| !basis.contains(&j) && reduced(j, &t, &basis) < 0u32)
        else {
            break;
        };
        // The leaving row: the least ratio, ties to the smallest basic index.
        let mut leave: Option<(usize, Q)> = None;
        for (i, row) in t.iter().enumerate() {
            if row[enter] > 0u32 {
                let ratio = &row[cols] / &row[enter];
                let better = match &leave {
                    None => true,
                    Some((l, best)) => ratio < *best || (ratio == *best && basis[i] < basis[*l]),
                };
                if better {
                    leave = Some((i, ratio));
                }
            }
        }
        let Some((pivot_row, _)) = leave else {
            break; // unbounded below cannot happen for Σa ≥ 0; stop defensively
        };
        *work += (m * (cols + 1)) as u64;
        if *work > MAX_WORK || crate::limits::interrupted() {
            return None;
        }
        let pivot = t[pivot_row][enter].clone();
        for e in t[pivot_row].iter_mut() {
            *e /= &pivot;
        }
        let prow = t[pivot_row].clone();
        for (i, row) in t.iter_mut().enumerate() {
            if i != pivot_row && row[enter] != 0u32 {
                let f = row[enter].clone();
                for (e, p) in row.iter_mut().zip(&prow) {
                    *e -= &f * p;
                }
            }
        }
        basis[pivot_row] = enter;
    }
    // The objective Σa at the final basis; when it is 0, h = p − q from the basic values.
    let feasible = (basis.iter().enumerate())
        .filter(|(_, b)| **b >= 2 * n + m)
        .all(|(i, _)| t[i][cols] == 0u32);
    if !feasible {
        return Some(None);
    }
    let mut h = vec![Q::from(0u32); n];
    for (i, &b) in basis.iter().enumerate() {
        if b < n {
            h[b] += &t[i][cols];
        } else if b < 2 * n {
            h[b - n] -= &t[i][cols];
        }
    }
    Some(Some(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(v: &[i64]) -> Vec<Q> {
        v.iter().map(|&e| Q::from(e)).collect()
    }

    /// Whether the cone is non-empty, checking that a point found lies inside it.
    fn open(n: usize, rows: &[Vec<Q>]) -> bool {
        let found = point_in_open_cone(n, rows, &mut 0).expect("within the work limit");
        if let Some(h) = &found {
            assert!(rows.iter().all(|r| dot(r, h) > 0u32), "{h:?} in {rows:?}");
        }
        found.is_some()
    }

    #[test]
    fn open_cones_are_recognised_exactly() {
        // x > 0 and y > 0: the open quadrant.
        assert!(open(2, &[q(&[1, 0]), q(&[0, 1])]));
        // x > 0 and −x > 0: empty.
        assert!(!open(2, &[q(&[1, 0]), q(&[-1, 0])]));
        // x − y > 0, y − z > 0, z − x > 0: a cycle, empty.
        assert!(!open(3, &[q(&[1, -1, 0]), q(&[0, 1, -1]), q(&[-1, 0, 1])]));
        // x + y > 0, x − y > 0, −x + 2y > 0 … x > 2y/… : x > |y| and 2y > x means y > 0, x ∈ (y, 2y).
        assert!(open(2, &[q(&[1, 1]), q(&[1, -1]), q(&[-1, 2])]));
        // x > y, y > 2x, x > 0: y > 2x > 2y means y < 0, then x < y/2 < 0: empty.
        assert!(!open(2, &[q(&[1, -1]), q(&[-2, 1]), q(&[1, 0])]));
        // A zero row is never positive.
        assert!(!open(2, &[q(&[0, 0])]));
    }

    #[test]
    fn a_bar_of_a_bar_is_linear_only_where_it_cancels() {
        // |x| then |(|x|)| − |x| = 0: one map everywhere (the zero map).
        let bars = vec![q(&[1, 0]), q(&[0, 1])];
        assert_eq!(
            linear_map(1, &bars, &[q(&[0, -1, 1])]),
            Ok(Some(vec![q(&[0])]))
        );
        // |x + |x|| = 2·relu(x) = x + |x|: |x + |x|| − |x| is x.
        let bars = vec![q(&[1, 0]), q(&[1, 1])];
        assert_eq!(
            linear_map(1, &bars, &[q(&[0, -1, 1])]),
            Ok(Some(vec![q(&[1])]))
        );
        // |x − |y|| bends.
        let bars = vec![q(&[0, 1, 0]), q(&[1, 0, -1])];
        assert_eq!(linear_map(2, &bars, &[q(&[0, 0, 0, 1])]), Ok(None));
        // median(x, y, 0)-like: |x| + |y| − |x + y| is 0 where x, y share a sign only.
        let bars = vec![q(&[1, 0]), q(&[0, 1]), q(&[1, 1])];
        assert_eq!(linear_map(2, &bars, &[q(&[0, 0, 1, 1, -1])]), Ok(None));
    }
}
