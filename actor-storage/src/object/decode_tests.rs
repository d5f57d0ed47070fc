//! Any bytes as an object file: opening the partition gives a typed
//! error or metadata that fits the file, never a panic.

use proptest::prelude::*;

use super::partition::Partition;
use crate::file::Disk;
use crate::object::ObjectError;
use crate::test_support::poll_plain;

proptest! {
    /// Any bytes as an object file: the partition opens with a
    /// typed error or with metadata that fits the file, never a panic.
    #[test]
    fn any_object_file_opens_or_is_reported_corrupt(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        trailer in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = bytes;
        if trailer {
            // A plausible trailer, so the metadata decoder runs.
            let len = (bytes.len() as u32).min(40);
            bytes.extend_from_slice(&len.to_le_bytes());
            bytes.extend_from_slice(&crc32c::crc32c(&bytes[bytes.len() - 4 - len as usize..bytes.len() - 4]).to_le_bytes());
            bytes.extend_from_slice(b"PNOB");
        }
        std::fs::write(dir.path().join("x.obj"), &bytes).unwrap();
        match poll_plain(Partition::open(Disk, dir.path())) {
            Ok(p) => {
                let meta = p.head("x").unwrap();
                prop_assert!(meta.size <= bytes.len() as u64);
            }
            Err(ObjectError::Corrupt { .. }) => {}
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}
