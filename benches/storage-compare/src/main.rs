//! Pinion's storage side by side with fio, fjall and redb, on the file
//! system of `--dir` (default: `./storage-compare-data`), in one run:
//! durable puts one per commit and in groups of 100, many concurrent
//! durable writers, warm random point reads, reopening, and 4 KiB random
//! `O_DIRECT` reads at depth 1 and 32 against fio. Prints one markdown
//! table per workload. `--quick` runs every workload small, to check the
//! harness, not to measure.

mod blocks;
mod engines;
mod on_shard;
mod stats;

use std::path::PathBuf;

use actor_core::config::Profile;
use engines::{BareLog, Engine, Fjall, Pinion, Redb};
use stats::{Outcome, human};

/// Sizes of one run.
struct Sizes {
    singles: u64,
    groups: u64,
    writers: usize,
    per_writer: u64,
    keys: u64,
    reads: u64,
    block_file: u64,
    block_reads: u64,
}

const FULL: Sizes = Sizes {
    singles: 5_000,
    groups: 500,
    writers: 64,
    per_writer: 100,
    keys: 1_000_000,
    reads: 1_000_000,
    block_file: 1 << 30,
    block_reads: 50_000,
};

const QUICK: Sizes = Sizes {
    singles: 50,
    groups: 5,
    writers: 8,
    per_writer: 5,
    keys: 2_000,
    reads: 2_000,
    block_file: 16 << 20,
    block_reads: 500,
};

/// A 16-byte key.
fn key(i: u64) -> Vec<u8> {
    format!("key{i:013}").into_bytes()
}

fn writer_key(w: usize, i: u64) -> Vec<u8> {
    format!("w{w:04}-{i:010}").into_bytes()
}

const VALUE: [u8; 100] = [0x5A; 100];

/// A small xorshift, so runs are repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// Keys per call of the batched point reads.
const PER_CALL: usize = 64;

/// One engine's row of the main table, and of the read table.
struct Rows {
    main: Vec<[String; 6]>,
    reads: Vec<[String; 4]>,
}

/// The warm random point reads of one engine whose `s.keys` keys are
/// loaded: every key read once, then the measured reads.
fn point_reads(e: &mut dyn Engine, name: &str, s: &Sizes) -> (Outcome, [String; 4]) {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut sample = |n: u64| -> Vec<Vec<u8>> {
        (0..n)
            .map(|_| key(2_000_000_000 + rng.next() % s.keys))
            .collect()
    };
    let all: Vec<Vec<u8>> = (0..s.keys).map(|i| key(2_000_000_000 + i)).collect();
    e.reads_batched(&all, PER_CALL);
    drop(all);
    let reads = e.reads(&sample(s.reads));
    let batched = e.reads_batched(&sample(s.reads), PER_CALL);
    let from_thread = e.reads_from_thread(&sample(s.reads / 10));
    let row = [
        name.to_owned(),
        reads.cell(),
        format!("{}/s", human(batched.rate())),
        from_thread.map_or_else(|| "(same)".to_owned(), |o| o.cell()),
    ];
    (reads, row)
}

fn run_engine(mut e: Box<dyn Engine>, s: &Sizes, rows: &mut Rows) {
    let name = e.name();
    eprintln!("{name}: durable puts");
    let singles = Outcome::timed(s.singles, |i| e.put_durable(&key(i), &VALUE));
    eprintln!("{name}: groups of 100");
    let groups = {
        let o = Outcome::timed(s.groups, |g| {
            let items: Vec<_> = (0..100)
                .map(|j| (key(1_000_000_000 + g * 100 + j), VALUE.to_vec()))
                .collect();
            e.batch_durable(&items);
        });
        Outcome {
            ops: o.ops * 100,
            elapsed: o.elapsed,
            latencies: Vec::new(),
        }
    };
    eprintln!("{name}: concurrent writers");
    let concurrent = e.concurrent(s.writers, s.per_writer, writer_key, &VALUE);
    eprintln!("{name}: loading {} keys", s.keys);
    let mut loaded = 0;
    while loaded < s.keys {
        let n = (s.keys - loaded).min(1000);
        let items: Vec<_> = (loaded..loaded + n)
            .map(|i| (key(2_000_000_000 + i), VALUE.to_vec()))
            .collect();
        e.batch_durable(&items);
        loaded += n;
    }
    eprintln!("{name}: point reads");
    let (reads, read_row) = point_reads(e.as_mut(), name, s);
    rows.reads.push(read_row);
    eprintln!("{name}: reopen");
    let reopen = e.reopen();
    rows.main.push([
        name.to_owned(),
        singles.cell(),
        format!("{}/s", human(groups.rate())),
        format!("{}/s", human(concurrent.rate())),
        reads.cell(),
        format!("{:.1} ms", reopen.as_secs_f64() * 1e3),
    ]);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let dir = args
        .iter()
        .position(|a| a == "--dir")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("storage-compare-data"));
    let s = if quick { &QUICK } else { &FULL };
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let mut rows = Rows {
        main: Vec::new(),
        reads: Vec::new(),
    };
    run_engine(Box::new(Pinion::open(&dir.join("pinion"))), s, &mut rows);
    // The same store's reads on a runtime of the LowLatency profile, whose
    // shards spin 200 µs (not 20) before parking: a read sent to a shard
    // that has parked waits for its wake-up.
    eprintln!("pinion KvStore, LowLatency profile: point reads");
    let mut low = Pinion::open_with(&dir.join("pinion"), Some(Profile::LowLatency));
    let (_, row) = point_reads(&mut low, "pinion KvStore, LowLatency profile", s);
    drop(low);
    rows.reads.insert(1, row);
    run_engine(Box::new(Fjall::open(&dir.join("fjall"))), s, &mut rows);
    std::fs::create_dir_all(dir.join("redb")).unwrap();
    run_engine(Box::new(Redb::open(&dir.join("redb"))), s, &mut rows);

    eprintln!("bare append + fdatasync");
    let mut bare = BareLog::open(&dir, s.singles * 200);
    let record = [0x5Au8; 132];
    let floor = Outcome::timed(s.singles, |_| bare.append(&record));

    println!(
        "| engine | durable put, one per commit (p50 / p99) | durable puts, groups of 100 | {} concurrent durable writers | warm point reads, {} keys (p50 / p99) | reopen |",
        s.writers, s.keys
    );
    println!("|---|---|---|---|---|---|");
    for r in &rows.main {
        println!("| {} |", r.join(" | "));
    }
    println!(
        "| append + fdatasync, zero-filled file | {} | | | | |",
        floor.cell()
    );
    println!();
    println!(
        "| warm random point reads, {} keys | one at a time (p50 / p99) | {PER_CALL} keys per call | one at a time from an outside thread (p50 / p99) |",
        s.keys
    );
    println!("|---|---|---|---|");
    for r in &rows.reads {
        println!("| {} |", r.join(" | "));
    }

    eprintln!("4 KiB random O_DIRECT reads");
    let path = dir.join("blocks.dat");
    blocks::fill(&path, s.block_file);
    let mut table = Vec::new();
    for depth in [1usize, 32] {
        let pinion = blocks::pinion_random_reads(&path, s.block_file, s.block_reads, depth);
        let fio = blocks::fio_random_reads(&path, s.block_file, depth, if quick { 1 } else { 10 });
        table.push((depth, pinion, fio));
    }
    println!();
    println!("| 4 KiB random read, O_DIRECT | pinion File (io_uring shard) | fio (io_uring) |");
    println!("|---|---|---|");
    for (depth, pinion, fio) in table {
        let fio = fio.map_or_else(
            || "fio not found".to_owned(),
            |iops| format!("{}/s", human(iops)),
        );
        println!("| depth {depth} | {} | {fio} |", pinion.cell());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
