//! How values and metadata become bytes: the [`Codec`] trait, and
//! [`Postcard`], the default.
//!
//! postcard's wire format is documented and stable across its 1.x
//! releases (varint integers, length-prefixed sequences, fields in
//! declaration order), so bytes written today decode tomorrow. A store
//! takes its codec as a type parameter; another format plugs in by
//! implementing [`Codec`].

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A value could not be encoded or decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("codec {codec}: {message}")]
pub struct CodecError {
    /// The codec's name.
    pub codec: &'static str,
    /// What went wrong.
    pub message: String,
}

/// Turns serde values into bytes and back.
pub trait Codec: Send + Sync + 'static {
    /// A short name, for errors.
    const NAME: &'static str;

    /// Encodes `value`.
    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CodecError>;

    /// Decodes a `T` from all of `bytes`.
    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError>;
}

/// The postcard format (the default codec).
///
/// ```
/// use actor_storage::codec::{Codec, Postcard};
///
/// let bytes = Postcard::encode(&(7u32, "seven"))?;
/// assert_eq!(bytes, [7, 5, b's', b'e', b'v', b'e', b'n']);
/// let back: (u32, String) = Postcard::decode(&bytes)?;
/// assert_eq!(back, (7, "seven".to_owned()));
/// assert!(Postcard::decode::<(u32, String)>(&bytes[..3]).is_err());
/// # Ok::<(), actor_storage::codec::CodecError>(())
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Postcard;

impl Codec for Postcard {
    const NAME: &'static str = "postcard";

    fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CodecError> {
        postcard::to_stdvec(value).map_err(|e| CodecError {
            codec: Self::NAME,
            message: e.to_string(),
        })
    }

    fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
        match postcard::take_from_bytes(bytes) {
            Ok((value, [])) => Ok(value),
            Ok((_, rest)) => Err(CodecError {
                codec: Self::NAME,
                message: format!("{} bytes left over after the value", rest.len()),
            }),
            Err(e) => Err(CodecError {
                codec: Self::NAME,
                message: e.to_string(),
            }),
        }
    }
}
