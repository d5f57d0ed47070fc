//! Hint files: for each sealed segment, its keys and where their values
//! are, so that reopening a large store reads the hints instead of every
//! value.
//!
//! ```text
//! offset  size  field
//! 0       4     CRC32C of bytes 4..
//! 4       4     length of what follows the 32-byte header
//! 8       8     first sequence number in the segment
//! 16      8     last sequence number in the segment
//! 24      8     the segment's length in bytes
//! 32      ..    entries, in log order: tag (u8: 1 put, 2 delete),
//!               key length (u32), for puts the record's offset (u64) and
//!               length (u32) and the value's offset in the record (u32)
//!               and length (u32), then the key
//! ```
//!
//! A hint is used only when its CRC matches, it describes a segment of
//! exactly the length on disk, and its sequence numbers continue the
//! segments before it; otherwise the segment is replayed as usual.

use std::path::{Path, PathBuf};

use super::record;

const HEADER: usize = 32;
const PUT: u8 = 1;
const DELETE: u8 = 2;

/// Where a put's value is: its record and its place in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HintValue {
    pub(crate) record: u64,
    pub(crate) record_len: u32,
    pub(crate) value_at: u32,
    pub(crate) len: u32,
}

/// One change, as the index needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HintEntry {
    pub(crate) key: Vec<u8>,
    /// Where the value is, for puts.
    pub(crate) value: Option<HintValue>,
}

/// What a hint file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hint {
    pub(crate) first_seq: u64,
    pub(crate) last_seq: u64,
    pub(crate) segment_len: u64,
    pub(crate) entries: Vec<HintEntry>,
}

/// The hint file of segment `id`.
pub(crate) fn hint_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:020}.hint"))
}

/// The id of a hint file, or `None` for other files.
pub(crate) fn hint_id(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    name.strip_suffix(".hint")?.parse().ok()
}

/// The hint of a whole, valid segment; `None` when it holds no record or
/// a record does not decode.
pub(crate) fn from_segment(bytes: &[u8]) -> Option<Hint> {
    let mut at = 0;
    let mut seqs = None;
    let mut entries = Vec::new();
    while at < bytes.len() {
        let rest = &bytes[at..];
        let d = record::decode(rest).ok()?;
        for op in &d.ops {
            entries.push(HintEntry {
                key: rest[op.key.clone()].to_vec(),
                value: op.value.as_ref().map(|v| HintValue {
                    record: at as u64,
                    record_len: d.len as u32,
                    value_at: v.start as u32,
                    len: v.len() as u32,
                }),
            });
        }
        let (first, _) = seqs.unwrap_or((d.seq, d.seq));
        seqs = Some((first, d.seq));
        at += d.len;
    }
    let (first_seq, last_seq) = seqs?;
    Some(Hint {
        first_seq,
        last_seq,
        segment_len: bytes.len() as u64,
        entries,
    })
}

/// The bytes of a hint file.
pub(crate) fn encode(hint: &Hint) -> Vec<u8> {
    let mut out = vec![0; HEADER];
    for e in &hint.entries {
        match e.value {
            Some(v) => {
                out.push(PUT);
                out.extend_from_slice(&(e.key.len() as u32).to_le_bytes());
                out.extend_from_slice(&v.record.to_le_bytes());
                out.extend_from_slice(&v.record_len.to_le_bytes());
                out.extend_from_slice(&v.value_at.to_le_bytes());
                out.extend_from_slice(&v.len.to_le_bytes());
            }
            None => {
                out.push(DELETE);
                out.extend_from_slice(&(e.key.len() as u32).to_le_bytes());
            }
        }
        out.extend_from_slice(&e.key);
    }
    let body = (out.len() - HEADER) as u32;
    out[4..8].copy_from_slice(&body.to_le_bytes());
    out[8..16].copy_from_slice(&hint.first_seq.to_le_bytes());
    out[16..24].copy_from_slice(&hint.last_seq.to_le_bytes());
    out[24..32].copy_from_slice(&hint.segment_len.to_le_bytes());
    let crc = crc32c::crc32c(&out[4..]);
    out[..4].copy_from_slice(&crc.to_le_bytes());
    out
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Decodes a hint file; `None` when it is damaged in any way.
pub(crate) fn decode(bytes: &[u8]) -> Option<Hint> {
    let crc = u32_at(bytes, 0)?;
    let body = u32_at(bytes, 4)? as usize;
    if bytes.len() != HEADER + body || crc32c::crc32c(&bytes[4..]) != crc {
        return None;
    }
    let mut entries = Vec::new();
    let mut at = HEADER;
    while at < bytes.len() {
        let tag = *bytes.get(at)?;
        let klen = u32_at(bytes, at + 1)? as usize;
        let (value, head) = match tag {
            PUT => {
                let v = HintValue {
                    record: u64_at(bytes, at + 5)?,
                    record_len: u32_at(bytes, at + 13)?,
                    value_at: u32_at(bytes, at + 17)?,
                    len: u32_at(bytes, at + 21)?,
                };
                (Some(v), 25)
            }
            DELETE => (None, 5),
            _ => return None,
        };
        let key = bytes.get(at + head..at + head + klen)?.to_vec();
        entries.push(HintEntry { key, value });
        at += head + klen;
    }
    Some(Hint {
        first_seq: u64_at(bytes, 8)?,
        last_seq: u64_at(bytes, 16)?,
        segment_len: u64_at(bytes, 24)?,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::record::{Op, encode as encode_record};

    fn segment() -> Vec<u8> {
        let mut log = Vec::new();
        let put = |k: &str, v: &str| Op::Put {
            key: k.into(),
            value: v.into(),
        };
        encode_record(7, &[put("a", "1"), put("b", "22")], &mut log);
        encode_record(8, &[Op::Delete { key: b"a".to_vec() }], &mut log);
        log
    }

    #[test]
    fn a_segment_hint_round_trips_and_points_at_the_values() {
        let log = segment();
        let hint = from_segment(&log).unwrap();
        assert_eq!((hint.first_seq, hint.last_seq), (7, 8));
        assert_eq!(hint.segment_len, log.len() as u64);
        let v = hint.entries[1].value.unwrap();
        let at = (v.record + u64::from(v.value_at)) as usize;
        assert_eq!(&log[at..at + v.len as usize], b"22");
        let first = crate::kv::record::decode(&log).unwrap();
        assert_eq!((v.record, v.record_len as usize), (0, first.len));
        assert_eq!(
            hint.entries[2],
            HintEntry {
                key: b"a".to_vec(),
                value: None
            }
        );
        assert_eq!(decode(&encode(&hint)), Some(hint));
    }

    #[test]
    fn any_damage_to_a_hint_makes_it_unusable() {
        let bytes = encode(&from_segment(&segment()).unwrap());
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x01;
            assert_eq!(decode(&bad), None, "byte {i}");
        }
        assert_eq!(decode(&bytes[..bytes.len() - 1]), None);
        assert_eq!(from_segment(&segment()[..10]), None);
        assert_eq!(from_segment(&[]), None);
    }
}
