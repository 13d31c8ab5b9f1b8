//! Every limit of the engine, in one place; hitting one stops the run with a clear message.

use std::time::Duration;

mod blocks;

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
    /// The order up to which the decision looks for the first non-affine term when the
    /// requested order has none (the requested order where that is higher; at most
    /// `max_order`).
    pub search_order: u32,
    /// Most terms in one normal form.
    pub max_terms: usize,
    /// Most terms in one sum of an expansion formed past the order that decides, only to be
    /// shown, which may also take at most a hundred times as many products of two terms:
    /// beyond either the report shows the expansion to a lower order and says so.
    pub max_shown_terms: usize,
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
    /// Most memory one statement may add to what the process holds, in bytes. Enforced where
    /// the allocator counts (the `taylornet` binary installs [`CountingAllocator`]); large
    /// single allocations are refused earlier by size estimates.
    pub max_memory: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_bytes: 1 << 20,
            max_depth: 200,
            max_order: 16,
            max_series_order: 1000,
            search_order: 9,
            max_terms: 100_000,
            max_shown_terms: 2_000,
            max_power: 64,
            max_literal_digits: 4096,
            max_coefficient_bits: 1 << 20,
            time_budget: Duration::from_secs(20),
            max_nodes: 500_000,
            max_expanded_depth: 5_000,
            max_tensor_entries: 1 << 16,
            max_model_bytes: 64 << 20,
            max_memory: 2 << 30,
        }
    }
}

/// The products of two terms an expansion formed only to be shown may take: a hundred per
/// term of the limit [`Limits::max_shown_terms`].
pub fn shown_products(max_shown_terms: usize) -> u64 {
    (max_shown_terms as u64).saturating_mul(100)
}

/// When a computation must stop: a deadline, a flag another thread sets (Ctrl-C), and a ceiling
/// on the memory the computation adds.
#[derive(Clone, Debug, Default)]
pub struct Budget {
    pub deadline: Option<std::time::Instant>,
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    /// The memory ceiling: what was allocated when the budget began, and the most it may add.
    pub memory: Option<MemoryCeiling>,
    /// The first reason found, kept: memory freed after the ceiling was reached must not make
    /// a result cut short by it look complete. Shared by the clones [`Budget::enter`] makes.
    pub tripped: std::sync::Arc<std::sync::OnceLock<&'static str>>,
}

/// A ceiling on the bytes a computation adds, counted on the thread that made the budget (the
/// thread that computes): other threads' allocations and frees meanwhile, such as another
/// session's in the same process, neither count toward it nor hide its own growth (from a
/// review of the Python package). Checked on another thread, the process's count is used.
#[derive(Clone, Copy, Debug)]
pub struct MemoryCeiling {
    /// The process's bytes when the budget began.
    process_base: usize,
    /// The making thread's bytes then, and which thread it is.
    thread_base: isize,
    thread: usize,
    /// The most bytes the computation may add.
    most: usize,
}

impl MemoryCeiling {
    fn new(most: usize) -> MemoryCeiling {
        let (thread, thread_base) = this_thread_bytes();
        MemoryCeiling {
            process_base: allocated_bytes(),
            thread_base,
            thread,
            most,
        }
    }

    fn reached(&self) -> bool {
        let (thread, bytes) = this_thread_bytes();
        let added = if thread == self.thread {
            usize::try_from(bytes.saturating_sub(self.thread_base)).unwrap_or(0)
        } else {
            allocated_bytes().saturating_sub(self.process_base)
        };
        added > self.most
    }
}

impl Budget {
    /// A budget of `limits.time_budget` from now and `limits.max_memory` from what is allocated
    /// now, stopped early by `cancel`.
    pub fn new(
        limits: &Limits,
        cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
    ) -> Budget {
        Budget {
            // A budget past what the clock can hold (1e19 s, from a review) has no deadline.
            deadline: std::time::Instant::now().checked_add(limits.time_budget),
            cancel,
            memory: Some(MemoryCeiling::new(limits.max_memory)),
            tripped: Default::default(),
        }
    }

    /// Runs `f` with this budget active: its result, or why the budget ran out meanwhile (a
    /// result computed past the budget may be cut short, so it is never returned).
    ///
    /// A budget that encloses this one counts too: when it runs out, [`interrupted`] cuts `f`
    /// short just the same, so its result must not be returned as complete either.
    pub fn within<T>(&self, f: impl FnOnce() -> T) -> Result<T, &'static str> {
        let active = self.enter();
        let value = f();
        let why = self.exhausted().or_else(first_exhausted);
        drop(active);
        match why {
            Some(why) => Err(why),
            None => Ok(value),
        }
    }

    /// `Some(reason)` once the computation must stop.
    pub fn exhausted(&self) -> Option<&'static str> {
        if let Some(why) = self.tripped.get() {
            return Some(why);
        }
        let why = self.check()?;
        Some(self.tripped.get_or_init(|| why))
    }

    fn check(&self) -> Option<&'static str> {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed))
        {
            return Some("cancelled");
        }
        if self
            .deadline
            .is_some_and(|d| clock_due() && std::time::Instant::now() > d)
        {
            return Some("the time budget of the statement ran out (limit `time_budget`)");
        }
        if self.memory.is_some_and(|m| m.reached()) {
            return Some("the statement reached its memory ceiling (limit `max_memory`)");
        }
        None
    }
}

thread_local! {
    /// The budgets of the computations running on this thread, innermost last.
    static ACTIVE: std::cell::RefCell<Vec<Budget>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Deadline checks left before the next one reads the clock.
    static CLOCK_SKIPS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Deadline checks on one thread that read the clock: one in [`CLOCK_EVERY`]. The hot loops ask
/// once per term or coefficient, microseconds apart, where a clock read (tens of nanoseconds on
/// a virtual machine) was 3–5 % of a series; a deadline is then seen at most that many checks
/// late. Cancellation and the memory ceiling are read on every check.
const CLOCK_EVERY: u32 = 16;

/// Whether this deadline check reads the clock; the first after a budget is entered or left
/// always does.
fn clock_due() -> bool {
    CLOCK_SKIPS.with(|n| match n.get() {
        0 => {
            n.set(CLOCK_EVERY - 1);
            true
        }
        left => {
            n.set(left - 1);
            false
        }
    })
}

impl Budget {
    /// Makes this budget visible to [`interrupted`] until the guard is dropped, so loops deep
    /// inside pure operations (one series product of large symbolic coefficients) can stop early.
    pub fn enter(&self) -> ActiveBudget {
        ACTIVE.with(|a| a.borrow_mut().push(self.clone()));
        STOPPED.with(|s| s.set(false));
        CLOCK_SKIPS.with(|n| n.set(0));
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
        STOPPED.with(|s| s.set(false));
        CLOCK_SKIPS.with(|n| n.set(0));
    }
}

/// Whether an active budget is exhausted. Operations that see this stop early and return an
/// incomplete result; the caller that entered the budget checks it and reports the limit, so an
/// incomplete result is never shown.
///
/// Every active budget is looked at, not only the innermost: a computation that enters a
/// budget of its own (a numeric derivative runs the series engine under an unlimited one) must
/// still stop when the statement's runs out. Unlimited budgets cost no clock read.
pub fn interrupted() -> bool {
    first_exhausted().is_some()
}

/// Why the innermost exhausted active budget must stop, if one is: an error met after it ran
/// out (a sign test cut short) is reported as this, not as what the cut-short test suggests.
pub fn exhausted_reason() -> Option<&'static str> {
    first_exhausted()
}

/// Why the innermost exhausted active budget must stop, if one is.
fn first_exhausted() -> Option<&'static str> {
    ACTIVE.with(|a| a.borrow().iter().rev().find_map(Budget::exhausted))
}

/// Runs `f` with no budget active, and puts the active budgets back afterwards.
///
/// For bounded work whose result outlives the statement that asked for it: a catalog
/// definition is lowered once and kept for every later statement of the thread, so a statement
/// whose budget ran out (or that was cancelled) just then must not leave it half-lowered.
pub fn unbudgeted<T>(f: impl FnOnce() -> T) -> T {
    struct Restore(Vec<Budget>, bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            ACTIVE.with(|a| *a.borrow_mut() = std::mem::take(&mut self.0));
            STOPPED.with(|s| s.set(self.1));
        }
    }
    let _restore = Restore(
        ACTIVE.with(|a| std::mem::take(&mut *a.borrow_mut())),
        STOPPED.with(|s| s.replace(false)),
    );
    f()
}

thread_local! {
    /// Calls to [`tick`] since it last looked at the budget.
    static TICKS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// What [`tick`] found when it last looked.
    static STOPPED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// [`interrupted`] for loops with one cheap step per node or term (lowering, printing): it
/// reads the clock once per 1024 calls, and stays `true` once it has been `true` until the
/// budget is entered again.
pub fn tick() -> bool {
    TICKS.with(|t| {
        let n = t.get().wrapping_add(1);
        t.set(n);
        if n % 1024 == 0 {
            STOPPED.with(|s| s.set(interrupted()));
        }
    });
    STOPPED.with(|s| s.get())
}

/// Bytes the [`CountingAllocator`] holds from the system allocator: in use, or kept for reuse on
/// the working thread (at most 16 MiB, `blocks.rs`); 0 when it is not the global allocator; to
/// within [`COUNT_BATCH`] bytes per thread.
pub fn allocated_bytes() -> usize {
    // Batches not yet added may leave the shared count a little below the truth, even below 0.
    usize::try_from(ALLOCATED.load(std::sync::atomic::Ordering::Relaxed)).unwrap_or(0)
}

static ALLOCATED: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

/// Bytes a thread counts on its own before adding them to the shared count. An atomic add on
/// every allocation and free was 5 % of a series' time; a ceiling measured in mebibytes does
/// not need every byte at once.
const COUNT_BATCH: isize = 32 << 10;

thread_local! {
    /// Bytes this thread allocated (freed, if negative) and has not yet added to [`ALLOCATED`].
    static UNCOUNTED: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
    /// Bytes this thread allocated less those it freed, over its life (a block freed on
    /// another thread than made it counts there).
    static THREAD_BYTES: std::cell::Cell<isize> = const { std::cell::Cell::new(0) };
}

/// This thread (an address unique among live threads) and its [`THREAD_BYTES`].
fn this_thread_bytes() -> (usize, isize) {
    THREAD_BYTES.with(|t| (t as *const std::cell::Cell<isize> as usize, t.get()))
}

/// Counts `bytes` allocated (positive) or freed (negative) on this thread.
fn count(bytes: isize) {
    // A constant-initialised thread-local without a destructor: no allocation, usable at any
    // point of a thread's life, as an allocator must be.
    THREAD_BYTES.with(|t| t.set(t.get().saturating_add(bytes)));
    UNCOUNTED.with(|u| {
        // Saturating: an allocator must not panic, and a debug build checks overflow.
        let v = u.get().saturating_add(bytes);
        if v.unsigned_abs() >= COUNT_BATCH.unsigned_abs() {
            ALLOCATED.fetch_add(v, std::sync::atomic::Ordering::Relaxed);
            u.set(0);
        } else {
            u.set(v);
        }
    });
}

/// The size of a layout as a count; no allocation is larger than `isize::MAX` bytes.
fn signed(size: usize) -> isize {
    isize::try_from(size).unwrap_or(isize::MAX)
}

/// The system allocator, with the small blocks a working thread frees kept for its next
/// allocations (`blocks.rs`), counting the bytes it holds from the system allocator so a
/// statement's memory ceiling can be enforced. A program opts in with `#[global_allocator]`;
/// each thread adds to the shared count in batches of [`COUNT_BATCH`] bytes.
pub struct CountingAllocator;

impl CountingAllocator {
    /// Makes this thread keep the small blocks it frees for its own next allocations
    /// (`src/limits/blocks.rs`): the thread that does a program's work, which calls
    /// [`CountingAllocator::release_kept_blocks`] before it ends if the process goes on.
    pub fn keep_freed_blocks_on_this_thread() {
        blocks::keep_blocks_on_this_thread();
    }

    /// Hands the blocks this thread keeps back to the system allocator.
    pub fn release_kept_blocks() {
        count(-signed(blocks::release_kept_blocks()));
    }
}

// SAFETY: every call goes to `blocks`, whose blocks come from the system allocator and are used
// by one owner at a time; only a counter is added.
unsafe impl std::alloc::GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let (p, taken) = unsafe { blocks::alloc(layout) };
        counted(taken);
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        counted(unsafe { blocks::dealloc(ptr, layout) });
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let (p, taken) = unsafe { blocks::alloc_zeroed(layout) };
        counted(taken);
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let (p, taken) = unsafe { blocks::realloc(ptr, layout, new_size) };
        counted(taken);
        p
    }
}

/// [`count`] for a change that is not 0: a block taken off or put on a kept list changes
/// nothing the system allocator holds, and counts nothing.
#[inline]
fn counted(bytes: isize) {
    if bytes != 0 {
        count(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_adds_its_count_in_batches() {
        // Only the binary installs the counting allocator, so in this test nothing else counts.
        std::thread::spawn(|| {
            let before = ALLOCATED.load(std::sync::atomic::Ordering::Relaxed);
            let shared = || ALLOCATED.load(std::sync::atomic::Ordering::Relaxed) - before;
            count(COUNT_BATCH - 1);
            assert_eq!(shared(), 0, "less than a batch stays with the thread");
            count(1);
            assert_eq!(shared(), COUNT_BATCH, "a whole batch is added at once");
            count(-COUNT_BATCH + 5);
            count(-COUNT_BATCH);
            assert_eq!(shared(), 5 - COUNT_BATCH, "frees are counted the same way");
            count(COUNT_BATCH - 5);
        })
        .join()
        .unwrap_or_else(|_| panic!("the counting thread failed"));
        assert!(
            allocated_bytes() < usize::MAX / 2,
            "a count below 0 reads as 0"
        );
    }

    #[test]
    fn a_deadline_is_seen_at_the_first_check_and_within_a_few_after() {
        let spent = Budget {
            deadline: Some(std::time::Instant::now()),
            ..Default::default()
        };
        let _active = spent.enter();
        assert!(
            interrupted(),
            "the first check after entering reads the clock"
        );

        let soon = Budget {
            deadline: Some(std::time::Instant::now() + std::time::Duration::from_millis(20)),
            ..Default::default()
        };
        let _inner = soon.enter();
        std::thread::sleep(std::time::Duration::from_millis(30));
        // The outer budget is spent already (kept), so look at the inner one alone.
        let checks = (1..=2 * CLOCK_EVERY)
            .find(|_| soon.exhausted().is_some())
            .unwrap_or(u32::MAX);
        assert!(checks <= CLOCK_EVERY, "seen after {checks} checks");
    }

    #[test]
    fn an_inner_unlimited_budget_does_not_hide_the_statements() {
        let cancelled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let statement = Budget::new(&Limits::default(), Some(cancelled));
        let _outer = statement.enter();
        assert!(interrupted());
        let unlimited = Budget::default();
        let _inner = unlimited.enter();
        assert!(interrupted(), "the statement's budget is still active");
        assert!(unlimited.exhausted().is_none());
        assert!(unbudgeted(|| !interrupted()));
        assert!(interrupted());
    }

    #[test]
    fn a_result_is_not_complete_when_an_enclosing_budget_ran_out() {
        let cancelled = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let outer = Budget::new(&Limits::default(), Some(cancelled.clone()));
        let _outer = outer.enter();
        let inner = Budget::default();
        assert_eq!(inner.within(|| 1), Ok(1));
        let cut_short = inner.within(|| {
            cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
            2
        });
        assert_eq!(cut_short, Err("cancelled"));
        assert!(
            inner.exhausted().is_none(),
            "the inner budget itself is not spent"
        );
    }
}
