//! Back-pressure: a slow log writer with a mailbox of 8, fed three ways.
//!
//! - `try_tell` never waits: on a full mailbox it returns `Full` with the
//!   record handed back, which the sender keeps and sends again later.
//! - `tell` (async) waits for room: a producer actor streaming 200 records
//!   is paced by the writer, and the mailbox stays within its bound.
//! - `tell_blocking` waits on a plain thread; called inside a handler it
//!   refuses with `WouldBlock` (handing the record back) instead of
//!   blocking the shard.
//!
//! Every record must reach the writer exactly once, each sender's in order.
//!
//! Run: `cargo run -p examples --example backpressure`

use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::time::sleep;

const CAPACITY: usize = 8;
const WRITE_TIME: Duration = Duration::from_millis(1);
const BURST: u32 = 100;
const STREAM: u32 = 200;
const FROM_THREAD: u32 = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Burst,
    Stream,
    Thread,
}

/// One log record: who sent it, and its number in that sender's sequence.
struct Record {
    source: Source,
    seq: u32,
}

/// Writes one record per millisecond (a stand-in for a slow disk).
#[derive(Default)]
struct LogWriter {
    written: Vec<(Source, u32)>,
}

enum WriterMsg {
    Write(Record),
    Written(ReplyTo<Vec<(Source, u32)>>),
}

impl Actor for LogWriter {
    type Msg = WriterMsg;

    async fn handle(&mut self, msg: WriterMsg, _: &mut Context<Self>) {
        match msg {
            WriterMsg::Write(r) => {
                sleep(WRITE_TIME).await;
                self.written.push((r.source, r.seq));
            }
            WriterMsg::Written(reply) => reply.send(self.written.clone()),
        }
    }
}

/// What the streaming producer saw.
struct StreamReport {
    took: Duration,
    deepest_mailbox: usize,
    blocking_refused: bool,
}

/// Streams records to the writer with `tell`, waiting for room each time.
struct Producer(ActorRef<LogWriter>);

impl Actor for Producer {
    type Msg = ReplyTo<StreamReport>;

    async fn handle(&mut self, reply: ReplyTo<StreamReport>, _: &mut Context<Self>) {
        // A shard thread must never block: this refuses and hands it back.
        let probe = Record {
            source: Source::Stream,
            seq: 0,
        };
        let blocking_refused = matches!(
            self.0.tell_blocking(WriterMsg::Write(probe)),
            Err(SendError::WouldBlock(WriterMsg::Write(r))) if r.seq == 0
        );
        let started = Instant::now();
        let mut deepest_mailbox = 0;
        for seq in 0..STREAM {
            let record = Record {
                source: Source::Stream,
                seq,
            };
            if self.0.tell(WriterMsg::Write(record)).await.is_err() {
                break;
            }
            deepest_mailbox = deepest_mailbox.max(self.0.mailbox_len());
        }
        reply.send(StreamReport {
            took: started.elapsed(),
            deepest_mailbox,
            blocking_refused,
        });
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::builder().shards(2).build()?;
    let options = SpawnOptions::new().shard(1).mailbox_capacity(CAPACITY);
    let writer = rt.spawn_with(options, LogWriter::default)?;

    // 1. A burst with try_tell: what does not fit comes back, kept for later.
    let mut handed_back = Vec::new();
    for seq in 0..BURST {
        match writer.try_tell(WriterMsg::Write(Record {
            source: Source::Burst,
            seq,
        })) {
            Ok(()) => {}
            Err(SendError::Full(WriterMsg::Write(record))) => handed_back.push(record),
            Err(other) => return Err(format!("try_tell failed: {other:?}").into()),
        }
    }
    println!(
        "try_tell burst: {} of {BURST} accepted, {} handed back as Full",
        BURST as usize - handed_back.len(),
        handed_back.len()
    );
    if handed_back.is_empty() {
        return Err("a burst into a mailbox of 8 never found it full".into());
    }

    // 2. A producer actor streams with tell; 3. a plain thread with
    // tell_blocking, which also resends the burst's leftovers.
    let producer = rt.spawn_on(0, {
        let writer = writer.clone();
        move || Producer(writer)
    })?;
    let report = std::thread::scope(|scope| {
        let writer = &writer;
        scope.spawn(move || {
            for record in handed_back {
                writer
                    .tell_blocking(WriterMsg::Write(record))
                    .expect("the writer runs");
            }
            for seq in 0..FROM_THREAD {
                let record = Record {
                    source: Source::Thread,
                    seq,
                };
                writer
                    .tell_blocking(WriterMsg::Write(record))
                    .expect("the writer runs");
            }
        });
        producer.ask_blocking(|r| r)
    })?;
    println!(
        "tell stream: {STREAM} records in {:?}, mailbox at most {} deep (capacity {CAPACITY})",
        report.took, report.deepest_mailbox
    );
    println!(
        "tell_blocking inside a handler refused with WouldBlock: {}",
        report.blocking_refused
    );
    // The stream cannot finish before the writer took all but what fits.
    let least = WRITE_TIME * (STREAM - 2 * CAPACITY as u32);
    if report.took < least || report.deepest_mailbox > 2 * CAPACITY || !report.blocking_refused {
        return Err(format!(
            "stream took {:?} (at least {least:?} expected)",
            report.took
        )
        .into());
    }

    let written = writer.ask_blocking(WriterMsg::Written)?;
    for (source, sent) in [
        (Source::Burst, BURST),
        (Source::Stream, STREAM),
        (Source::Thread, FROM_THREAD),
    ] {
        let mut seqs: Vec<u32> = written
            .iter()
            .filter(|w| w.0 == source)
            .map(|w| w.1)
            .collect();
        let in_order = seqs.is_sorted();
        seqs.sort_unstable();
        let complete = seqs == (0..sent).collect::<Vec<_>>();
        println!(
            "{source:?}: {} records written, each once: {complete}",
            seqs.len()
        );
        // Burst records resent later arrive out of order; the others may not.
        if !complete || (source != Source::Burst && !in_order) {
            return Err(format!("{source:?} records lost, repeated or reordered").into());
        }
    }
    rt.shutdown()?;
    Ok(())
}
