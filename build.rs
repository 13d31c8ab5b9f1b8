//! Lays out the `taylornet` binary for a fast start: the functions a short command runs
//! (`src/bin/taylornet/startup.order`, written by `benches/startup/order.sh`) are placed
//! together at the start of its code, so a command touches a few contiguous pages of code
//! instead of pages spread over the whole binary (docs/performance.md, round ten).
//!
//! Only where the linker is known to read such a list: on x86_64 Linux from Rust 1.90, which
//! links with its own LLD by default, and only when the build does not choose another linker.
//! Anywhere else nothing is passed and the binary is the same program, laid out by default.
//! The list changes no behaviour, only where code sits; names the binary lacks are ignored.

use std::path::Path;
use std::process::Command;

const ORDER: &str = "src/bin/taylornet/startup.order";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={ORDER}");
    println!("cargo:rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");
    println!("cargo:rerun-if-env-changed=CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER");
    if links_with_rust_lld() && Path::new(ORDER).exists() {
        let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
        let order = Path::new(&manifest).join(ORDER);
        println!(
            "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
            order.display()
        );
        // A name the binary no longer defines (a function renamed since the list was written)
        // is not worth a warning on every build.
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
}

/// Whether this build links with the LLD that Rust ships: the default on
/// x86_64-unknown-linux-gnu from Rust 1.90, unless a linker or linker flavour is chosen.
fn links_with_rust_lld() -> bool {
    let var = |name: &str| std::env::var(name).unwrap_or_default();
    if var("TARGET") != "x86_64-unknown-linux-gnu"
        || !var("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER").is_empty()
        || var("CARGO_ENCODED_RUSTFLAGS").contains("link")
    {
        return false;
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let Ok(out) = Command::new(rustc).arg("-vV").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let minor = text
        .lines()
        .find_map(|l| l.strip_prefix("release: 1."))
        .and_then(|rest| rest.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    minor.is_some_and(|m| m >= 90)
}
