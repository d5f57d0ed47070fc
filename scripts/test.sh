#!/usr/bin/env bash
# Runs every test of the workspace under both reactor drivers: io_uring and
# epoll. Uses cargo-nextest when present, cargo test otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

run() {
    if cargo nextest --version >/dev/null 2>&1; then
        cargo nextest run --workspace --no-fail-fast "$@"
    else
        cargo test --workspace --no-fail-fast "$@"
    fi
}

for driver in uring epoll; do
    echo "=== tests with PINION_DRIVER=$driver ==="
    PINION_DRIVER=$driver run
done
echo "=== doc tests ==="
cargo test --workspace --doc
