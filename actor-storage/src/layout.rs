//! A store's layout file: one line, written once when the store is made
//! (elsewhere, synced, renamed, directory synced), compared on every later
//! open, so a store is never reopened with a shape that would misread it
//! (another partition count, another block size).

use std::io::Write;
use std::path::Path;

use crate::{FileOp, IoError};

/// Writes `wanted` to `dir/name` when the file is missing; otherwise
/// compares. `Ok(Err(found))` when the file says something else.
pub(crate) fn ensure(dir: &Path, name: &str, wanted: &str) -> Result<Result<(), String>, IoError> {
    let io = |e| IoError::new(FileOp::Directory, dir, None, e);
    if !dir.is_dir() {
        std::fs::create_dir_all(dir).map_err(io)?;
        // The store's own directory entry must be durable too.
        if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::File::open(parent)
                .and_then(|f| f.sync_all())
                .map_err(io)?;
        }
    }
    let path = dir.join(name);
    match std::fs::read_to_string(&path) {
        Ok(found) if found.trim() == wanted => Ok(Ok(())),
        Ok(found) => Ok(Err(found.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let tmp = dir.join(format!("{name}.tmp"));
            let write = || -> std::io::Result<()> {
                let mut f = std::fs::File::create(&tmp)?;
                writeln!(f, "{wanted}")?;
                f.sync_all()?;
                std::fs::rename(&tmp, &path)?;
                std::fs::File::open(dir)?.sync_all()
            };
            write().map_err(io)?;
            Ok(Ok(()))
        }
        Err(e) => Err(io(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::ensure;

    #[test]
    fn written_once_then_compared() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(ensure(dir.path(), "L", "4 partitions").unwrap(), Ok(()));
        assert_eq!(ensure(dir.path(), "L", "4 partitions").unwrap(), Ok(()));
        assert_eq!(
            ensure(dir.path(), "L", "2 partitions").unwrap(),
            Err("4 partitions".into())
        );
    }
}
