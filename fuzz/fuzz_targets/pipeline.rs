#![no_main]
//! Arbitrary bytes through parse → lower → analyse → derive → every printer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| taylornet::fuzz::pipeline(data));
