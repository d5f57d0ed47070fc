//! Request framing including chunked bodies, fed whole and in pieces: the
//! two feeds agree, and no body exceeds the input or the limit.
#![no_main]

use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::{HttpError, Incoming, Limits, RequestDecoder};
use libfuzzer_sys::fuzz_target;

fn decode(data: &[u8], step: usize, limits: Limits) -> (Vec<Incoming>, Option<HttpError>) {
    let mut buf = ReadBuf::new();
    let mut dec = RequestDecoder::new(limits);
    let mut items = Vec::new();
    for piece in data.chunks(step.max(1)) {
        buf.extend_from_slice(piece);
        for item in dec.decode_iter(&mut buf) {
            match item {
                Ok(Incoming::Continue) => {}
                Ok(i) => items.push(i),
                Err(e) => return (items, Some(e)),
            }
        }
    }
    (items, None)
}

fuzz_target!(|input: &[u8]| {
    let Some((&step, data)) = input.split_first() else {
        return;
    };
    let mut limits = Limits::default();
    limits.max_body_bytes = 1024;
    limits.max_chunk_line = 64;
    limits.max_head_bytes = 2048;
    let whole = decode(data, data.len(), limits);
    let split = decode(data, usize::from(step % 16) + 1, limits);
    // Errors may be detected at different points, but the same requests
    // come out before them, and whole-feed success means split success.
    if whole.1.is_none() && split.1.is_none() {
        assert_eq!(whole.0, split.0);
    }
    let total: usize = whole
        .0
        .iter()
        .map(|i| match i {
            Incoming::Request(r) => {
                assert!(r.body.len() <= 1024);
                r.body.len()
            }
            Incoming::Continue => 0,
        })
        .sum();
    assert!(total <= data.len());
});
