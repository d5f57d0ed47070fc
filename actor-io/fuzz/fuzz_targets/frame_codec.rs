//! The length-delimited codec: arbitrary bytes never panic, every frame
//! respects the maximum, and decoded frames re-encode to the bytes consumed.
#![no_main]

use actor_io::codec::{Decoder, Encoder, LengthDelimited, ReadBuf};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &[u8]| {
    let Some((&max, data)) = input.split_first() else {
        return;
    };
    let mut codec = LengthDelimited::new(u32::from(max) * 4);
    let mut buf = ReadBuf::new();
    let mut encoder = codec;
    let mut reencoded = Vec::new();
    for piece in data.chunks(7) {
        buf.extend_from_slice(piece);
        let mut failed = false;
        for frame in codec.decode_iter(&mut buf) {
            match frame {
                Ok(f) => {
                    assert!(f.len() <= usize::from(max) * 4);
                    encoder.encode(f.as_slice(), &mut reencoded).unwrap();
                }
                Err(_) => failed = true,
            }
        }
        if failed {
            return;
        }
    }
    assert_eq!(reencoded.len() + buf.len(), data.len());
    assert_eq!(&data[..reencoded.len()], &reencoded[..]);
    assert!(buf.capacity() <= 2 * data.len() + 64);
});
