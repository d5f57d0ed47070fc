//! Opening a partition: replay every segment in order into the index.
//!
//! A record that fails to decode in a sealed segment, or followed by a
//! valid later record in the last segment, is corruption: the open fails
//! with its offset. A bad record with nothing valid after it in the last
//! segment is the torn tail of a write that never completed (and so was
//! never acknowledged as durable): the file is cut there.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::KvError;
use super::hint::{self, hint_id, hint_path};
use super::index::Index;
use super::record::{self, DecodeError, HEADER};
use super::state::Loc;
use crate::file::{FileIo, OpenOptions, Storage};

/// What recovery did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecoveryReport {
    /// Segment files replayed.
    pub segments: usize,
    /// Records replayed (from segments or their hints).
    pub records: u64,
    /// Sealed segments loaded from their hint files instead of read whole.
    pub hinted: usize,
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
    /// Sealed segments whose hint file is valid.
    pub(crate) hinted: BTreeSet<u64>,
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
    let listing = storage.list(dir).await?;
    let mut ids: Vec<u64> = listing.iter().filter_map(|p| segment_id(p)).collect();
    let hints: BTreeSet<u64> = listing.iter().filter_map(|p| hint_id(p)).collect();
    ids.sort_unstable();
    let mut out = Recovered {
        index: Index::default(),
        segments: BTreeMap::new(),
        sealed: BTreeMap::new(),
        active: 1,
        active_len: 0,
        last_seq: 0,
        hinted: BTreeSet::new(),
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
    drop_empty_tail(storage, dir, &mut ids).await?;
    let last = *ids.last().expect("not empty");
    for id in ids {
        let path = segment_path(dir, id);
        let file = storage.open(&path, &OpenOptions::new()).await?;
        let size = file.size().await?;
        if id != last && hints.contains(&id) && apply_hint(storage, dir, id, size, &mut out).await {
            out.hinted.insert(id);
            out.report.segments += 1;
            out.report.hinted += 1;
            out.sealed.insert(id, size);
            out.segments.insert(id, file);
            continue;
        }
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

/// Removes empty segment files at the end (but the first): a roll makes
/// the next segment before switching appends to it, so a crash in between
/// leaves it empty, and the segment before it, which may end in a torn
/// write, is still the log's tail.
async fn drop_empty_tail<S: Storage>(
    storage: &S,
    dir: &Path,
    ids: &mut Vec<u64>,
) -> Result<(), KvError> {
    let mut removed = false;
    while ids.len() > 1 {
        let id = *ids.last().expect("not empty");
        let path = segment_path(dir, id);
        let size = storage
            .open(&path, &OpenOptions::new())
            .await?
            .size()
            .await?;
        if size > 0 {
            break;
        }
        storage.remove(&path).await?;
        ids.pop();
        removed = true;
    }
    if removed {
        storage.sync_dir(dir).await?;
    }
    Ok(())
}

/// Applies segment `id`'s hint file when it is whole and fits: `false`
/// (and nothing applied) otherwise, so the segment is replayed instead.
async fn apply_hint<S: Storage>(
    storage: &S,
    dir: &Path,
    id: u64,
    size: u64,
    out: &mut Recovered<S::File>,
) -> bool {
    let Ok(file) = storage
        .open(&hint_path(dir, id), &OpenOptions::new().read_only(true))
        .await
    else {
        return false;
    };
    let Ok(len) = file.size().await else {
        return false;
    };
    let Ok(bytes) = file.read_exact_at(len as usize, 0).await else {
        return false;
    };
    let Some(h) = hint::decode(&bytes) else {
        return false;
    };
    let continues = out.last_seq == 0 || h.first_seq == out.last_seq + 1;
    if h.segment_len != size || !continues || h.last_seq < h.first_seq {
        return false;
    }
    for e in h.entries {
        let _old = match e.value {
            Some(v) => out.index.insert(
                e.key,
                Loc {
                    segment: id,
                    record: v.record,
                    record_len: v.record_len,
                    value_at: v.value_at,
                    len: v.len,
                },
            ),
            None => out.index.remove(&e.key),
        };
    }
    out.report.records += h.last_seq - h.first_seq + 1;
    out.last_seq = h.last_seq;
    true
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
                                record: at as u64,
                                record_len: d.len as u32,
                                value_at: v.start as u32,
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
