//! A custom binary protocol on top of the length-delimited codec.
//!
//! Each message is one frame whose first byte is a tag:
//!
//! - `0x01 key` — `Get`: the key as UTF-8;
//! - `0x02 u16-be key-length, key, value` — `Put`;
//! - `0x03` — `Ping`.
//!
//! The protocol codec wraps [`LengthDelimited`] and adds a typed error for
//! frames that are well delimited but do not parse as a message. The bytes
//! here come from a `Vec`; a TCP connection actor feeds its `ReadBuf` the
//! same way.

use actor_io::codec::{Decoder, Encoder, FrameError, LengthDelimited, ReadBuf};

/// A protocol message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Message {
    Get(String),
    Put(String, Vec<u8>),
    Ping,
}

/// Why a frame was not a message.
#[derive(Debug, PartialEq, Eq)]
enum ProtocolError {
    Frame(FrameError),
    UnknownTag(u8),
    Truncated,
    BadKey,
}

impl From<FrameError> for ProtocolError {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}

/// The message codec: frames from `LengthDelimited`, messages inside.
#[derive(Debug, Default)]
struct MessageCodec {
    frames: LengthDelimited,
}

impl Decoder for MessageCodec {
    type Item = Message;
    type Error = ProtocolError;

    fn decode(&mut self, buf: &mut ReadBuf) -> Result<Option<Message>, ProtocolError> {
        let Some(frame) = self.frames.decode(buf)? else {
            return Ok(None);
        };
        let key =
            |bytes: &[u8]| String::from_utf8(bytes.to_vec()).map_err(|_| ProtocolError::BadKey);
        match frame.split_first() {
            Some((0x01, rest)) => Ok(Some(Message::Get(key(rest)?))),
            Some((0x02, rest)) => {
                let (len, rest) = rest
                    .split_first_chunk::<2>()
                    .ok_or(ProtocolError::Truncated)?;
                let len = usize::from(u16::from_be_bytes(*len));
                let (k, v) = rest.split_at_checked(len).ok_or(ProtocolError::Truncated)?;
                Ok(Some(Message::Put(key(k)?, v.to_vec())))
            }
            Some((0x03, [])) => Ok(Some(Message::Ping)),
            Some((&tag, _)) => Err(ProtocolError::UnknownTag(tag)),
            None => Err(ProtocolError::Truncated),
        }
    }
}

impl Encoder<&Message> for MessageCodec {
    type Error = ProtocolError;

    fn encode(&mut self, msg: &Message, dst: &mut Vec<u8>) -> Result<(), ProtocolError> {
        let mut payload = Vec::new();
        match msg {
            Message::Get(k) => {
                payload.push(0x01);
                payload.extend_from_slice(k.as_bytes());
            }
            Message::Put(k, v) => {
                let len = u16::try_from(k.len()).map_err(|_| ProtocolError::BadKey)?;
                payload.push(0x02);
                payload.extend_from_slice(&len.to_be_bytes());
                payload.extend_from_slice(k.as_bytes());
                payload.extend_from_slice(v);
            }
            Message::Ping => payload.push(0x03),
        }
        Ok(self.frames.encode(payload.as_slice(), dst)?)
    }
}

fn main() {
    let mut codec = MessageCodec::default();
    let sent = [
        Message::Put("colour".into(), b"blue".to_vec()),
        Message::Get("colour".into()),
        Message::Ping,
    ];
    let mut wire = Vec::new();
    for m in &sent {
        codec.encode(m, &mut wire).expect("encodable");
    }

    // The bytes arrive three at a time; every complete message is taken as
    // soon as its last byte is in.
    let mut buf = ReadBuf::new();
    let mut received = Vec::new();
    for piece in wire.chunks(3) {
        buf.extend_from_slice(piece);
        for m in codec.decode_iter(&mut buf) {
            received.push(m.expect("valid message"));
        }
    }
    assert_eq!(received, sent);
    println!("decoded {} messages: {received:?}", received.len());

    // A well-delimited frame with an unknown tag is a typed protocol error.
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(&[0, 0, 0, 1, 0x7f]);
    assert_eq!(codec.decode(&mut buf), Err(ProtocolError::UnknownTag(0x7f)));
}
