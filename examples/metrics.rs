//! Metrics: the runtime's per-shard counters and the application's own
//! named and keyed counters, read in one snapshot after some work.
//!
//! Two request handlers, one per shard, serve 400 requests (a tenth of them
//! rejected). Each counts into named counters (`Handle::counter`, one value
//! for the whole runtime) and into a per-shard keyed counter
//! (`Handle::keyed_counter`, labelled by family, kind and shard). Then
//! `Runtime::metrics()` gives, per shard and summed: messages handled,
//! messages queued, live and started actors, dead letters, parks and wakes,
//! and the registered counters. Every count is checked against the work done.
//!
//! Run: `cargo run -p examples --example metrics`

use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::prelude::*;
use actor_core::{CounterKey, Metrics, NamedCounter, oneshot};

const REQUESTS: [u64; 2] = [300, 100];

struct RequestHandler {
    requests: Arc<NamedCounter>,
    rejected: Arc<NamedCounter>,
    on_this_shard: Arc<NamedCounter>,
}

enum Request {
    Serve(u64),
    /// Holds the handler until `resume` resolves, so requests queue up.
    Pause(Reply<()>),
}

impl Actor for RequestHandler {
    type Msg = Request;

    async fn handle(&mut self, msg: Request, _: &mut Context<Self>) {
        match msg {
            Request::Serve(n) => {
                self.requests.inc();
                self.on_this_shard.inc();
                if n % 10 == 0 {
                    self.rejected.inc();
                }
            }
            Request::Pause(resume) => {
                let _ = resume.await;
            }
        }
    }
}

/// `messages_handled` counts a message just after its handler returns:
/// polls until every shard has reached `want`.
fn settled(rt: &Runtime, want: &[u64]) -> Metrics {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let m = rt.metrics();
        let done = m
            .shards
            .iter()
            .zip(want)
            .all(|(s, w)| s.messages_handled >= *w);
        if done || Instant::now() > deadline {
            return m;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn print(m: &Metrics) {
    println!(" shard | handled | queued | live | started | dead letters | parks | wakes");
    let rows = m.shards.iter().map(|s| (s.shard.to_string(), s));
    for (name, s) in rows.chain([("total".to_owned(), &m.total)]) {
        println!(
            " {name:>5} | {:>7} | {:>6} | {:>4} | {:>7} | {:>12} | {:>5} | {:>5}",
            s.messages_handled,
            s.mailbox_depth,
            s.live_actors,
            s.actors_started,
            s.dead_letters,
            s.parks,
            s.wakes
        );
    }
    for (name, value) in &m.named {
        println!(" {name} = {value}");
    }
    for (key, value) in &m.counters {
        let shard = key.shard.map_or("all".to_owned(), |s| s.to_string());
        println!(" {}.{}{{shard={shard}}} = {value}", key.family, key.kind);
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::builder().shards(2).build()?;
    let handle = rt.handle();
    let mut handlers = Vec::new();
    for shard in 0..2 {
        let key = CounterKey {
            family: "app",
            kind: "served",
            shard: Some(shard),
        };
        let (requests, rejected) = (
            handle.counter("app.requests"),
            handle.counter("app.rejected"),
        );
        let on_this_shard = handle.keyed_counter(key);
        handlers.push(rt.spawn_on(shard, move || RequestHandler {
            requests,
            rejected,
            on_this_shard,
        })?);
    }

    for (handler, count) in handlers.iter().zip(REQUESTS) {
        for n in 0..count {
            handler.tell_blocking(Request::Serve(n))?;
        }
    }
    let m = settled(&rt, &REQUESTS);
    print(&m);
    let handled: Vec<u64> = m.shards.iter().map(|s| s.messages_handled).collect();
    let named = |name| m.named.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    let keyed: Vec<u64> = m
        .counters
        .iter()
        .filter(|(k, _)| k.family == "app")
        .map(|(_, v)| *v)
        .collect();
    if handled != REQUESTS
        || (
            m.total.live_actors,
            m.total.actors_started,
            m.total.dead_letters,
        ) != (2, 2, 0)
        || named("app.requests") != Some(400)
        || named("app.rejected") != Some(40)
        || keyed != REQUESTS
    {
        return Err(format!("the snapshot disagrees with the work done: {m:?}").into());
    }

    // Requests held behind a pause show as queued on their shard.
    let (resume, resume_rx) = oneshot();
    handlers[1].tell_blocking(Request::Pause(resume_rx))?;
    for n in 1..=5 {
        handlers[1].tell_blocking(Request::Serve(n))?;
    }
    let queued = rt.metrics().shards[1].mailbox_depth;
    println!("\nwith shard 1's handler paused: {queued} requests queued there");
    resume.send(());
    let m = settled(&rt, &[300, 106]);
    println!(
        "after it resumes: {} queued, {} handled on shard 1",
        m.shards[1].mailbox_depth, m.shards[1].messages_handled
    );
    // The pause may not have been taken yet when the snapshot was read.
    if !(5..=6).contains(&queued)
        || m.shards[1].mailbox_depth != 0
        || m.shards[1].messages_handled != 106
    {
        return Err(format!("queued {queued}, then {m:?}").into());
    }
    rt.shutdown()?;
    Ok(())
}
