//! Any bytes as the last segment of a key-value partition: opening it
//! (the record decoder and the recovery path) ends in a store or a typed
//! error, and a store that opened opens again to the same contents.
#![no_main]

use actor_storage::kv::{KvOptions, KvShard};
use libfuzzer_sys::fuzz_target;

/// Polls a future whose every step completes at once (no runtime: the
/// file layer runs inline).
fn poll_plain<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn contents(dir: &std::path::Path) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    poll_plain(async {
        let kv = KvShard::open(dir, KvOptions::default()).await.ok()?;
        kv.range(.., usize::MAX).await.ok()
    })
}

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(format!("{:020}.log", 1)), data).unwrap();
    if let Some(first) = contents(dir.path()) {
        assert_eq!(contents(dir.path()), Some(first));
    }
});
