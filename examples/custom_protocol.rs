//! A custom binary protocol over TCP on top of `codec::LengthDelimited`: a
//! key-value server actor answers typed requests, and a client sends a few
//! (good and bad), prints the replies, and the program exits.
//!
//! Every frame is a big-endian `u32` length, then a tag byte:
//!
//! | tag    | message                                   |
//! |--------|-------------------------------------------|
//! | `0x01` | `Get key`                                 |
//! | `0x02` | `Put u16-be key-length, key, value`       |
//! | `0x03` | `Ping`                                    |
//! | `0x81` | `Value 0` (absent) or `Value 1 value`     |
//! | `0x82` | `Stored`                                  |
//! | `0x83` | `Pong`                                    |
//! | `0xEE` | `Error code, text` (see [`ErrorCode`])    |
//!
//! Bad input never panics the server: a frame with an unknown tag or a bad
//! body gets an `Error` reply and the connection stays usable (framing is
//! intact); a frame above the size limit gets an `Error` reply and the
//! connection is closed, since the rest of the stream cannot be trusted.
//!
//! Run with `cargo run -p examples --example custom_protocol`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use actor_core::{Actor, BoxError, Context, Runtime};
use actor_io::codec::{Decoder, Encoder, FrameError, LengthDelimited, ReadBuf};
use actor_io::net::{TcpListener, TcpStream};

/// The largest frame the server accepts.
const MAX_FRAME: u32 = 1024;

/// A protocol message, either direction.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Message {
    Get(String),
    Put(String, Vec<u8>),
    Ping,
    Value(Option<Vec<u8>>),
    Stored,
    Pong,
    Error(ErrorCode, String),
}

/// What an `Error` reply reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorCode {
    /// The frame was larger than the limit; the server closes.
    TooLarge = 1,
    /// The tag is not a known message.
    UnknownTag = 2,
    /// The body does not parse as the tag's message.
    Malformed = 3,
}

/// Why a frame did not decode as a message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ProtocolError {
    Frame(FrameError),
    UnknownTag(u8),
    Malformed,
}

impl From<FrameError> for ProtocolError {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}

/// Messages in length-delimited frames.
#[derive(Debug)]
struct MessageCodec(LengthDelimited);

impl Default for MessageCodec {
    fn default() -> Self {
        Self(LengthDelimited::new(MAX_FRAME))
    }
}

fn text(bytes: &[u8]) -> Result<String, ProtocolError> {
    String::from_utf8(bytes.to_vec()).map_err(|_| ProtocolError::Malformed)
}

fn parse(frame: &[u8]) -> Result<Message, ProtocolError> {
    use ProtocolError::Malformed;
    let (&tag, rest) = frame.split_first().ok_or(Malformed)?;
    Ok(match (tag, rest) {
        (0x01, key) => Message::Get(text(key)?),
        (0x02, rest) => {
            let (len, rest) = rest.split_first_chunk::<2>().ok_or(Malformed)?;
            let len = usize::from(u16::from_be_bytes(*len));
            let (key, value) = rest.split_at_checked(len).ok_or(Malformed)?;
            Message::Put(text(key)?, value.to_vec())
        }
        (0x03, []) => Message::Ping,
        (0x81, [0]) => Message::Value(None),
        (0x81, [1, value @ ..]) => Message::Value(Some(value.to_vec())),
        (0x82, []) => Message::Stored,
        (0x83, []) => Message::Pong,
        (0xEE, [code, msg @ ..]) => {
            let code = match code {
                1 => ErrorCode::TooLarge,
                2 => ErrorCode::UnknownTag,
                _ => ErrorCode::Malformed,
            };
            Message::Error(code, text(msg)?)
        }
        (0x01..=0x03 | 0x81..=0x83 | 0xEE, _) => return Err(Malformed),
        (tag, _) => return Err(ProtocolError::UnknownTag(tag)),
    })
}

impl Decoder for MessageCodec {
    type Item = Message;
    type Error = ProtocolError;

    fn decode(&mut self, buf: &mut ReadBuf) -> Result<Option<Message>, ProtocolError> {
        match self.0.decode(buf)? {
            Some(frame) => parse(&frame).map(Some),
            None => Ok(None),
        }
    }
}

impl Encoder<&Message> for MessageCodec {
    type Error = ProtocolError;

    fn encode(&mut self, msg: &Message, dst: &mut Vec<u8>) -> Result<(), ProtocolError> {
        let mut p = Vec::new();
        match msg {
            Message::Get(k) => {
                p.push(0x01);
                p.extend_from_slice(k.as_bytes());
            }
            Message::Put(k, v) => {
                let len = u16::try_from(k.len()).map_err(|_| ProtocolError::Malformed)?;
                p.push(0x02);
                p.extend_from_slice(&len.to_be_bytes());
                p.extend_from_slice(k.as_bytes());
                p.extend_from_slice(v);
            }
            Message::Ping => p.push(0x03),
            Message::Value(None) => p.extend_from_slice(&[0x81, 0]),
            Message::Value(Some(v)) => {
                p.extend_from_slice(&[0x81, 1]);
                p.extend_from_slice(v);
            }
            Message::Stored => p.push(0x82),
            Message::Pong => p.push(0x83),
            Message::Error(code, text) => {
                p.extend_from_slice(&[0xEE, *code as u8]);
                p.extend_from_slice(text.as_bytes());
            }
        }
        Ok(self.0.encode(p.as_slice(), dst)?)
    }
}

/// The store, shared by the connection actors of the server's shard.
type Store = Rc<RefCell<HashMap<String, Vec<u8>>>>;

/// The answer to one decoded frame, and whether to close afterwards.
fn answer(store: &Store, item: Result<Message, ProtocolError>) -> (Message, bool) {
    match item {
        Ok(Message::Get(k)) => (Message::Value(store.borrow().get(&k).cloned()), false),
        Ok(Message::Put(k, v)) => {
            store.borrow_mut().insert(k, v);
            (Message::Stored, false)
        }
        Ok(Message::Ping) => (Message::Pong, false),
        Ok(other) => {
            let text = format!("not a request: {other:?}");
            (Message::Error(ErrorCode::Malformed, text), false)
        }
        Err(ProtocolError::Frame(e)) => (Message::Error(ErrorCode::TooLarge, e.to_string()), true),
        Err(ProtocolError::UnknownTag(t)) => {
            let text = format!("unknown tag {t:#04x}");
            (Message::Error(ErrorCode::UnknownTag, text), false)
        }
        Err(ProtocolError::Malformed) => (
            Message::Error(ErrorCode::Malformed, "malformed body".into()),
            false,
        ),
    }
}

/// A connection actor: decodes every complete request, answers them all
/// with one write, and stops when the peer closes or after a fatal error.
struct Connection {
    stream: Option<TcpStream>,
    store: Store,
}

impl Actor for Connection {
    type Msg = ();

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let stream = self.stream.take().ok_or("no stream")?;
        let store = self.store.clone();
        let me = ctx.myself().clone();
        ctx.spawn_task(async move {
            let mut codec = MessageCodec::default();
            let mut encoder = MessageCodec::default();
            let mut input = ReadBuf::new();
            'conn: loop {
                let (n, chunk) = stream.read(Vec::with_capacity(4096)).await;
                match n {
                    Ok(0) | Err(_) => break,
                    Ok(_) => input.extend_from_slice(&chunk),
                }
                let mut out = Vec::new();
                let mut close = false;
                // Every complete frame, errors included: a bad tag or body
                // consumed its frame, so decoding goes on after it.
                loop {
                    let item = match codec.decode(&mut input) {
                        Ok(None) => break,
                        Ok(Some(m)) => Ok(m),
                        Err(e) => Err(e),
                    };
                    let (reply, fatal) = answer(&store, item);
                    close = fatal;
                    if encoder.encode(&reply, &mut out).is_err() || close {
                        break;
                    }
                }
                if !out.is_empty() && stream.write_all(out).await.0.is_err() {
                    break 'conn;
                }
                if close {
                    break;
                }
            }
            me.stop();
        });
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
}

/// Tells the listener to accept once more.
struct Accept;

/// The listener actor: each `Accept` waits a little for a connection and
/// spawns its actor on this shard.
struct Server {
    listener: TcpListener,
    store: Store,
}

impl Actor for Server {
    type Msg = Accept;

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        ctx.myself().try_tell(Accept).map_err(|_| "mailbox full")?;
        Ok(())
    }

    async fn handle(&mut self, _: Accept, ctx: &mut Context<Self>) {
        let accept = actor_io::timeout(Duration::from_millis(50), self.listener.accept());
        if let Ok(Ok((stream, _))) = accept.await {
            ctx.spawn(Connection {
                stream: Some(stream),
                store: self.store.clone(),
            });
        }
        let _ = ctx.myself().try_tell(Accept);
    }
}

/// A blocking client connection speaking the protocol.
struct Client {
    conn: std::net::TcpStream,
    codec: MessageCodec,
    input: ReadBuf,
}

impl Client {
    fn connect(addr: SocketAddr) -> std::io::Result<Client> {
        let conn = std::net::TcpStream::connect(addr)?;
        conn.set_read_timeout(Some(Duration::from_secs(5)))?;
        Ok(Client {
            conn,
            codec: MessageCodec::default(),
            input: ReadBuf::new(),
        })
    }

    /// Sends raw bytes and reads one reply (`None` if the server closed).
    fn raw(&mut self, bytes: &[u8]) -> Result<Option<Message>, Box<dyn std::error::Error>> {
        self.conn.write_all(bytes)?;
        let mut buf = [0u8; 4096];
        loop {
            if let Some(m) = self
                .codec
                .decode(&mut self.input)
                .map_err(|e| format!("{e:?}"))?
            {
                return Ok(Some(m));
            }
            match self.conn.read(&mut buf)? {
                0 => return Ok(None),
                n => self.input.extend_from_slice(&buf[..n]),
            }
        }
    }

    fn call(&mut self, msg: &Message) -> Result<Option<Message>, Box<dyn std::error::Error>> {
        let mut out = Vec::new();
        self.codec
            .encode(msg, &mut out)
            .map_err(|e| format!("{e:?}"))?;
        self.raw(&out)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::builder().shards(1).build()?;
    println!("pinion custom protocol: {} driver", rt.driver());
    let (tx, rx) = std::sync::mpsc::channel();
    rt.spawn_on(0, move || {
        let listener = TcpListener::bind("127.0.0.1:0".parse().expect("address")).expect("bind");
        let _ = tx.send(listener.local_addr().expect("address"));
        Server {
            listener,
            store: Store::default(),
        }
    })?;
    let addr = rx.recv_timeout(Duration::from_secs(5))?;

    let mut client = Client::connect(addr)?;
    for msg in [
        Message::Ping,
        Message::Put("colour".into(), b"blue".to_vec()),
        Message::Get("colour".into()),
        Message::Get("shape".into()),
        Message::Stored,
    ] {
        println!("{msg:?} -> {:?}", client.call(&msg)?);
    }
    // A well-delimited frame with an unknown tag: an error reply, and the
    // connection still works.
    println!(
        "frame with tag 0x7f -> {:?}",
        client.raw(&[0, 0, 0, 2, 0x7f, 0])?
    );
    println!("Ping -> {:?}", client.call(&Message::Ping)?);

    // A frame above the limit: an error reply, then the server closes.
    let mut client = Client::connect(addr)?;
    let huge = (MAX_FRAME + 1).to_be_bytes();
    println!("oversized frame -> {:?}", client.raw(&huge)?);
    println!("after it -> {:?} (connection closed)", client.raw(&[])?);

    rt.shutdown()?;
    println!("done");
    Ok(())
}
