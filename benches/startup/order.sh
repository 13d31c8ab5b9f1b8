#!/usr/bin/env bash
# Regenerates src/bin/taylornet/startup.order: the functions a short command runs, which the
# linker places together at the start of the binary's code (build.rs passes the file to lld as
# `--symbol-ordering-file`). A short command then touches a few contiguous pages of code instead
# of pages spread over the whole 7 MB, and takes fewer page faults (docs/performance.md, round ten).
#
#     bash benches/startup/order.sh && cargo build --release
#
# Needs valgrind. Run it on the binary `cargo build --release` makes, not on one a `cargo test`
# left in target/release: a test build resolves the dependencies with the dev-dependencies too,
# and its symbols have other names (a list read from one matched a sixth of the release binary's).
# The script builds it first unless TAYLORNET names a binary. The list holds symbol names as the
# binary has them: a name's hash is of the function's path, generic arguments and crate, not of
# its code, but a function local to one codegen unit that another calls carries a suffix
# `.llvm.<hash of that unit's code>`, which any edit to the unit changes (about a seventh of the
# list). Regenerate after the last change to the code. A name the binary no longer has is
# skipped by the linker: a stale list only loses speed, never correctness.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${TAYLORNET:-}" ]; then
  # Built here, so that the list is read from the binary `cargo build --release` makes (see above).
  cargo build --release --quiet
fi
bin="${TAYLORNET:-target/release/taylornet}"
out="src/bin/taylornet/startup.order"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Short commands of every kind README's tour shows, each once, the lecture's network first:
# the list is written command by command, each adding the functions the ones before it did not
# run, so the functions of the command the start is measured by (docs/performance.md, target 6)
# sit together at the head of the code instead of spread over the whole list.
commands=(
  "analyze|tanh(W2·tanh(W1·x+b1)+b2)"
  "--version"
  "--help"
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
# The functions callgrind saw, kept when the binary defines them (not the C library's), in the
# order of the commands above and, within one command, in the order callgrind first names them.
nm "$bin" | awk '$2 ~ /^[tT]$/ {print $3}' | LC_ALL=C sort -u > "$work/defined"
: > "$out"
for ((j = 0; j < i; j++)); do
  grep -h -E '^c?fn=\([0-9]+\) ' "$work/cg.$j" | sed -E 's/^c?fn=\([0-9]+\) //' \
    | awk -v defined="$work/defined" -v listed="$out" '
        BEGIN { while ((getline n < defined) > 0) d[n] = 1; while ((getline n < listed) > 0) l[n] = 1 }
        (($0 in d) && !($0 in l)) { l[$0] = 1; print }' >> "$out.new" || true
  cat "$out.new" >> "$out"
  rm -f "$out.new"
done
echo "$(wc -l < "$out") functions written to $out"
