#!/usr/bin/env bash
# Runs every test of the workspace under both reactor drivers: io_uring and
# epoll (PINION_DRIVER, read by the tests' runtimes through
# Runtime::builder() / Builder::from_env(); actor-core's `start` and
# actor-io's `tcp` tests assert that the shards run the driver asked for);
# then the networking tests once more on io_uring with every optional opcode
# denied, so the per-operation fallback runs (PINION_URING_DENY_OPS is read by
# actor-io's test helpers only, which set the builder's test switch). Uses
# cargo-nextest when present, cargo test otherwise.
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
