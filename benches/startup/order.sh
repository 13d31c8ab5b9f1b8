#!/usr/bin/env bash
# Regenerates src/bin/taylornet/startup.order: the functions a short command runs, which the
# linker places together at the start of the binary's code (build.rs passes the file to lld as
# `--symbol-ordering-file`). A short command then touches a few contiguous pages of code instead
# of pages spread over the whole 7 MB, and takes fewer page faults (docs/performance.md, round ten).
#
#     cargo build --release && bash benches/startup/order.sh
#
# Needs valgrind. Run it on the binary `cargo build --release` makes, not on one a `cargo test`
# left in target/release: a test build resolves the dependencies with the dev-dependencies too,
# and its symbols have other names (a list read from one matched a sixth of the release binary's). The list holds symbol names as the binary has them; a name's hash is of the
# function's path, generic arguments and crate, not of its code, so the list survives edits
# elsewhere. A name the binary no longer has is skipped by the linker: a stale list only loses
# speed, never correctness.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${TAYLORNET:-target/release/taylornet}"
out="src/bin/taylornet/startup.order"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Short commands of every kind README's tour shows, each once.
commands=(
  "--version"
  "--help"
  "analyze|tanh(W2·tanh(W1·x+b1)+b2)"
  "analyze|--order|5|tanh(W2·tanh(W1·x + b1) + b2)"
  "analyze|sigmoid(W2·sigmoid(W1·x + b1) + b2)"
  "analyze|relu(W1·x + b1)"
  "analyze|leaky_relu(W1·x + b1; a = α)"
  "analyze|gelu(W2·gelu(W1·x+b1)+b2)|--format|json"
  "analyze|W1 : 2x4; W2 : 2x2; s(t) = λ·t; s(W2·s(W1·x + b1) + b2)|--format|latex"
  "derive|tanh(W2·tanh(W1·x + b1) + b2)"
  "series|gelu|--order|4"
  "series|tanh(t)|--order|5|--format|json"
  "verify|tanh(W2·tanh(W1·x + b1) + b2)"
  "run|examples/linear_collapse.tn"
)
i=0
for c in "${commands[@]}"; do
  IFS='|' read -ra args <<< "$c"
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.$i" "$bin" "${args[@]}" > /dev/null 2>&1 || true
  i=$((i + 1))
done
# The functions callgrind saw, kept when the binary defines them (not the C library's).
grep -h -E '^c?fn=\([0-9]+\) ' "$work"/cg.* | sed -E 's/^c?fn=\([0-9]+\) //' | LC_ALL=C sort -u > "$work/seen"
nm "$bin" | awk '$2 ~ /^[tT]$/ {print $3}' | LC_ALL=C sort -u > "$work/defined"
LC_ALL=C comm -12 "$work/seen" "$work/defined" > "$out"
echo "$(wc -l < "$out") functions written to $out"
