#!/usr/bin/env bash
# actor-gpu on a machine with a real GPU: lists the adapters, builds once in
# release, then runs the crate's tests (on the adapter the default order
# picks: discrete > integrated > software), the gpu_compute and
# hybrid_pipeline examples, the round-trip benchmark next to raw wgpu and
# the placement benchmark (automatic placement next to all-CPU and
# all-GPU). Its whole output is meant for a closing note.
#
# The machine needs the Vulkan loader (libvulkan1) and its GPU's Vulkan
# driver; an offline machine needs the crates fetched beforehand
# (`cargo fetch`, with CARGO_HOME carried along).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

echo "=== machine ==="
if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv || true
fi
echo "Vulkan drivers: $(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | tr '\n' ' ')"

echo "=== build (release, once) ==="
cargo build --release -p actor-gpu --all-targets
cargo build --release -p examples --example gpu_compute --example hybrid_pipeline

echo "=== tests ==="
for driver in uring epoll; do
    echo "--- PINION_DRIVER=$driver"
    PINION_DRIVER=$driver cargo test --release -p actor-gpu -- --nocapture 2>&1 |
        grep -E "Vulkan adapter|no Vulkan|shard answered|test result|FAILED" | sort | uniq -c
done

echo "=== gpu_compute example ==="
cargo run --release -q -p examples --example gpu_compute

echo "=== hybrid_pipeline example ==="
cargo run --release -q -p examples --example hybrid_pipeline

echo "=== benchmark: round trip and batching, next to raw wgpu ==="
cargo bench -p actor-gpu --bench round_trip -- --warm-up-time 1 --measurement-time 3 2>&1 |
    grep -E "^gpu|time:|submits"

echo "=== benchmark: automatic placement next to all-CPU and all-GPU ==="
cargo bench -p actor-gpu --bench placement
