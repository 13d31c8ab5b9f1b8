//! Freed blocks kept by size class on the thread that freed them, for the next allocation of
//! that class: the fast path of [`super::CountingAllocator`].
//!
//! The algebra allocates and frees small blocks by the thousand (nodes of sorted maps, the limbs
//! of big integers, the terms of a scalar), in bursts longer than the C allocator's per-thread
//! cache (seven blocks per size), so most frees went to its general bins, which sort and merge
//! them: a quarter of the instructions of a short `analyze` were `malloc` and `free`. Here a freed block of up to [`LARGEST`] bytes goes onto a
//! list of its class (16-byte steps; a singly linked list through the blocks themselves) and the
//! next allocation of the class takes it back, in a few instructions.
//!
//! Only a thread that asks for it keeps blocks ([`keep_blocks_on_this_thread`]: the binary's
//! worker thread); on every other thread a block goes to and from the system allocator
//! directly, rounded to its class all the same, so a block can be freed on any thread. A list
//! holds at most [`CLASS_BYTES`] bytes; past that a freed block goes back to the system.
//! [`release_kept_blocks`] hands every kept block back (between the statements of an
//! interactive session).

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
    // Constant-initialised and without a destructor: usable at any point of a thread's life,
    // from inside the allocator, without allocating.
    static KEPT: Kept = const {
        Kept {
            on: Cell::new(false),
            heads: [const { Cell::new(null_mut()) }; CLASSES],
            lengths: [const { Cell::new(0) }; CLASSES],
        }
    };
}

/// Makes this thread keep the blocks it frees for its next allocations.
pub fn keep_blocks_on_this_thread() {
    KEPT.with(|k| k.on.set(true));
}

/// Hands every block this thread keeps back to the system allocator.
pub fn release_kept_blocks() {
    KEPT.with(|k| {
        for (index, (head, length)) in k.heads.iter().zip(&k.lengths).enumerate() {
            let size = class_size(index);
            let mut p = head.replace(null_mut());
            length.set(0);
            while !p.is_null() {
                // SAFETY: every block on a list was allocated by `System` with the class's
                // layout and holds the next block's address in its first bytes.
                unsafe {
                    let next = p.cast::<*mut u8>().read();
                    System.dealloc(p, Layout::from_size_align_unchecked(size, ALIGN));
                    p = next;
                }
            }
        }
    });
}

/// How many blocks of a class a list holds at most.
fn max_kept(index: usize) -> u32 {
    (CLASS_BYTES / class_size(index)) as u32
}

/// A block for `layout`: a kept one of its class, or a new one from the system allocator.
///
/// # Safety
/// As [`GlobalAlloc::alloc`].
pub unsafe fn alloc(layout: Layout) -> *mut u8 {
    let Some(index) = class_of(layout.size(), layout.align()) else {
        // SAFETY: forwarded with the caller's guarantees.
        return unsafe { System.alloc(layout) };
    };
    let kept = KEPT.with(|k| {
        let head = &k.heads[index];
        let p = head.get();
        if !p.is_null() {
            // SAFETY: a kept block holds the next one's address in its first bytes.
            head.set(unsafe { p.cast::<*mut u8>().read() });
            k.lengths[index].set(k.lengths[index].get() - 1);
        }
        p
    });
    if !kept.is_null() {
        return kept;
    }
    // SAFETY: the class's size is at least the layout's and non-zero; ALIGN ≥ its alignment.
    unsafe { System.alloc(Layout::from_size_align_unchecked(class_size(index), ALIGN)) }
}

/// [`alloc`], zeroed.
///
/// # Safety
/// As [`GlobalAlloc::alloc_zeroed`].
pub unsafe fn alloc_zeroed(layout: Layout) -> *mut u8 {
    let Some(index) = class_of(layout.size(), layout.align()) else {
        // SAFETY: forwarded with the caller's guarantees.
        return unsafe { System.alloc_zeroed(layout) };
    };
    let kept = KEPT.with(|k| {
        let head = &k.heads[index];
        let p = head.get();
        if !p.is_null() {
            // SAFETY: as in `alloc`.
            head.set(unsafe { p.cast::<*mut u8>().read() });
            k.lengths[index].set(k.lengths[index].get() - 1);
        }
        p
    });
    if !kept.is_null() {
        // SAFETY: the block has the class's size, at least the layout's.
        unsafe { kept.write_bytes(0, layout.size()) };
        return kept;
    }
    // SAFETY: as in `alloc`.
    unsafe { System.alloc_zeroed(Layout::from_size_align_unchecked(class_size(index), ALIGN)) }
}

/// Frees a block of `layout`: kept for the next allocation of its class when this thread keeps
/// blocks and its list has room, else handed to the system allocator.
///
/// # Safety
/// As [`GlobalAlloc::dealloc`]: `p` came from [`alloc`], [`alloc_zeroed`] or [`realloc`] with
/// this layout.
pub unsafe fn dealloc(p: *mut u8, layout: Layout) {
    let Some(index) = class_of(layout.size(), layout.align()) else {
        // SAFETY: forwarded with the caller's guarantees.
        return unsafe { System.dealloc(p, layout) };
    };
    let kept = KEPT.with(|k| {
        let length = &k.lengths[index];
        if !k.on.get() || length.get() >= max_kept(index) {
            return false;
        }
        let head = &k.heads[index];
        // SAFETY: the block is at least 16 bytes, 16-aligned, and no longer in use.
        unsafe { p.cast::<*mut u8>().write(head.get()) };
        head.set(p);
        length.set(length.get() + 1);
        true
    });
    if !kept {
        // SAFETY: the block was allocated with its class's layout.
        unsafe {
            System.dealloc(
                p,
                Layout::from_size_align_unchecked(class_size(index), ALIGN),
            )
        }
    }
}

/// Resizes a block: in place within its class, by the system allocator between blocks too
/// large to keep, else by a new block and a copy.
///
/// # Safety
/// As [`GlobalAlloc::realloc`].
pub unsafe fn realloc(p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
    let old = class_of(layout.size(), layout.align());
    let new = class_of(new_size, layout.align());
    match (old, new) {
        (Some(a), Some(b)) if a == b => p,
        // SAFETY: forwarded with the caller's guarantees (a block of this exact layout).
        (None, None) => unsafe { System.realloc(p, layout, new_size) },
        _ => {
            // SAFETY: the caller guarantees new_size > 0 and a valid layout with the alignment.
            let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            // SAFETY: as in `alloc`; the copy stays within both blocks; `p` is freed once.
            unsafe {
                let q = alloc(new_layout);
                if !q.is_null() {
                    std::ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                    dealloc(p, layout);
                }
                q
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
            // SAFETY: each block is used within its layout and freed once with it.
            unsafe {
                let layout = Layout::from_size_align(40, 8).unwrap_or_else(|_| panic!("layout"));
                let a = alloc(layout);
                a.write_bytes(7, 40);
                dealloc(a, layout);
                let b = alloc_zeroed(layout);
                assert_eq!(a, b, "the freed block is the next one of its class");
                assert!((0..40).all(|i| *b.add(i) == 0), "zeroed when reused");
                let c = realloc(b, layout, 48);
                assert_eq!(c, b, "48 bytes are in the same class as 40");
                c.write_bytes(3, 48);
                let big = Layout::from_size_align(48, 8).unwrap_or_else(|_| panic!("layout"));
                let d = realloc(c, big, 5000);
                assert!((0..48).all(|i| *d.add(i) == 3), "the contents move with it");
                let e = realloc(d, Layout::from_size_align_unchecked(5000, 8), 100_000);
                assert!(
                    (0..48).all(|i| *e.add(i) == 3),
                    "into a block too large to keep"
                );
                dealloc(e, Layout::from_size_align_unchecked(100_000, 8));
                assert!(KEPT.with(|k| k.lengths.iter().map(Cell::get).sum::<u32>()) > 0);
                release_kept_blocks();
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
            let blocks: Vec<*mut u8> = (0..share + 10).map(|_| unsafe { alloc(layout) }).collect();
            for b in blocks {
                // SAFETY: as above.
                unsafe { dealloc(b, layout) };
            }
            let index = class_of(LARGEST, 8).unwrap_or(0);
            assert_eq!(KEPT.with(|k| k.lengths[index].get()), share);
            release_kept_blocks();
        })
        .join()
        .unwrap_or_else(|_| panic!("the thread failed"));
    }

    #[test]
    fn a_thread_that_does_not_keep_blocks_frees_them() {
        std::thread::spawn(|| {
            let layout = Layout::from_size_align(24, 8).unwrap_or_else(|_| panic!("layout"));
            // SAFETY: one block, freed once with its layout.
            unsafe { dealloc(alloc(layout), layout) };
            assert_eq!(
                KEPT.with(|k| k.lengths.iter().map(Cell::get).sum::<u32>()),
                0
            );
        })
        .join()
        .unwrap_or_else(|_| panic!("the thread failed"));
    }
}
