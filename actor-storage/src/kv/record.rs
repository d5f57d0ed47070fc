//! The log record: one atomic batch of puts and deletes.
//!
//! ```text
//! offset  size  field
//! 0       4     CRC32C of bytes 4.. (length, sequence number and body)
//! 4       4     body length in bytes (little-endian)
//! 8       8     sequence number (little-endian), one more than the last
//! 16      ..    body: op count (u32), then per op:
//!                 tag (u8: 1 put, 2 delete), key length (u32),
//!                 value length (u32, puts only), key, value
//! ```
//!
//! A record is all or nothing: a batch whose record fails its CRC is not
//! applied at all.

use std::ops::Range;

/// Bytes before the body.
pub(crate) const HEADER: usize = 16;
/// The largest body a record may have; a longer length is corruption.
pub(crate) const MAX_BODY: usize = 64 << 20;

const PUT: u8 = 1;
const DELETE: u8 = 2;

/// One change in a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// Sets `key` to `value`.
    Put {
        /// The key.
        key: Vec<u8>,
        /// The value.
        value: Vec<u8>,
    },
    /// Removes `key`.
    Delete {
        /// The key.
        key: Vec<u8>,
    },
}

impl Op {
    /// The key the op changes.
    pub fn key(&self) -> &[u8] {
        match self {
            Op::Put { key, .. } | Op::Delete { key } => key,
        }
    }
}

/// Why bytes are not a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// The bytes end before the record does.
    Truncated,
    /// The length field is impossible.
    BadLength,
    /// The CRC does not match.
    Checksum,
    /// The CRC matches but the body does not parse.
    Malformed,
}

/// A decoded op: the key, and for puts the value, as ranges of the
/// record's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OpAt {
    pub(crate) key: Range<usize>,
    pub(crate) value: Option<Range<usize>>,
}

/// A decoded record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub(crate) seq: u64,
    /// Bytes the record spans.
    pub(crate) len: usize,
    pub(crate) ops: Vec<OpAt>,
}

/// The encoded length of a record of `ops`.
pub(crate) fn encoded_len(ops: &[Op]) -> usize {
    HEADER
        + 4
        + ops
            .iter()
            .map(|op| match op {
                Op::Put { key, value } => 9 + key.len() + value.len(),
                Op::Delete { key } => 5 + key.len(),
            })
            .sum::<usize>()
}

/// Appends the record of `ops` with `seq` to `out`; returns, per op, the
/// value's range in `out` (for puts).
pub(crate) fn encode(seq: u64, ops: &[Op], out: &mut Vec<u8>) -> Vec<Option<Range<usize>>> {
    let start = out.len();
    let body_len = encoded_len(ops) - HEADER;
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(body_len as u32).to_le_bytes());
    out.extend_from_slice(&seq.to_le_bytes());
    out.extend_from_slice(&(ops.len() as u32).to_le_bytes());
    let mut values = Vec::with_capacity(ops.len());
    for op in ops {
        match op {
            Op::Put { key, value } => {
                out.push(PUT);
                out.extend_from_slice(&(key.len() as u32).to_le_bytes());
                out.extend_from_slice(&(value.len() as u32).to_le_bytes());
                out.extend_from_slice(key);
                values.push(Some(out.len()..out.len() + value.len()));
                out.extend_from_slice(value);
            }
            Op::Delete { key } => {
                out.push(DELETE);
                out.extend_from_slice(&(key.len() as u32).to_le_bytes());
                out.extend_from_slice(key);
                values.push(None);
            }
        }
    }
    let crc = crc32c::crc32c(&out[start + 4..]);
    out[start..start + 4].copy_from_slice(&crc.to_le_bytes());
    values
}

fn u32_at(b: &[u8], at: usize) -> Option<usize> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?) as usize)
}

/// Reads the sequence number and body length of the record at the start of
/// `bytes` without checking its CRC.
pub(crate) fn peek(bytes: &[u8]) -> Result<(u64, usize), DecodeError> {
    if bytes.len() < HEADER {
        return Err(DecodeError::Truncated);
    }
    let body = u32_at(bytes, 4).ok_or(DecodeError::Truncated)?;
    if !(4..=MAX_BODY).contains(&body) {
        return Err(DecodeError::BadLength);
    }
    let seq = u64::from_le_bytes(bytes[8..16].try_into().expect("8 bytes"));
    Ok((seq, body))
}

/// Decodes the record at the start of `bytes`.
pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    let (seq, body) = peek(bytes)?;
    let len = HEADER + body;
    if bytes.len() < len {
        return Err(DecodeError::Truncated);
    }
    let crc = u32::from_le_bytes(bytes[..4].try_into().expect("4 bytes"));
    if crc32c::crc32c(&bytes[4..len]) != crc {
        return Err(DecodeError::Checksum);
    }
    let rec = &bytes[..len];
    let count = u32_at(rec, HEADER).ok_or(DecodeError::Malformed)?;
    let mut at = HEADER + 4;
    let mut ops = Vec::with_capacity(count.min(body / 5));
    for _ in 0..count {
        let tag = *rec.get(at).ok_or(DecodeError::Malformed)?;
        let klen = u32_at(rec, at + 1).ok_or(DecodeError::Malformed)?;
        let (vlen, head) = match tag {
            PUT => (Some(u32_at(rec, at + 5).ok_or(DecodeError::Malformed)?), 9),
            DELETE => (None, 5),
            _ => return Err(DecodeError::Malformed),
        };
        let key = at + head..at + head + klen;
        let end = key.end + vlen.unwrap_or(0);
        if end > len {
            return Err(DecodeError::Malformed);
        }
        ops.push(OpAt {
            value: vlen.map(|_| key.end..end),
            key,
        });
        at = end;
    }
    if at != len {
        return Err(DecodeError::Malformed);
    }
    Ok(Decoded { seq, len, ops })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn op() -> impl Strategy<Value = Op> {
        let bytes = || prop::collection::vec(any::<u8>(), 0..40);
        prop_oneof![
            (bytes(), bytes()).prop_map(|(key, value)| Op::Put { key, value }),
            bytes().prop_map(|key| Op::Delete { key }),
        ]
    }

    proptest! {
        #[test]
        fn records_round_trip(seq in any::<u64>(), ops in prop::collection::vec(op(), 0..8)) {
            let mut out = vec![9u8; 3];
            let values = encode(seq, &ops, &mut out);
            prop_assert_eq!(out.len() - 3, encoded_len(&ops));
            let d = decode(&out[3..]).unwrap();
            prop_assert_eq!(d.seq, seq);
            prop_assert_eq!(d.len, out.len() - 3);
            for ((op, at), v) in ops.iter().zip(&d.ops).zip(&values) {
                let rec = &out[3..];
                prop_assert_eq!(&rec[at.key.clone()], op.key());
                match op {
                    Op::Put { value, .. } => {
                        prop_assert_eq!(&rec[at.value.clone().unwrap()], &value[..]);
                        prop_assert_eq!(&out[v.clone().unwrap()], &value[..]);
                    }
                    Op::Delete { .. } => prop_assert!(at.value.is_none()),
                }
            }
        }

        #[test]
        fn every_flipped_bit_is_caught(ops in prop::collection::vec(op(), 1..4), bit in any::<prop::sample::Index>()) {
            let mut out = Vec::new();
            encode(1, &ops, &mut out);
            let bit = bit.index(out.len() * 8);
            out[bit / 8] ^= 1 << (bit % 8);
            prop_assert!(decode(&out).is_err());
        }

        #[test]
        fn any_bytes_decode_to_a_record_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = decode(&bytes);
        }

        #[test]
        fn every_prefix_is_truncated(ops in prop::collection::vec(op(), 1..4), cut in any::<prop::sample::Index>()) {
            let mut out = Vec::new();
            encode(1, &ops, &mut out);
            let cut = cut.index(out.len());
            prop_assert_eq!(decode(&out[..cut]), Err(DecodeError::Truncated));
        }
    }
}
