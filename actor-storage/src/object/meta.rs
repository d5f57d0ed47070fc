//! An object's metadata, where it sits in the object's file, and how
//! object names become file names.
//!
//! An object file is the data, then the metadata (postcard), then a
//! 12-byte trailer: metadata length (u32), CRC32C of the metadata (u32),
//! and the marker `PNOB`. One file per object, so one rename replaces
//! data and metadata together.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codec::{Codec, Postcard};

/// Bytes of the trailer.
pub(crate) const TRAILER: usize = 12;
const MARKER: &[u8; 4] = b"PNOB";
/// The longest name, in bytes (its file name may be three times longer).
pub(crate) const MAX_NAME: usize = 80;

/// What is known about a stored object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectMeta {
    /// The object's name.
    pub name: String,
    /// Bytes of data.
    pub size: u64,
    /// The content type given at upload (`application/octet-stream` when
    /// none was).
    pub content_type: String,
    /// User metadata given at upload.
    pub user: BTreeMap<String, String>,
    /// CRC32C of the data.
    pub crc32c: u32,
    /// An entity tag: changes whenever the content does.
    pub etag: String,
    /// When the upload finished, in milliseconds since the Unix epoch.
    pub modified_ms: u64,
}

/// The bytes that follow an object's data.
pub(crate) fn footer(meta: &ObjectMeta) -> Vec<u8> {
    let mut out = Postcard::encode(meta).expect("metadata always encodes");
    let len = out.len() as u32;
    let crc = crc32c::crc32c(&out);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(MARKER);
    out
}

/// The metadata length a trailer gives, or `None` for a damaged trailer.
pub(crate) fn trailer_len(trailer: &[u8]) -> Option<(usize, u32)> {
    if trailer.len() != TRAILER || &trailer[8..] != MARKER {
        return None;
    }
    let len = u32::from_le_bytes(trailer[..4].try_into().ok()?) as usize;
    let crc = u32::from_le_bytes(trailer[4..8].try_into().ok()?);
    Some((len, crc))
}

/// Decodes metadata bytes checked against their CRC.
pub(crate) fn decode_meta(bytes: &[u8], crc: u32) -> Option<ObjectMeta> {
    if crc32c::crc32c(bytes) != crc {
        return None;
    }
    Postcard::decode(bytes).ok()
}

/// An entity tag from the data's CRC32C and size.
pub(crate) fn etag(crc: u32, size: u64) -> String {
    format!("\"{crc:08x}-{size:x}\"")
}

/// The file name of object `name`: bytes outside `[A-Za-z0-9_-]` are
/// written `%XX`, so any name maps to one file name and back. `None` for
/// an empty or too long name.
pub(crate) fn file_name(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > MAX_NAME {
        return None;
    }
    let mut out = String::with_capacity(name.len() + 4);
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str(".obj");
    Some(out)
}

/// The object name of a file name made by [`file_name`].
pub(crate) fn object_name(file: &str) -> Option<String> {
    let stem = file.strip_suffix(".obj")?;
    let mut bytes = Vec::with_capacity(stem.len());
    let mut it = stem.bytes();
    while let Some(b) = it.next() {
        if b == b'%' {
            let hex = [it.next()?, it.next()?];
            bytes.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
        } else {
            bytes.push(b);
        }
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn names_map_to_file_names_and_back(name in "\\PC{1,40}") {
            prop_assume!(name.len() <= MAX_NAME);
            let file = file_name(&name).unwrap();
            prop_assert!(file.len() <= 255);
            prop_assert!(!file.contains('/') && !file.starts_with('.'));
            prop_assert_eq!(object_name(&file), Some(name));
        }
    }

    #[test]
    fn bad_names_and_damaged_footers_are_refused() {
        assert_eq!(file_name(""), None);
        assert_eq!(file_name(&"x".repeat(MAX_NAME + 1)), None);
        let meta = ObjectMeta {
            name: "a/b".into(),
            size: 3,
            content_type: "text/plain".into(),
            user: [("k".to_owned(), "v".to_owned())].into(),
            crc32c: 7,
            etag: etag(7, 3),
            modified_ms: 1,
        };
        let f = footer(&meta);
        let (len, crc) = trailer_len(&f[f.len() - TRAILER..]).unwrap();
        assert_eq!(decode_meta(&f[..len], crc), Some(meta));
        let mut bad = f.clone();
        bad[0] ^= 1;
        assert_eq!(decode_meta(&bad[..len], crc), None);
        assert_eq!(trailer_len(&f[..TRAILER]), None);
    }
}
