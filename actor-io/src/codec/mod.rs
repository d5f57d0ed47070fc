//! Codecs: turning a byte stream into frames and back, without doing I/O.
//!
//! A connection actor owns a [`ReadBuf`]. Each time bytes arrive it appends
//! them, then asks its [`Decoder`] for items until the decoder answers
//! `Ok(None)` ("need more bytes"). Replies are encoded by an [`Encoder`] into
//! one output `Vec<u8>`, so that every item decoded from one read can be
//! answered with one write.
//!
//! Decoders never allocate ahead of the input: a length prefix that
//! announces a large frame makes the decoder wait, it does not make it
//! reserve the announced length. Memory grows only with the bytes that have
//! actually arrived.
//!
//! ```
//! use actor_io::codec::{Decoder, Encoder, LengthDelimited, ReadBuf};
//!
//! let mut codec = LengthDelimited::new(1024);
//! let mut wire = Vec::new();
//! codec.encode(&b"hello"[..], &mut wire).unwrap();
//! codec.encode(&b"world"[..], &mut wire).unwrap();
//!
//! let mut buf = ReadBuf::new();
//! // The bytes arrive in two pieces, split inside the second frame.
//! buf.extend_from_slice(&wire[..11]);
//! assert_eq!(codec.decode(&mut buf).unwrap(), Some(b"hello".to_vec()));
//! assert_eq!(codec.decode(&mut buf).unwrap(), None);
//! buf.extend_from_slice(&wire[11..]);
//! let frames: Vec<_> = codec.decode_iter(&mut buf).collect::<Result<_, _>>().unwrap();
//! assert_eq!(frames, vec![b"world".to_vec()]);
//! ```

mod buf;
mod length_delimited;
mod traits;

pub use buf::ReadBuf;
pub use length_delimited::{FrameError, LengthDelimited};
pub use traits::{DecodeIter, Decoder, Encoder};
