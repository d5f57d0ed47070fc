#!/usr/bin/env bash
# Runs the workspace's tests once in a build with `panic = "abort"` (nightly:
# the test harness needs `-Zpanic-abort-tests`), under both reactor drivers.
#
# Without unwinding, a panic ends the whole process (see
# actor-core/src/semantics.md, "Failure"): tests that make an actor, hook or
# factory panic on purpose cannot pass there and are left out by the filter
# below (every test whose name or binary says it panics, crashes or fails on
# purpose). Everything else must pass unchanged: nothing in the runtime may
# rely on unwinding for its normal paths.
set -euo pipefail
cd "$(dirname "$0")/.."

# Tests that panic on purpose (an actor, hook or factory panics, or a
# supervised child crashes), by binary and by name; the macros' compile
# diagnostics (trybuild), which are about the compiler, not unwinding; and
# actor-storage's kill -9 test (kv_crash), which runs its own binary as the
# child it kills: with -Zpanic-abort-tests the harness runs each test in a
# process of its own, so the kill leaves the writer running and the parent
# waits on its output for ever.
PANICKING='binary(/^(strategies|crash_storm|soak|chaos|chaos_regressions|intensity|backoff|start_failures|drained_exits|lifecycle|links|soundness_links|soundness_delivery|supervision|dynamic|child_options|sharded_group|small_mailboxes|smoke|compiletest|kv_crash)$/)'
PANICKING="$PANICKING or test(/panic|crash|fail|flaky|abort|kill_during|counters_are_exact|stubborn/)"

# The runtime's crates (core, macros, supervisor, io, storage) are what must
# not rely on unwinding; actor-gpu and the examples (which use it) are left
# out here only to keep CI from building wgpu a second time (they run in the
# ordinary suite).
for driver in uring epoll; do
    echo "=== panic = abort, PINION_DRIVER=$driver ==="
    PINION_DRIVER=$driver RUSTFLAGS="-Cpanic=abort -Zpanic-abort-tests" \
        cargo +nightly nextest run --no-fail-fast --workspace \
        --exclude actor-gpu --exclude examples \
        --target "$(rustc -vV | sed -n 's/^host: //p')" --target-dir target/panic-abort \
        -E "not ($PANICKING)"
done
