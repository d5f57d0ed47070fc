#!/usr/bin/env bash
# Runs every test of the workspace under both reactor drivers: io_uring and
# epoll; then the networking tests once more on io_uring with the opcode probe
# told that every optional operation is missing, so the per-operation
# fallback runs. Uses cargo-nextest when present, cargo test otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
    if cargo nextest --version >/dev/null 2>&1; then
        cargo nextest run --no-fail-fast "$@"
    else
        cargo test --no-fail-fast "$@"
    fi
}

for driver in uring epoll; do
    echo "=== tests with PINION_DRIVER=$driver ==="
    PINION_DRIVER=$driver run --workspace
done
echo "=== networking with PINION_DRIVER=uring and every optional opcode denied (per-op fallback) ==="
PINION_DRIVER=uring PINION_URING_DENY_OPS=all run -p actor-io
echo "=== doc tests ==="
cargo test --workspace --doc
