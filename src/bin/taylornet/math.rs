//! The C math functions the binary's dependencies call (plotters' `log`, `pow`, `hypotf`, and
//! any `f64::sin` and kin left in the code), defined here from the pure-Rust `libm` crate that
//! the library calls directly, so the process never loads the system's `libm.so`: one shared
//! library fewer to map and relocate at every start, about 0.05 ms of a 1.5 ms command
//! (docs/performance.md, round twenty-two), and the same values whatever the system's C
//! library.
//!
//! A definition in the executable takes the place of the library's for every call the binary
//! makes; the list is every math symbol the binary imported (`nm -D --undefined-only`). A
//! function missing here is taken from `libm.so` again, which costs only the time.

macro_rules! c_math {
    ($($name:ident($($arg:ident),+) -> $t:ty;)+) => {
        $(
            #[unsafe(no_mangle)]
            pub extern "C" fn $name($($arg: $t),+) -> $t {
                libm::$name($($arg),+)
            }
        )+
    };
}

c_math! {
    atan(x) -> f64;
    cos(x) -> f64;
    cosh(x) -> f64;
    exp(x) -> f64;
    exp2(x) -> f64;
    log(x) -> f64;
    log10(x) -> f64;
    log2(x) -> f64;
    pow(x, y) -> f64;
    sin(x) -> f64;
    sinh(x) -> f64;
    tan(x) -> f64;
    tanh(x) -> f64;
    hypotf(x, y) -> f32;
}
