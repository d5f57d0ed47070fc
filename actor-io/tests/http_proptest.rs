//! Property tests: decoding does not depend on how the input is split.

use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::{ChunkedDecoder, HttpError, Incoming, Limits, RequestDecoder};
use proptest::prelude::*;

/// Decodes `raw` delivered in pieces cut at `cuts`; returns the items and
/// the first error.
fn decode_split(raw: &[u8], cuts: &[usize]) -> (Vec<Incoming>, Option<HttpError>) {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (raw.len() + 1)).collect();
    points.push(0);
    points.push(raw.len());
    points.sort_unstable();
    let mut buf = ReadBuf::new();
    let mut dec = RequestDecoder::default();
    let mut items = Vec::new();
    for w in points.windows(2) {
        buf.extend_from_slice(&raw[w[0]..w[1]]);
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

fn chunked_encode(body: &[u8], sizes: &[usize], ext: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = body;
    let mut k = 0;
    while !rest.is_empty() {
        let n = sizes.get(k).copied().unwrap_or(7).clamp(1, rest.len());
        k += 1;
        let (chunk, tail) = rest.split_at(n);
        out.extend_from_slice(format!("{n:x}").as_bytes());
        if ext {
            out.extend_from_slice(b";a=b");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
        rest = tail;
    }
    out.extend_from_slice(b"0\r\nT: x\r\n\r\n");
    out
}

fn request_strategy() -> impl Strategy<Value = Vec<u8>> {
    let one = (
        0..3u8,
        "[a-z]{1,8}",
        proptest::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(kind, path, body)| {
            let mut r = Vec::new();
            match kind {
                0 => r.extend_from_slice(
                    format!("GET /{path} HTTP/1.1\r\nHost: h\r\n\r\n").as_bytes(),
                ),
                1 => {
                    r.extend_from_slice(
                        format!(
                            "POST /{path} HTTP/1.1\r\nHost: h\r\nContent-Length: {}\r\n\r\n",
                            body.len()
                        )
                        .as_bytes(),
                    );
                    r.extend_from_slice(&body);
                }
                _ => {
                    r.extend_from_slice(
                        format!(
                            "POST /{path} HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                        )
                        .as_bytes(),
                    );
                    r.extend_from_slice(&chunked_encode(&body, &[3, 5], true));
                }
            }
            r
        });
    proptest::collection::vec(one, 1..6).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn chunked_decoding_is_split_independent(
        body in proptest::collection::vec(any::<u8>(), 0..300),
        sizes in proptest::collection::vec(1usize..50, 0..10),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
        ext in any::<bool>(),
    ) {
        let raw = chunked_encode(&body, &sizes, ext);
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (raw.len() + 1)).collect();
        points.push(raw.len());
        points.sort_unstable();
        let mut dec = ChunkedDecoder::new(&Limits::default());
        let mut out = Vec::new();
        let mut pending: Vec<u8> = Vec::new();
        let mut prev = 0;
        let mut done = false;
        for p in points {
            pending.extend_from_slice(&raw[prev..p]);
            prev = p;
            let (used, d) = dec.decode(&pending, &mut out).unwrap();
            pending.drain(..used);
            done = d;
        }
        prop_assert!(done);
        prop_assert!(pending.is_empty());
        prop_assert_eq!(out, body);
    }

    #[test]
    fn request_decoding_is_split_independent(
        raw in request_strategy(),
        cuts in proptest::collection::vec(any::<usize>(), 0..10),
    ) {
        let whole = decode_split(&raw, &[]);
        prop_assert!(whole.1.is_none(), "{:?}", whole.1);
        prop_assert_eq!(decode_split(&raw, &cuts), whole);
    }

    #[test]
    fn garbage_never_panics_and_splits_agree_on_errors(
        raw in proptest::collection::vec(any::<u8>(), 0..200),
        cuts in proptest::collection::vec(any::<usize>(), 0..6),
    ) {
        let whole = decode_split(&raw, &[]);
        let split = decode_split(&raw, &cuts);
        prop_assert_eq!(whole.0.len(), split.0.len());
    }
}

#[test]
fn small_pipeline_split_at_every_position() {
    let raw: &[u8] = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n\
        POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc\
        POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2;x\r\nde\r\n0\r\nT: 1\r\n\r\n\
        GET /d HTTP/1.0\r\n\r\n";
    let whole = decode_split(raw, &[]);
    assert_eq!(whole.0.len(), 4);
    for i in 0..=raw.len() {
        for j in i..=raw.len() {
            assert_eq!(decode_split(raw, &[i, j]), whole, "cut at {i}, {j}");
        }
    }
}
