#![no_main]
//! Arbitrary bytes through the parser.
libfuzzer_sys::fuzz_target!(|data: &[u8]| taylornet::fuzz::parse(data));
