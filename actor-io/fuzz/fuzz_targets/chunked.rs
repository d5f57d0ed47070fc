//! The chunked decoder on its own: arbitrary input split at an arbitrary
//! point never panics, consumed counts stay within the input, the body
//! never exceeds the input or the limit, and split decoding agrees with
//! whole decoding.
#![no_main]

use actor_io::http::{ChunkedDecoder, Limits};
use libfuzzer_sys::fuzz_target;

fn run(data: &[u8], cut: usize, limits: &Limits) -> Result<(Vec<u8>, bool, usize), ()> {
    let mut dec = ChunkedDecoder::new(limits);
    let mut out = Vec::new();
    let (first, second) = data.split_at(cut.min(data.len()));
    let (used, done) = dec.decode(first, &mut out).map_err(|_| ())?;
    assert!(used <= first.len());
    if done {
        return Ok((out, true, used));
    }
    let mut rest = first[used..].to_vec();
    rest.extend_from_slice(second);
    let (used2, done) = dec.decode(&rest, &mut out).map_err(|_| ())?;
    assert!(used2 <= rest.len());
    Ok((out, done, used + used2))
}

fuzz_target!(|input: &[u8]| {
    let Some((&cut, data)) = input.split_first() else {
        return;
    };
    let mut limits = Limits::default();
    limits.max_body_bytes = 4096;
    limits.max_chunk_line = 32;
    limits.max_head_bytes = 256;
    let whole = run(data, data.len(), &limits);
    let split = run(data, usize::from(cut), &limits);
    if let Ok((body, _, used)) = &whole {
        assert!(body.len() <= data.len() && body.len() <= 4096);
        assert!(*used <= data.len());
    }
    if let (Ok(w), Ok(s)) = (&whole, &split) {
        if w.1 && s.1 {
            assert_eq!(w, s);
        }
    }
});
