//! Freed blocks kept by size class on the thread that freed them, for the next allocation of
//! that class: the fast path of [`super::CountingAllocator`].
//!
//! The algebra allocates and frees small blocks by the thousand (nodes of sorted maps, the limbs
//! of big integers, the terms of a scalar), in bursts longer than the C allocator's per-thread
//! cache (seven blocks per size), so most frees went to its general bins, which sort and merge
//! them: a quarter of the instructions of a short `analyze` were `malloc` and `free`. Here a
//! freed block of up to [`LARGEST`] bytes goes onto a list of its class (16-byte steps; a singly
//! linked list through the blocks themselves) and the next allocation of the class takes it
//! back, in a few instructions.
//!
//! Only a thread that asks for it keeps blocks ([`keep_blocks_on_this_thread`]: the binary's
//! working thread); on every other thread a block goes to and from the C allocator directly,
//! rounded to its class all the same, so a block can be freed on any thread. A list holds at
//! most [`CLASS_BYTES`] bytes (16 MiB over all 64 classes); past that a freed block goes back to
//! the C allocator. A kept block still counts against the memory ceiling: the counting allocator
//! counts what it holds from the C allocator, so the fast path counts nothing.
//! [`release_kept_blocks`] hands every kept block back (between the statements of an
//! interactive session).

use super::signed;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::ptr::null_mut;

/// The largest block kept, in bytes; larger ones go to the system allocator unchanged (kept
/// middle-sized blocks, up to 64 KiB, saved no more instructions and took more page faults: a
/// kept block is memory the C allocator cannot give to a block of another size).
const LARGEST: usize = 1024;
/// The alignment of every kept block (what `malloc` gives); a layout asking for more is not
/// kept.
const ALIGN: usize = 16;
/// Classes of 16-byte steps up to [`LARGEST`].
const CLASSES: usize = LARGEST / ALIGN;
/// At most this many bytes kept per class.
const CLASS_BYTES: usize = 256 << 10;

/// The class of a block of `size` bytes and `align`ment, or `None` when it is not kept: blocks
/// of class `i` have `(i + 1)·16` bytes.
fn class_of(size: usize, align: usize) -> Option<usize> {
    (align <= ALIGN && size <= LARGEST).then(|| size.max(1).div_ceil(ALIGN) - 1)
}

/// The size of the blocks of class `index`.
fn class_size(index: usize) -> usize {
    (index + 1) * ALIGN
}

/// The blocks one thread keeps: per class, the first block of its list and the list's length.
struct Kept {
    on: Cell<bool>,
    heads: [Cell<*mut u8>; CLASSES],
    lengths: [Cell<u32>; CLASSES],
}

thread_local! {
    // Constant-initialised and without a destructor: with native thread-locals (Linux, macOS,
    // Windows) a plain static of the thread, usable at any point of its life, from inside the
    // allocator, without allocating.
    static KEPT: Kept = const {
        Kept {
            on: Cell::new(false),
            heads: [const { Cell::new(null_mut()) }; CLASSES],
            lengths: [const { Cell::new(0) }; CLASSES],
        }
    };
}

/// Makes this thread keep the blocks it frees for its next allocations. The blocks a thread
/// keeps when it ends are not handed back (nor uncounted): a thread that ends before its
/// process calls [`release_kept_blocks`] first.
pub fn keep_blocks_on_this_thread() {
    KEPT.with(|k| k.on.set(true));
}

/// Hands every block this thread keeps back to the system allocator; returns their bytes.
pub fn release_kept_blocks() -> usize {
    KEPT.with(|k| {
        let mut released = 0;
        for (index, (head, length)) in k.heads.iter().zip(&k.lengths).enumerate() {
            let size = class_size(index);
            let mut p = head.replace(null_mut());
            released += size * length.replace(0) as usize;
            while !p.is_null() {
                // SAFETY: every block on a list was allocated by `System` with the class's
                // layout and holds the next block's address in its first bytes.
                unsafe {
                    let next = p.cast::<*mut u8>().read();
                    System.dealloc(p, class_layout(index));
                    p = next;
                }
            }
        }
        released
    })
}

/// Whether a list of `length` blocks of class `index` has room for one more (a product, not a
/// quotient: a division on every free cost more than the rest of the free).
fn has_room(index: usize, length: u32) -> bool {
    (length as usize + 1) * class_size(index) <= CLASS_BYTES
}

/// The layout every block of class `index` has with the system allocator.
fn class_layout(index: usize) -> Layout {
    // SAFETY: a non-zero multiple of ALIGN, a power of two, far below isize::MAX.
    unsafe { Layout::from_size_align_unchecked(class_size(index), ALIGN) }
}

/// A kept block of class `index` taken off its list, or null.
#[inline]
fn take(index: usize) -> *mut u8 {
    KEPT.with(|k| {
        let head = &k.heads[index];
        let p = head.get();
        if !p.is_null() {
            // SAFETY: a kept block holds the next one's address in its first bytes.
            head.set(unsafe { p.cast::<*mut u8>().read() });
            k.lengths[index].set(k.lengths[index].get() - 1);
        }
        p
    })
}

// Each function below returns, with its block, the bytes it took from the system allocator
// (negative: gave back): what the counting allocator counts. A kept block stays counted.

/// A block for `layout`: a kept one of its class, or a new one from the system allocator.
///
/// # Safety
/// As [`GlobalAlloc::alloc`].
#[inline]
pub unsafe fn alloc(layout: Layout) -> (*mut u8, isize) {
    // SAFETY: forwarded with the caller's guarantees.
    unsafe { block(layout, false) }
}

/// [`alloc`], zeroed.
///
/// # Safety
/// As [`GlobalAlloc::alloc_zeroed`].
#[inline]
pub unsafe fn alloc_zeroed(layout: Layout) -> (*mut u8, isize) {
    // SAFETY: forwarded with the caller's guarantees.
    unsafe { block(layout, true) }
}

/// [`alloc`] or [`alloc_zeroed`].
///
/// # Safety
/// As [`GlobalAlloc::alloc`].
#[inline]
unsafe fn block(layout: Layout, zeroed: bool) -> (*mut u8, isize) {
    let system = |l: Layout| {
        // SAFETY: `l` is the caller's layout or a class's, never of size 0.
        unsafe {
            if zeroed {
                System.alloc_zeroed(l)
            } else {
                System.alloc(l)
            }
        }
    };
    let Some(index) = class_of(layout.size(), layout.align()) else {
        return taken(system(layout), layout.size());
    };
    let kept = take(index);
    if !kept.is_null() {
        if zeroed {
            // SAFETY: the block has the class's size, at least the layout's.
            unsafe { kept.write_bytes(0, layout.size()) };
        }
        return (kept, 0);
    }
    // The class's size is at least the layout's; ALIGN ≥ its alignment.
    taken(system(class_layout(index)), class_size(index))
}

/// A block from the system allocator with the bytes it took: none when it failed (a refused
/// `try_reserve` of 2⁶⁰ bytes must not stay counted).
fn taken(p: *mut u8, size: usize) -> (*mut u8, isize) {
    (p, if p.is_null() { 0 } else { signed(size) })
}

/// Frees a block of `layout`: kept for the next allocation of its class when this thread keeps
/// blocks and its list has room, else handed to the system allocator.
///
/// # Safety
/// As [`GlobalAlloc::dealloc`]: `p` came from [`alloc`], [`alloc_zeroed`] or [`realloc`] with
/// this layout.
#[inline]
pub unsafe fn dealloc(p: *mut u8, layout: Layout) -> isize {
    let Some(index) = class_of(layout.size(), layout.align()) else {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(p, layout) };
        return -signed(layout.size());
    };
    let kept = KEPT.with(|k| {
        let length = &k.lengths[index];
        if !k.on.get() || !has_room(index, length.get()) {
            return false;
        }
        let head = &k.heads[index];
        // SAFETY: the block is at least 16 bytes, 16-aligned, and no longer in use.
        unsafe { p.cast::<*mut u8>().write(head.get()) };
        head.set(p);
        length.set(length.get() + 1);
        true
    });
    if kept {
        return 0;
    }
    // SAFETY: the block was allocated with its class's layout.
    unsafe { System.dealloc(p, class_layout(index)) };
    -signed(class_size(index))
}

/// Resizes a block: in place within its class, by the system allocator between blocks too
/// large to keep, else by a new block and a copy.
///
/// # Safety
/// As [`GlobalAlloc::realloc`].
pub unsafe fn realloc(p: *mut u8, layout: Layout, new_size: usize) -> (*mut u8, isize) {
    let old = class_of(layout.size(), layout.align());
    let new = class_of(new_size, layout.align());
    match (old, new) {
        (Some(a), Some(b)) if a == b => (p, 0),
        (None, None) => {
            // SAFETY: forwarded with the caller's guarantees (a block of this exact layout).
            let q = unsafe { System.realloc(p, layout, new_size) };
            let taken = if q.is_null() {
                0
            } else {
                signed(new_size) - signed(layout.size())
            };
            (q, taken)
        }
        _ => {
            // SAFETY: the caller guarantees new_size > 0 and a valid layout with the alignment.
            let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            // SAFETY: as in `alloc`; the copy stays within both blocks; `p` is freed once.
            unsafe {
                let (q, taken) = alloc(new_layout);
                if q.is_null() {
                    return (q, 0);
                }
                std::ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                (q, taken + dealloc(p, layout))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_size_falls_in_the_least_class_that_holds_it() {
        for size in 1..=LARGEST {
            let index = class_of(size, 8).unwrap_or_else(|| panic!("{size} has a class"));
            assert!(index < CLASSES);
            assert!(
                class_size(index) >= size && class_size(index) < size + ALIGN,
                "{size}"
            );
        }
        assert_eq!(class_of(LARGEST + 1, 8), None);
        assert_eq!(class_of(64, 32), None, "over-aligned layouts are not kept");
    }

    #[test]
    fn blocks_are_kept_reused_resized_and_released() {
        std::thread::spawn(|| {
            keep_blocks_on_this_thread();
            // Bytes taken from the system allocator and not given back.
            let mut held = 0isize;
            // SAFETY: each block is used within its layout and freed once with it.
            unsafe {
                let layout = Layout::from_size_align(40, 8).unwrap_or_else(|_| panic!("layout"));
                let (a, taken) = alloc(layout);
                assert_eq!(taken, 48, "a new block of the class of 40 bytes");
                held += taken;
                a.write_bytes(7, 40);
                assert_eq!(dealloc(a, layout), 0, "kept, still held");
                let (b, taken) = alloc_zeroed(layout);
                assert_eq!(
                    (b, taken),
                    (a, 0),
                    "the kept block is the next one of its class"
                );
                assert!((0..40).all(|i| *b.add(i) == 0), "zeroed when reused");
                let (c, taken) = realloc(b, layout, 48);
                assert_eq!((c, taken), (b, 0), "48 bytes are in the same class as 40");
                c.write_bytes(3, 48);
                let big = Layout::from_size_align(48, 8).unwrap_or_else(|_| panic!("layout"));
                let (d, taken) = realloc(c, big, 5000);
                assert_eq!(
                    taken, 5000,
                    "a block too large to keep; the old one is kept"
                );
                held += taken;
                assert!((0..48).all(|i| *d.add(i) == 3), "the contents move with it");
                let (e, taken) = realloc(d, Layout::from_size_align_unchecked(5000, 8), 100_000);
                held += taken;
                assert!((0..48).all(|i| *e.add(i) == 3), "and on");
                held += dealloc(e, Layout::from_size_align_unchecked(100_000, 8));
                assert_eq!(held, 48, "only the kept block is held");
                assert_eq!(
                    KEPT.with(|k| k.lengths.iter().map(Cell::get).sum::<u32>()),
                    1
                );
                held -= release_kept_blocks() as isize;
                assert_eq!(held, 0, "every byte taken is given back");
                assert_eq!(
                    KEPT.with(|k| k.lengths.iter().map(Cell::get).sum::<u32>()),
                    0
                );
            }
        })
        .join()
        .unwrap_or_else(|_| panic!("the thread failed"));
    }

    #[test]
    fn a_list_holds_at_most_its_share() {
        std::thread::spawn(|| {
            keep_blocks_on_this_thread();
            let layout = Layout::from_size_align(LARGEST, 8).unwrap_or_else(|_| panic!("layout"));
            let share = (CLASS_BYTES / LARGEST) as u32;
            // SAFETY: blocks allocated and freed with one layout.
            let blocks: Vec<*mut u8> = (0..share + 10)
                .map(|_| unsafe { alloc(layout).0 })
                .collect();
            // SAFETY: as above.
            let given_back: isize = blocks.iter().map(|b| unsafe { dealloc(*b, layout) }).sum();
            assert_eq!(
                given_back,
                -10 * LARGEST as isize,
                "past its share, a block goes back"
            );
            let index = class_of(LARGEST, 8).unwrap_or(0);
            assert_eq!(KEPT.with(|k| k.lengths[index].get()), share);
            assert_eq!(release_kept_blocks(), CLASS_BYTES);
        })
        .join()
        .unwrap_or_else(|_| panic!("the thread failed"));
    }

    #[test]
    fn a_refused_allocation_counts_nothing() {
        let huge = Layout::from_size_align(isize::MAX as usize - 4096, 8)
            .unwrap_or_else(|_| panic!("layout"));
        // SAFETY: a layout of non-zero size; the system allocator refuses it (null).
        let (p, taken) = unsafe { alloc(huge) };
        assert!(p.is_null() && taken == 0, "{p:?} {taken}");
        // SAFETY: as above.
        let (p, taken) = unsafe { alloc_zeroed(huge) };
        assert!(p.is_null() && taken == 0, "{p:?} {taken}");
    }

    #[test]
    fn a_thread_that_does_not_keep_blocks_frees_them() {
        std::thread::spawn(|| {
            let layout = Layout::from_size_align(24, 8).unwrap_or_else(|_| panic!("layout"));
            // SAFETY: one block, freed once with its layout.
            let (taken, given_back) = unsafe {
                let (p, taken) = alloc(layout);
                (taken, dealloc(p, layout))
            };
            assert_eq!(
                (taken, given_back),
                (32, -32),
                "taken and given back at its class's size"
            );
            assert_eq!(
                KEPT.with(|k| k.lengths.iter().map(Cell::get).sum::<u32>()),
                0
            );
        })
        .join()
        .unwrap_or_else(|_| panic!("the thread failed"));
    }
}
