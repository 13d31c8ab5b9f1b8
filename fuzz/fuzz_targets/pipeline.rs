#![no_main]
//! Arbitrary bytes through parse → lower → analyse → derive → every printer.

// The memory ceiling (`max_memory`) is enforced where the allocator counts, as in the binary.
#[global_allocator]
static ALLOCATOR: taylornet::CountingAllocator = taylornet::CountingAllocator;

libfuzzer_sys::fuzz_target!(|data: &[u8]| taylornet::fuzz::pipeline(data));
