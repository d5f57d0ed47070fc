#!/usr/bin/env bash
# Line and region coverage per crate, from the whole test suite run under
# both reactor drivers (io_uring, then epoll), merged.
#
# Needs cargo-llvm-cov and llvm-tools:
#   rustup component add llvm-tools-preview && cargo install cargo-llvm-cov --locked
# Usage: scripts/coverage.sh            (prints the per-crate table)
#        scripts/coverage.sh --html     (also writes target/llvm-cov/html)
set -euo pipefail
cd "$(dirname "$0")/.."

# Absolute: trybuild resolves a relative one from the macros crate's folder.
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/target/coverage}
cargo llvm-cov clean --workspace
for driver in uring epoll; do
    echo "=== tests with PINION_DRIVER=$driver ==="
    PINION_DRIVER=$driver cargo llvm-cov nextest --workspace --no-report --no-fail-fast
done
if [[ "${1:-}" == "--html" ]]; then
    cargo llvm-cov report --html
fi
cargo llvm-cov report --json --summary-only --output-path "$CARGO_TARGET_DIR/summary.json"
python3 - <<'PY'
import json, os
data = json.load(open(os.environ["CARGO_TARGET_DIR"] + "/summary.json"))["data"][0]["files"]
root = os.getcwd() + "/"
crates = {}
for f in data:
    path = f["filename"].replace(root, "")
    # Library sources only: tests, benches and examples are not measured.
    parts = path.split("/")
    if len(parts) < 3 or parts[1] != "src":
        continue
    lines, regions = f["summary"]["lines"], f["summary"]["regions"]
    c = crates.setdefault(parts[0], [0, 0, 0, 0])
    c[0] += lines["covered"]; c[1] += lines["count"]
    c[2] += regions["covered"]; c[3] += regions["count"]
print(f"| crate | lines | line coverage | regions | region coverage |")
print(f"|---|---:|---:|---:|---:|")
for name, (lc, ln, rc, rn) in sorted(crates.items()):
    print(f"| {name} | {lc}/{ln} | {100*lc/max(ln,1):.1f}% | {rc}/{rn} | {100*rc/max(rn,1):.1f}% |")
PY
