//! [`IoError`]: a failed file operation, naming the operation, the file and
//! the offset.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// The file operation that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileOp {
    /// Opening or creating the file.
    Open,
    /// A read at an offset.
    Read,
    /// A write at an offset.
    Write,
    /// A vectored read at an offset.
    Readv,
    /// A vectored write at an offset.
    Writev,
    /// `fsync`: data and metadata.
    Fsync,
    /// `fdatasync`: data and the metadata needed to read it.
    Fdatasync,
    /// `fallocate`: reserving space.
    Fallocate,
    /// Changing the file's length (`ftruncate`).
    SetLen,
    /// Reading the file's size or alignment (`statx`).
    Stat,
    /// Renaming a file.
    Rename,
    /// Removing a file.
    Remove,
    /// Listing or syncing a directory.
    Directory,
}

impl fmt::Display for FileOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            FileOp::Open => "open",
            FileOp::Read => "read",
            FileOp::Write => "write",
            FileOp::Readv => "readv",
            FileOp::Writev => "writev",
            FileOp::Fsync => "fsync",
            FileOp::Fdatasync => "fdatasync",
            FileOp::Fallocate => "fallocate",
            FileOp::SetLen => "set_len",
            FileOp::Stat => "stat",
            FileOp::Rename => "rename",
            FileOp::Remove => "remove",
            FileOp::Directory => "directory",
        };
        f.write_str(name)
    }
}

/// A file operation failed. ENOSPC, EIO and every other error reach the
/// caller as they came from the kernel: the file layer retries nothing.
#[derive(Debug, thiserror::Error)]
#[error("{op} of {path:?}{at} failed: {source}", at = Offset(*offset))]
pub struct IoError {
    /// What was being done.
    pub op: FileOp,
    /// The file it was done to.
    pub path: PathBuf,
    /// Where in the file, for reads, writes and allocations.
    pub offset: Option<u64>,
    /// The kernel's (or the fault injector's) error.
    #[source]
    pub source: io::Error,
}

struct Offset(Option<u64>);

impl fmt::Display for Offset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(o) => write!(f, " at offset {o}"),
            None => Ok(()),
        }
    }
}

impl IoError {
    /// An error of `op` on `path` at `offset`.
    pub fn new(op: FileOp, path: &Path, offset: Option<u64>, source: io::Error) -> Self {
        IoError {
            op,
            path: path.to_path_buf(),
            offset,
            source,
        }
    }

    /// The kind of the underlying error.
    pub fn kind(&self) -> io::ErrorKind {
        self.source.kind()
    }

    /// The errno, when the error came from the kernel (or imitates it).
    pub fn raw_os_error(&self) -> Option<i32> {
        self.source.raw_os_error()
    }

    /// `true` for ENOSPC (or EDQUOT): the device or quota is full.
    pub fn is_no_space(&self) -> bool {
        matches!(self.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT))
    }

    /// A copy that keeps the operation, path, offset, kind and errno (an
    /// `io::Error` itself is not `Clone`).
    pub fn duplicate(&self) -> IoError {
        let source = match self.raw_os_error() {
            Some(errno) => io::Error::from_raw_os_error(errno),
            None => io::Error::new(self.kind(), self.source.to_string()),
        };
        IoError {
            op: self.op,
            path: self.path.clone(),
            offset: self.offset,
            source,
        }
    }
}

/// `(result, buffer)`: an owned-buffer operation hands its buffer back
/// whether it succeeded or not.
pub type BufResult<T, B> = (Result<T, IoError>, B);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_operation_file_and_offset() {
        let e = IoError::new(
            FileOp::Write,
            Path::new("/data/log"),
            Some(4096),
            io::Error::from_raw_os_error(libc::ENOSPC),
        );
        let text = e.to_string();
        assert!(
            text.starts_with("write of \"/data/log\" at offset 4096 failed"),
            "{text}"
        );
        assert!(e.is_no_space());
        let copy = e.duplicate();
        assert_eq!(copy.raw_os_error(), Some(libc::ENOSPC));
        assert_eq!((copy.op, copy.offset), (FileOp::Write, Some(4096)));
        let no_offset = IoError::new(FileOp::Fsync, Path::new("f"), None, io::Error::other("x"));
        assert_eq!(no_offset.to_string(), "fsync of \"f\" failed: x");
        assert!(!no_offset.is_no_space());
    }
}
