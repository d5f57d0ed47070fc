//! Opening a partition: replay every segment in order into the index.
//!
//! A record that fails to decode in a sealed segment, or followed by a
//! valid later record in the last segment, is corruption: the open fails
//! with its offset. A bad record with nothing valid after it in the last
//! segment is the torn tail of a write that never completed (and so was
//! never acknowledged as durable): the file is cut there.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::KvError;
use super::index::Index;
use super::record::{self, DecodeError, HEADER};
use super::state::Loc;
use crate::file::{FileIo, OpenOptions, Storage};

/// What recovery did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Segment files replayed.
    pub segments: usize,
    /// Records replayed.
    pub records: u64,
    /// A torn tail that was cut: the segment, the offset it was cut at,
    /// and the bytes removed.
    pub truncated: Option<(PathBuf, u64, u64)>,
}

/// The replayed state of a partition.
pub(crate) struct Recovered<F> {
    pub(crate) index: Index,
    pub(crate) segments: BTreeMap<u64, F>,
    pub(crate) sealed: BTreeMap<u64, u64>,
    pub(crate) active: u64,
    pub(crate) active_len: u64,
    pub(crate) last_seq: u64,
    pub(crate) report: RecoveryReport,
}

/// The file name of segment `id`.
pub(crate) fn segment_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:020}.log"))
}

/// The id of a segment file, or `None` for other files.
fn segment_id(path: &Path) -> Option<u64> {
    let name = path.file_name()?.to_str()?;
    name.strip_suffix(".log")?.parse().ok()
}

/// Replays the partition in `dir`, creating it when empty.
pub(crate) async fn recover<S: Storage>(
    storage: &S,
    dir: &Path,
) -> Result<Recovered<S::File>, KvError> {
    storage.create_dir_all(dir).await?;
    let mut ids: Vec<u64> = storage
        .list(dir)
        .await?
        .iter()
        .filter_map(|p| segment_id(p))
        .collect();
    ids.sort_unstable();
    let mut out = Recovered {
        index: Index::default(),
        segments: BTreeMap::new(),
        sealed: BTreeMap::new(),
        active: 1,
        active_len: 0,
        last_seq: 0,
        report: RecoveryReport::default(),
    };
    if ids.is_empty() {
        let file = storage
            .open(&segment_path(dir, 1), &OpenOptions::new().create(true))
            .await?;
        storage.sync_dir(dir).await?;
        out.segments.insert(1, file);
        return Ok(out);
    }
    let last = *ids.last().expect("not empty");
    for id in ids {
        let path = segment_path(dir, id);
        let file = storage.open(&path, &OpenOptions::new()).await?;
        let size = file.size().await?;
        let bytes = file.read_exact_at(size as usize, 0).await?;
        let end = replay(&bytes, id, &path, id == last, &mut out)?;
        if end < size {
            file.set_len(end).await?;
            file.sync_all().await?;
            out.report.truncated = Some((path.clone(), end, size - end));
        }
        out.report.segments += 1;
        if id != last {
            out.sealed.insert(id, end);
        }
        out.active = id;
        out.active_len = end;
        out.segments.insert(id, file);
    }
    Ok(out)
}

/// Replays one segment's `bytes`; returns where its valid records end.
fn replay<F>(
    bytes: &[u8],
    id: u64,
    path: &Path,
    is_last: bool,
    out: &mut Recovered<F>,
) -> Result<u64, KvError> {
    let mut at = 0usize;
    while at < bytes.len() {
        let rest = &bytes[at..];
        let failure = match record::decode(rest) {
            Ok(d) if out.last_seq == 0 || d.seq == out.last_seq + 1 => {
                for op in &d.ops {
                    let key = rest[op.key.clone()].to_vec();
                    match &op.value {
                        Some(v) => {
                            let loc = Loc {
                                segment: id,
                                offset: (at + v.start) as u64,
                                len: v.len() as u32,
                            };
                            out.index.insert(key, loc);
                        }
                        None => {
                            out.index.remove(&key);
                        }
                    }
                }
                out.last_seq = d.seq;
                out.report.records += 1;
                at += d.len;
                continue;
            }
            Ok(_) => "sequence number out of order",
            Err(DecodeError::Truncated) => "record runs past the end of the segment",
            Err(DecodeError::BadLength) => "impossible record length",
            Err(DecodeError::Checksum) => "checksum mismatch",
            Err(DecodeError::Malformed) => "malformed record body",
        };
        if !is_last || valid_record_after(bytes, at, out.last_seq) {
            return Err(KvError::Corrupt {
                segment: path.to_path_buf(),
                offset: at as u64,
                reason: failure,
            });
        }
        return Ok(at as u64);
    }
    Ok(at as u64)
}

/// `true` when a valid record with a later sequence number starts anywhere
/// after `from`: then the bad record at `from` is not a torn tail.
fn valid_record_after(bytes: &[u8], from: usize, last_seq: u64) -> bool {
    (from + 1..bytes.len().saturating_sub(HEADER - 1)).any(|at| {
        let rest = &bytes[at..];
        matches!(record::peek(rest), Ok((seq, body))
            if seq > last_seq && HEADER + body <= rest.len() && record::decode(rest).is_ok())
    })
}
