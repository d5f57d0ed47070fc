//! A three-stage pipeline across shards: sensor samples are validated on
//! shard 0, calibrated on shard 1 and aggregated on shard 2.
//!
//! Every stage has a mailbox of 256 and forwards with `tell`, which waits
//! for room: a slow stage holds back the ones before it, down to the source
//! thread, and no queue grows past its bound. 300,000 samples stream
//! through; a `Flush` marker follows them (each stage is one sender to the
//! next, so it arrives last) and collects each stage's part of the summary.
//! The totals are checked against the same numbers computed directly, and
//! the throughput is printed.
//!
//! Run: `cargo run --release -p examples --example cross_shard_pipeline`

use std::time::Instant;

use actor_core::prelude::*;

const SAMPLES: u64 = 300_000;
const SENSORS: usize = 16;
const CAPACITY: usize = 256;

/// A raw sample from a TMP36-style sensor: 10 mV per °C, 500 mV at 0 °C.
struct Sample {
    sensor: usize,
    millivolts: i32,
}

/// A calibrated reading, in thousandths of a degree Celsius.
struct Reading {
    sensor: usize,
    millicelsius: i64,
}

/// What flows between stages: items, then one flush collecting the summary.
enum Flow<T> {
    Item(T),
    Flush(Summary, ReplyTo<Summary>),
}

#[derive(Debug, Default, Clone, PartialEq)]
struct Summary {
    rejected: u64,
    readings: u64,
    total_millicelsius: i64,
    hottest: Option<(usize, i64)>,
    /// The deepest mailbox each stage saw in the stage after it.
    deepest_next: Vec<usize>,
}

/// Stage 1: drops samples a broken sensor reports as negative.
struct Validate {
    next: ActorRef<Calibrate>,
    rejected: u64,
    deepest: usize,
}

impl Actor for Validate {
    type Msg = Flow<Sample>;

    async fn handle(&mut self, msg: Flow<Sample>, _: &mut Context<Self>) {
        let out = match msg {
            Flow::Item(s) if s.millivolts < 0 => {
                self.rejected += 1;
                return;
            }
            Flow::Item(s) => Flow::Item(s),
            Flow::Flush(mut summary, reply) => {
                summary.rejected = self.rejected;
                summary.deepest_next.push(self.deepest);
                Flow::Flush(summary, reply)
            }
        };
        if self.next.tell(out).await.is_ok() {
            self.deepest = self.deepest.max(self.next.mailbox_len());
        }
    }
}

/// Stage 2: converts millivolts to millidegrees.
struct Calibrate {
    next: ActorRef<Aggregate>,
    deepest: usize,
}

impl Actor for Calibrate {
    type Msg = Flow<Sample>;

    async fn handle(&mut self, msg: Flow<Sample>, _: &mut Context<Self>) {
        let out = match msg {
            Flow::Item(s) => Flow::Item(Reading {
                sensor: s.sensor,
                millicelsius: (i64::from(s.millivolts) - 500) * 100,
            }),
            Flow::Flush(mut summary, reply) => {
                summary.deepest_next.push(self.deepest);
                Flow::Flush(summary, reply)
            }
        };
        if self.next.tell(out).await.is_ok() {
            self.deepest = self.deepest.max(self.next.mailbox_len());
        }
    }
}

/// Stage 3: per-sensor counts and sums.
struct Aggregate {
    per_sensor: [(u64, i64); SENSORS],
}

impl Actor for Aggregate {
    type Msg = Flow<Reading>;

    async fn handle(&mut self, msg: Flow<Reading>, _: &mut Context<Self>) {
        match msg {
            Flow::Item(r) => {
                let (count, sum) = &mut self.per_sensor[r.sensor];
                *count += 1;
                *sum += r.millicelsius;
            }
            Flow::Flush(mut summary, reply) => {
                summary.readings = self.per_sensor.iter().map(|(c, _)| c).sum();
                summary.total_millicelsius = self.per_sensor.iter().map(|(_, s)| s).sum();
                summary.hottest = (0..SENSORS)
                    .filter(|&i| self.per_sensor[i].0 > 0)
                    .map(|i| (i, self.per_sensor[i].1 / self.per_sensor[i].0 as i64))
                    .max_by_key(|&(_, mean)| mean);
                reply.send(summary);
            }
        }
    }
}

/// Sample `i`: deterministic; sensors 0 to 4 sometimes report negative values.
fn sample(i: u64) -> Sample {
    let sensor = (i % SENSORS as u64) as usize;
    let millivolts = (i * 7_919 % 1_500) as i32 - 50 + sensor as i32 * 10;
    Sample { sensor, millivolts }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::builder().shards(3).build()?;
    let on = |shard| SpawnOptions::new().shard(shard).mailbox_capacity(CAPACITY);
    let aggregate = rt.spawn_with(on(2), || Aggregate {
        per_sensor: [(0, 0); SENSORS],
    })?;
    let calibrate = rt.spawn_with(on(1), move || Calibrate {
        next: aggregate,
        deepest: 0,
    })?;
    let validate = rt.spawn_with(on(0), move || Validate {
        next: calibrate,
        rejected: 0,
        deepest: 0,
    })?;

    let started = Instant::now();
    for i in 0..SAMPLES {
        validate.tell_blocking(Flow::Item(sample(i)))?;
    }
    let summary = validate.ask_blocking(|reply| Flow::Flush(Summary::default(), reply))?;
    let took = started.elapsed();

    let mut expected = Summary::default();
    for s in (0..SAMPLES).map(sample) {
        if s.millivolts < 0 {
            expected.rejected += 1;
        } else {
            expected.readings += 1;
            expected.total_millicelsius += (i64::from(s.millivolts) - 500) * 100;
        }
    }
    println!(
        "{SAMPLES} samples through 3 shards in {took:?}: {:.0} samples/s end to end",
        SAMPLES as f64 / took.as_secs_f64()
    );
    println!(
        "  {} rejected, {} readings, mean {:.2} °C",
        summary.rejected,
        summary.readings,
        summary.total_millicelsius as f64 / summary.readings.max(1) as f64 / 1_000.0
    );
    if let Some((sensor, mean)) = summary.hottest {
        println!(
            "  hottest sensor: {sensor}, mean {:.2} °C",
            mean as f64 / 1_000.0
        );
    }
    println!(
        "  deepest mailbox seen downstream of each stage: {:?} (capacity {CAPACITY})",
        summary.deepest_next
    );
    let bounded = summary.deepest_next.iter().all(|&d| d <= 2 * CAPACITY);
    let totals = (
        summary.rejected,
        summary.readings,
        summary.total_millicelsius,
    );
    if totals
        != (
            expected.rejected,
            expected.readings,
            expected.total_millicelsius,
        )
        || !bounded
    {
        return Err(format!("expected {expected:?}, got {summary:?}").into());
    }
    rt.shutdown()?;
    Ok(())
}
