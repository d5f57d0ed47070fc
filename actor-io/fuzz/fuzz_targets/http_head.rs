//! Request heads (and the client's response heads): arbitrary bytes never
//! panic, and whatever is decoded is consistent with the input.
#![no_main]

use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::{Incoming, Limits, RequestDecoder, ResponseDecoder};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut limits = Limits::default();
    limits.max_head_bytes = 4096;
    limits.max_headers = 16;

    let mut buf = ReadBuf::new();
    buf.extend_from_slice(data);
    let mut dec = RequestDecoder::new(limits);
    for item in dec.decode_iter(&mut buf) {
        match item {
            Ok(Incoming::Request(r)) => {
                assert!(r.headers.len() <= 16);
                assert!(!r.method.as_str().is_empty() && !r.target.is_empty());
                assert!(r.body.len() <= data.len());
            }
            Ok(Incoming::Continue) => {}
            Err(e) => {
                assert!(matches!(e.status().as_u16(), 400 | 413 | 431 | 501 | 505));
                assert!(e.must_close());
            }
        }
    }
    assert!(buf.len() <= data.len());

    let mut buf = ReadBuf::new();
    buf.extend_from_slice(data);
    let mut dec = ResponseDecoder::new(limits);
    while let Ok(Some(r)) = dec.decode(&mut buf) {
        assert!(r.body.len() <= data.len());
    }
    let _ = dec.decode_eof(&mut buf);
});
