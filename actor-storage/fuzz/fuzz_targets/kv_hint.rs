//! Any bytes as the hint file of a valid sealed segment: opening uses the
//! hint only if it is whole and fits, so the contents are always the
//! segment's own.
#![no_main]

use actor_storage::kv::{Durability, KvOptions, KvShard};
use libfuzzer_sys::fuzz_target;

fn poll_plain<F: std::future::Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let options = KvOptions {
        segment_bytes: 64,
        ..KvOptions::default()
    };
    let truth = poll_plain(async {
        let kv = KvShard::open(dir.path(), options.clone()).await.unwrap();
        for i in 0..4u8 {
            kv.put(vec![i], vec![i; 40], Durability::Durable)
                .await
                .unwrap();
        }
        kv.delete(vec![1], Durability::Durable).await.unwrap();
        kv.range(.., usize::MAX).await.unwrap()
    });
    std::fs::write(dir.path().join(format!("{:020}.hint", 1)), data).unwrap();
    let found = poll_plain(async {
        let kv = KvShard::open(dir.path(), options).await.unwrap();
        kv.range(.., usize::MAX).await.unwrap()
    });
    // A forged hint with a valid CRC could only come from a writer; any
    // other bytes must be ignored.
    let forged = data.len() >= 4 && crc32c::crc32c(&data[4..]).to_le_bytes() == data[..4];
    if !forged {
        assert_eq!(found, truth);
    }
});
