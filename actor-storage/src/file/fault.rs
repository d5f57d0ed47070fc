//! A fault-injecting file layer for tests: [`FaultyDisk`] wraps a
//! [`Storage`] and fails one chosen operation as a [`FaultPlan`] says,
//! behind the same traits the stores use.
//!
//! [`FaultyDisk`] says which fault applies to which operation.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::{AlignedBuf, Disk, FileIo, OpenOptions, Storage};
use crate::error::{BufResult, FileOp, IoError};

/// Which fault a [`FaultPlan`] injects, and on which operations (see
/// [`FaultyDisk`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// EIO on any operation.
    Eio,
    /// ENOSPC on a write or allocation.
    NoSpace,
    /// A write that takes only its first half.
    ShortWrite,
    /// A partial write ending mid-sector, then a dead machine.
    TornWrite,
    /// An `fsync`/`fdatasync` that fails without syncing.
    SyncFailure,
}

impl Fault {
    /// Every fault, for loops over them.
    pub const ALL: [Fault; 5] = [
        Fault::Eio,
        Fault::NoSpace,
        Fault::ShortWrite,
        Fault::TornWrite,
        Fault::SyncFailure,
    ];
}

/// The kind of an operation, for matching faults to it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Write,
    Allocate,
    Sync,
    Other,
}

/// When and how to fail; shared by every file of a [`FaultyDisk`].
#[derive(Debug)]
pub struct FaultPlan {
    at: u64,
    fault: Option<Fault>,
    started: AtomicU64,
    fired: AtomicBool,
    dead: AtomicBool,
}

/// What the plan decided for one operation.
enum Verdict {
    Run,
    Fail(io::Error),
    Short,
    Torn,
}

impl FaultPlan {
    /// Injects `fault` at operation `at` (1-based; see the module docs).
    pub fn new(at: u64, fault: Fault) -> Arc<Self> {
        Arc::new(FaultPlan {
            at,
            fault: Some(fault),
            started: AtomicU64::new(0),
            fired: AtomicBool::new(false),
            dead: AtomicBool::new(false),
        })
    }

    /// Injects nothing and counts operations: run a workload on it to
    /// learn how many operations there are to fail.
    pub fn counting() -> Arc<Self> {
        Arc::new(FaultPlan {
            at: u64::MAX,
            fault: None,
            started: AtomicU64::new(0),
            fired: AtomicBool::new(false),
            dead: AtomicBool::new(false),
        })
    }

    /// Operations started so far.
    pub fn operations(&self) -> u64 {
        self.started.load(Ordering::SeqCst)
    }

    /// `true` once the fault fired.
    pub fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }

    fn judge(&self, kind: Kind) -> Verdict {
        let n = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        if self.dead.load(Ordering::SeqCst) {
            return Verdict::Fail(io::Error::from_raw_os_error(libc::EIO));
        }
        let Some(fault) = self.fault else {
            return Verdict::Run;
        };
        let applies = match fault {
            Fault::Eio => true,
            Fault::NoSpace => matches!(kind, Kind::Write | Kind::Allocate),
            Fault::ShortWrite | Fault::TornWrite => kind == Kind::Write,
            Fault::SyncFailure => kind == Kind::Sync,
        };
        if n < self.at || !applies || self.fired.swap(true, Ordering::SeqCst) {
            return Verdict::Run;
        }
        match fault {
            Fault::Eio | Fault::SyncFailure => {
                Verdict::Fail(io::Error::from_raw_os_error(libc::EIO))
            }
            Fault::NoSpace => Verdict::Fail(io::Error::from_raw_os_error(libc::ENOSPC)),
            Fault::ShortWrite => Verdict::Short,
            Fault::TornWrite => {
                self.dead.store(true, Ordering::SeqCst);
                Verdict::Torn
            }
        }
    }
}

/// A [`Storage`] whose operations obey a [`FaultPlan`].
///
/// Operations are numbered from 1 in the order they start, across every
/// file the disk opened. A plan "at N" fires on the first operation
/// numbered N or later that its fault applies to, once:
///
/// | fault | applies to | what happens |
/// |---|---|---|
/// | `Eio` | any operation | fails with EIO, doing nothing |
/// | `NoSpace` | writes, allocations | fails with ENOSPC, writing nothing |
/// | `ShortWrite` | writes | writes the first half and reports that count |
/// | `TornWrite` | writes | writes a prefix ending mid-sector (on a sector boundary for `O_DIRECT` files), fails with EIO, and every later operation fails with EIO (the machine died) |
/// | `SyncFailure` | `fsync`/`fdatasync` | fails with EIO without syncing; later syncs succeed (as Linux reports a writeback error once) |
#[derive(Debug, Clone)]
pub struct FaultyDisk<S = Disk> {
    inner: S,
    plan: Arc<FaultPlan>,
}

impl FaultyDisk {
    /// The real disk under `plan`.
    pub fn new(plan: Arc<FaultPlan>) -> Self {
        FaultyDisk { inner: Disk, plan }
    }
}

impl<S: Storage> FaultyDisk<S> {
    /// `inner` under `plan`.
    pub fn wrap(inner: S, plan: Arc<FaultPlan>) -> Self {
        FaultyDisk { inner, plan }
    }

    /// The plan.
    pub fn plan(&self) -> &Arc<FaultPlan> {
        &self.plan
    }

    fn check(&self, op: FileOp, path: &Path) -> Result<(), IoError> {
        match self.plan.judge(Kind::Other) {
            Verdict::Fail(e) => Err(IoError::new(op, path, None, e)),
            _ => Ok(()),
        }
    }
}

/// A file of a [`FaultyDisk`].
#[derive(Debug, Clone)]
pub struct FaultyFile<F> {
    inner: F,
    plan: Arc<FaultPlan>,
}

impl<F: FileIo> FaultyFile<F> {
    fn fail(&self, op: FileOp, offset: Option<u64>, e: io::Error) -> IoError {
        IoError::new(op, self.inner.path(), offset, e)
    }

    /// Runs a write of `buf` at `offset` under the plan.
    async fn faulty_write(&self, mut buf: AlignedBuf, offset: u64) -> BufResult<usize, AlignedBuf> {
        match self.plan.judge(Kind::Write) {
            Verdict::Run => self.inner.write_at(buf, offset).await,
            Verdict::Fail(e) => (Err(self.fail(FileOp::Write, Some(offset), e)), buf),
            Verdict::Short if buf.len() > 1 => {
                let full = buf.len();
                buf.set_len(full / 2);
                let (res, mut buf) = self.inner.write_at(buf, offset).await;
                buf.set_len(full);
                (res, buf)
            }
            Verdict::Short => self.inner.write_at(buf, offset).await,
            Verdict::Torn => {
                let full = buf.len();
                // A prefix ending mid-sector (a whole number of sectors and
                // then part of one), never all of the buffer. An O_DIRECT
                // file takes whole sectors only, so there the tear falls
                // on a sector boundary, as the device would leave it.
                let align = self.inner.alignment();
                let cut = if align > 1 {
                    (full / 2 / align * align).max(align.min(full.saturating_sub(align)))
                } else {
                    (full / 2 / 512 * 512 + 100).min(full.saturating_sub(1))
                };
                let eio = io::Error::from_raw_os_error(libc::EIO);
                if cut == 0 {
                    return (Err(self.fail(FileOp::Write, Some(offset), eio)), buf);
                }
                let prefix = AlignedBuf::from_slice(&buf[..cut], buf.align());
                let _ = self.inner.write_all_at(prefix, offset).await;
                (Err(self.fail(FileOp::Write, Some(offset), eio)), buf)
            }
        }
    }

    async fn faulty_sync(&self, data_only: bool) -> Result<(), IoError> {
        let op = if data_only {
            FileOp::Fdatasync
        } else {
            FileOp::Fsync
        };
        match self.plan.judge(Kind::Sync) {
            Verdict::Fail(e) => Err(self.fail(op, None, e)),
            _ if data_only => self.inner.sync_data().await,
            _ => self.inner.sync_all().await,
        }
    }
}

impl<F: FileIo> FileIo for FaultyFile<F> {
    fn path(&self) -> &Path {
        self.inner.path()
    }

    fn alignment(&self) -> usize {
        self.inner.alignment()
    }

    async fn read_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<usize, AlignedBuf> {
        match self.plan.judge(Kind::Other) {
            Verdict::Fail(e) => (Err(self.fail(FileOp::Read, Some(offset), e)), buf),
            _ => self.inner.read_at(buf, offset).await,
        }
    }

    async fn readv_at(
        &self,
        bufs: Vec<AlignedBuf>,
        offset: u64,
    ) -> BufResult<usize, Vec<AlignedBuf>> {
        match self.plan.judge(Kind::Other) {
            Verdict::Fail(e) => (Err(self.fail(FileOp::Readv, Some(offset), e)), bufs),
            _ => self.inner.readv_at(bufs, offset).await,
        }
    }

    async fn write_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<usize, AlignedBuf> {
        self.faulty_write(buf, offset).await
    }

    async fn writev_at(
        &self,
        bufs: Vec<AlignedBuf>,
        offset: u64,
    ) -> BufResult<usize, Vec<AlignedBuf>> {
        // One buffer through the write path, so every write fault applies.
        let align = bufs.first().map_or(1, |b| b.align());
        let mut joined = AlignedBuf::new(bufs.iter().map(|b| b.len()).sum(), align);
        bufs.iter().for_each(|b| joined.extend_from_slice(b));
        (self.faulty_write(joined, offset).await.0, bufs)
    }

    async fn sync_all(&self) -> Result<(), IoError> {
        self.faulty_sync(false).await
    }

    async fn sync_data(&self) -> Result<(), IoError> {
        self.faulty_sync(true).await
    }

    async fn write_durable_at(&self, buf: AlignedBuf, offset: u64) -> BufResult<(), AlignedBuf> {
        let (res, buf) = self.write_all_at(buf, offset).await;
        if let Err(e) = res {
            return (Err(e), buf);
        }
        (self.faulty_sync(true).await, buf)
    }

    async fn allocate(&self, offset: u64, len: u64) -> Result<(), IoError> {
        match self.plan.judge(Kind::Allocate) {
            Verdict::Fail(e) => Err(self.fail(FileOp::Fallocate, Some(offset), e)),
            _ => self.inner.allocate(offset, len).await,
        }
    }

    async fn punch_hole(&self, offset: u64, len: u64) -> Result<(), IoError> {
        match self.plan.judge(Kind::Other) {
            Verdict::Fail(e) => Err(self.fail(FileOp::Fallocate, Some(offset), e)),
            _ => self.inner.punch_hole(offset, len).await,
        }
    }

    async fn set_len(&self, len: u64) -> Result<(), IoError> {
        match self.plan.judge(Kind::Other) {
            Verdict::Fail(e) => Err(self.fail(FileOp::SetLen, Some(len), e)),
            _ => self.inner.set_len(len).await,
        }
    }

    async fn size(&self) -> Result<u64, IoError> {
        match self.plan.judge(Kind::Other) {
            Verdict::Fail(e) => Err(self.fail(FileOp::Stat, None, e)),
            _ => self.inner.size().await,
        }
    }
}

impl<S: Storage> Storage for FaultyDisk<S> {
    type File = FaultyFile<S::File>;

    async fn open(&self, path: &Path, options: &OpenOptions) -> Result<Self::File, IoError> {
        self.check(FileOp::Open, path)?;
        Ok(FaultyFile {
            inner: self.inner.open(path, options).await?,
            plan: self.plan.clone(),
        })
    }

    async fn remove(&self, path: &Path) -> Result<(), IoError> {
        self.check(FileOp::Remove, path)?;
        self.inner.remove(path).await
    }

    async fn rename(&self, from: &Path, to: &Path) -> Result<(), IoError> {
        self.check(FileOp::Rename, from)?;
        self.inner.rename(from, to).await
    }

    async fn sync_dir(&self, dir: &Path) -> Result<(), IoError> {
        match self.plan.judge(Kind::Sync) {
            Verdict::Fail(e) => Err(IoError::new(FileOp::Directory, dir, None, e)),
            _ => self.inner.sync_dir(dir).await,
        }
    }

    async fn create_dir_all(&self, dir: &Path) -> Result<(), IoError> {
        self.check(FileOp::Directory, dir)?;
        self.inner.create_dir_all(dir).await
    }

    async fn list(&self, dir: &Path) -> Result<Vec<PathBuf>, IoError> {
        self.check(FileOp::Directory, dir)?;
        self.inner.list(dir).await
    }
}
