//! [`File`]: an open file whose operations run on the calling shard's
//! reactor, and [`OpenOptions`], which opens it (with `O_DIRECT` when asked
//! and the file system allows it).

use std::collections::HashSet;
use std::fs;
use std::io;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::align::{self, MIN_ALIGN};
use super::exec::blocking;
use crate::error::{FileOp, IoError};

/// How to open a [`File`]. Read and write access by default.
#[derive(Debug, Clone, Default)]
pub struct OpenOptions {
    create: bool,
    truncate: bool,
    read_only: bool,
    direct: bool,
}

impl OpenOptions {
    /// Read and write access, no creation.
    pub fn new() -> Self {
        Self::default()
    }

    /// Creates the file when it is missing.
    pub fn create(mut self, yes: bool) -> Self {
        self.create = yes;
        self
    }

    /// Truncates the file to zero length on open.
    pub fn truncate(mut self, yes: bool) -> Self {
        self.truncate = yes;
        self
    }

    /// Opens for reading only.
    pub fn read_only(mut self, yes: bool) -> Self {
        self.read_only = yes;
        self
    }

    /// Bypasses the page cache with `O_DIRECT`: buffers, offsets and
    /// lengths must then be multiples of [`File::alignment`]. A file system
    /// that refuses `O_DIRECT` (tmpfs) gets buffered I/O instead, with one
    /// warning per path; [`File::is_direct`] tells which one a file got.
    pub fn direct(mut self, yes: bool) -> Self {
        self.direct = yes;
        self
    }

    /// Opens `path`, on the blocking pool (an open may wait on the disk).
    pub async fn open(&self, path: impl AsRef<Path>) -> Result<File, IoError> {
        let path = path.as_ref().to_path_buf();
        let opts = self.clone();
        let err_path = path.clone();
        blocking(move || opts.open_now(path))
            .await
            .map_err(|e| IoError::new(FileOp::Open, &err_path, None, e))?
    }

    fn std_options(&self, direct: bool) -> fs::OpenOptions {
        let mut o = fs::OpenOptions::new();
        o.read(true)
            .write(!self.read_only)
            .create(self.create && !self.read_only)
            .truncate(self.truncate && !self.read_only);
        o.custom_flags(if direct { libc::O_DIRECT } else { 0 } | libc::O_CLOEXEC);
        o
    }

    /// Opens `path` on the calling thread.
    pub(crate) fn open_now(&self, path: PathBuf) -> Result<File, IoError> {
        let fail = |e| IoError::new(FileOp::Open, &path, None, e);
        let (file, direct) = if self.direct {
            direct_or_buffered(&path, |direct| self.std_options(direct).open(&path))
                .map_err(fail)?
        } else {
            (self.std_options(false).open(&path).map_err(fail)?, false)
        };
        let alignment = if direct {
            let st = align::stat(&file).map_err(|e| IoError::new(FileOp::Stat, &path, None, e))?;
            align::direct_alignment(&st)
        } else {
            1
        };
        Ok(File {
            inner: Arc::new(Inner {
                file,
                path,
                direct,
                alignment,
            }),
        })
    }
}

/// Opens with `O_DIRECT` through `open(true)`; when the file system
/// refuses it (EINVAL, as tmpfs before Linux 6.6 does), opens buffered
/// through `open(false)` and warns once. The flag says which one.
fn direct_or_buffered(
    path: &Path,
    open: impl Fn(bool) -> io::Result<fs::File>,
) -> io::Result<(fs::File, bool)> {
    match open(true) {
        Ok(f) => Ok((f, true)),
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
            warn_buffered_once(path);
            Ok((open(false)?, false))
        }
        Err(e) => Err(e),
    }
}

/// Warns once per path that `O_DIRECT` was refused.
fn warn_buffered_once(path: &Path) {
    static WARNED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let mut warned = WARNED.lock().unwrap_or_else(|p| p.into_inner());
    if warned
        .get_or_insert_with(HashSet::new)
        .insert(path.to_path_buf())
    {
        tracing::warn!(path = %path.display(), "O_DIRECT refused by the file system; using buffered I/O");
    }
}

/// An open file. Cloning shares it; the fd closes with the last clone and
/// only after every operation on it has completed (operations in flight
/// hold a clone).
#[derive(Clone)]
pub struct File {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) file: fs::File,
    pub(crate) path: PathBuf,
    direct: bool,
    alignment: usize,
}

impl Inner {
    pub(crate) fn fd(&self) -> RawFd {
        self.file.as_raw_fd()
    }
}

impl std::fmt::Debug for File {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("File")
            .field("path", &self.inner.path)
            .field("direct", &self.inner.direct)
            .field("alignment", &self.inner.alignment)
            .finish()
    }
}

impl File {
    /// The path the file was opened at.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// `true` when the file bypasses the page cache (`O_DIRECT`).
    pub fn is_direct(&self) -> bool {
        self.inner.direct
    }

    /// The alignment buffers, offsets and lengths need: the file system's
    /// for `O_DIRECT` files (at least 512), 1 for buffered ones.
    pub fn alignment(&self) -> usize {
        self.inner.alignment
    }

    /// An empty buffer of at least `capacity` bytes, aligned for this file,
    /// from the calling shard's pool.
    pub fn buffer(&self, capacity: usize) -> super::AlignedBuf {
        super::AlignedBuf::new(capacity, self.inner.alignment.max(MIN_ALIGN))
    }

    /// `Ok` when `offset`, `len` and the memory at `ptr` suit this file.
    pub(crate) fn check_aligned(
        &self,
        op: FileOp,
        offset: u64,
        len: usize,
        ptr: *const u8,
    ) -> Result<(), IoError> {
        let a = self.inner.alignment;
        if !self.inner.direct
            || (offset.is_multiple_of(a as u64)
                && len.is_multiple_of(a)
                && (ptr as usize).is_multiple_of(a))
        {
            return Ok(());
        }
        Err(self.error(
            op,
            Some(offset),
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("O_DIRECT needs offset, length and memory aligned to {a} bytes"),
            ),
        ))
    }

    pub(crate) fn error(&self, op: FileOp, offset: Option<u64>, e: io::Error) -> IoError {
        IoError::new(op, &self.inner.path, offset, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_o_direct_falls_back_to_buffered_io() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let refusing = |direct: bool| {
            if direct {
                Err(io::Error::from_raw_os_error(libc::EINVAL))
            } else {
                fs::File::create(&path)
            }
        };
        let (_, direct) = direct_or_buffered(&path, refusing).unwrap();
        assert!(!direct);
        let failing = |_: bool| Err(io::Error::from_raw_os_error(libc::EACCES));
        let e = direct_or_buffered(&path, failing).unwrap_err();
        assert_eq!(
            e.raw_os_error(),
            Some(libc::EACCES),
            "other errors are not hidden"
        );
    }
}
