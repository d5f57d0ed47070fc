//! The length-delimited codec: split independence and bounded memory.

use actor_io::codec::{Decoder, Encoder, FrameError, LengthDelimited, ReadBuf};
use proptest::prelude::*;

proptest! {
    #[test]
    fn frames_are_the_same_however_the_input_is_split(
        frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..20),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        let mut codec = LengthDelimited::new(64);
        let mut wire = Vec::new();
        for f in &frames {
            codec.encode(f.as_slice(), &mut wire).unwrap();
        }
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (wire.len() + 1)).collect();
        points.push(0);
        points.push(wire.len());
        points.sort_unstable();
        let mut buf = ReadBuf::new();
        let mut got = Vec::new();
        for w in points.windows(2) {
            buf.extend_from_slice(&wire[w[0]..w[1]]);
            for f in codec.decode_iter(&mut buf) {
                got.push(f.unwrap());
            }
        }
        prop_assert_eq!(got, frames);
        prop_assert!(buf.is_empty());
    }

    #[test]
    fn memory_follows_arrived_bytes_not_declared_length(
        declared in 1024u32..,
        arrived in 0usize..512,
    ) {
        let mut codec = LengthDelimited::new(u32::MAX);
        let mut buf = ReadBuf::new();
        buf.extend_from_slice(&declared.to_be_bytes());
        buf.extend_from_slice(&vec![7u8; arrived]);
        prop_assert_eq!(codec.decode(&mut buf), Ok(None));
        prop_assert!(buf.capacity() <= 2 * (arrived + 4) + 64, "capacity {}", buf.capacity());
    }
}

#[test]
fn oversized_declaration_is_refused_before_the_payload() {
    let mut codec = LengthDelimited::new(1000);
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(&1001u32.to_be_bytes());
    assert_eq!(
        codec.decode(&mut buf),
        Err(FrameError::FrameTooLarge {
            declared: 1001,
            max: 1000
        })
    );
}

#[test]
fn byte_by_byte_arrival_reserves_only_what_arrived() {
    let mut codec = LengthDelimited::new(u32::MAX);
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(&(1u32 << 30).to_be_bytes());
    for _ in 0..1000 {
        buf.extend_from_slice(&[1]);
        assert_eq!(codec.decode(&mut buf), Ok(None));
    }
    assert!(buf.capacity() < 4096, "capacity {}", buf.capacity());
}
