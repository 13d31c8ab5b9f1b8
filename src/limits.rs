//! Every limit of the engine, in one place; hitting one stops the run with a clear message.

use std::time::Duration;

/// Bounds on input and work. The defaults suit interactive use; the CLI can raise them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest script or REPL entry, in bytes.
    pub max_input_bytes: usize,
    /// Deepest nesting of brackets, prefix operators or calls in one expression.
    pub max_depth: u32,
    /// Highest ε-order for a network expansion (`:order`).
    pub max_order: u32,
    /// Highest order for a scalar series (`taylornet series … --order`).
    pub max_series_order: u32,
    /// How far past the requested order the decision looks for the first non-affine term.
    pub search_order: u32,
    /// Most terms in one normal form.
    pub max_terms: usize,
    /// Largest element-wise power `z^∘k` and largest integer power.
    pub max_power: u32,
    /// Largest exponent in a number literal (`1e…`) and most digits in one.
    pub max_literal_digits: u32,
    /// Largest exact coefficient, in bits of numerator plus denominator.
    pub max_coefficient_bits: u64,
    /// Wall-clock budget of one statement.
    pub time_budget: Duration,
    /// Most nodes in one expression once the bindings it uses are written out (`z₂ = z₁ + z₁`
    /// doubles at every step); checked before the expansion starts.
    pub max_nodes: u64,
    /// Deepest nesting of one expression once the bindings it uses are written out (a chain
    /// `zᵢ = −zᵢ₋₁` nests one level per binding); the stages that walk it recurse this deep.
    pub max_expanded_depth: u32,
    /// Most entries in one numeric tensor (a literal, a weights file's tensor, an ONNX initializer).
    pub max_tensor_entries: usize,
    /// Largest weights or ONNX file read, in bytes.
    pub max_model_bytes: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: 1 << 20,
            max_depth: 200,
            max_order: 16,
            max_series_order: 400,
            search_order: 9,
            max_terms: 100_000,
            max_power: 64,
            max_literal_digits: 4096,
            max_coefficient_bits: 1 << 20,
            time_budget: Duration::from_secs(20),
            max_nodes: 500_000,
            max_expanded_depth: 5_000,
            max_tensor_entries: 1 << 16,
            max_model_bytes: 64 << 20,
        }
    }
}

/// When a computation must stop: a deadline, and a flag another thread sets (Ctrl-C).
#[derive(Clone, Debug, Default)]
pub struct Budget {
    pub deadline: Option<std::time::Instant>,
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

impl Budget {
    /// `Some(reason)` once the computation must stop.
    pub fn exhausted(&self) -> Option<&'static str> {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Some("cancelled");
        }
        if self.deadline.is_some_and(|d| std::time::Instant::now() > d) {
            return Some(
                "the time budget of the statement ran out (limit `time_budget`); lower the order",
            );
        }
        None
    }
}

thread_local! {
    /// The budgets of the computations running on this thread, innermost last.
    static ACTIVE: std::cell::RefCell<Vec<Budget>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Budget {
    /// Makes this budget visible to [`interrupted`] until the guard is dropped, so loops deep
    /// inside pure operations (one series product of large symbolic coefficients) can stop early.
    pub fn enter(&self) -> ActiveBudget {
        ACTIVE.with(|a| a.borrow_mut().push(self.clone()));
        ActiveBudget(())
    }
}

/// Keeps a budget active; see [`Budget::enter`].
pub struct ActiveBudget(());

impl Drop for ActiveBudget {
    fn drop(&mut self) {
        ACTIVE.with(|a| {
            a.borrow_mut().pop();
        });
    }
}

/// Whether the innermost active budget is exhausted. Operations that see this stop early and
/// return an incomplete result; the caller that entered the budget checks it and reports the
/// limit, so an incomplete result is never shown.
pub fn interrupted() -> bool {
    ACTIVE.with(|a| a.borrow().last().is_some_and(|b| b.exhausted().is_some()))
}
