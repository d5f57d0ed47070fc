//! Runs wrk against Pinion's `http_server` example and the two baselines
//! (hyper with one current-thread runtime per core, and may-minihttp), with
//! repetitions interleaved across servers, then prints one markdown table of
//! medians and ratios to the best baseline. A single-connection Rust client
//! measures request latency as well.
//!
//! ```text
//! cargo run --release --manifest-path benches/http-compare/Cargo.toml -- \
//!     --pinion target/release/examples/http_server
//! ```

mod client;
mod cpu;
mod floor;
mod wrk;

use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use wrk::WrkRun;

struct Options {
    secs: u32,
    reps: usize,
    conns: u32,
    depth: u32,
    threads: u32,
    pinion: Option<PathBuf>,
    pinion_env: Vec<(String, String)>,
    latency_only: bool,
}

fn parse_options() -> Options {
    let mut o = Options {
        secs: 5,
        reps: 5,
        conns: 256,
        depth: 16,
        threads: 2,
        pinion: None,
        pinion_env: Vec::new(),
        latency_only: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--secs" => o.secs = value().parse().expect("--secs N"),
            "--reps" => o.reps = value().parse().expect("--reps N"),
            "--conns" => o.conns = value().parse().expect("--conns N"),
            "--depth" => o.depth = value().parse().expect("--depth N"),
            "--threads" => o.threads = value().parse().expect("--threads N"),
            "--pinion" => o.pinion = Some(PathBuf::from(value())),
            "--latency-only" => o.latency_only = true,
            "--pinion-env" => {
                let kv = value();
                let (k, v) = kv.split_once('=').expect("--pinion-env KEY=VALUE");
                o.pinion_env.push((k.to_string(), v.to_string()));
            }
            other => panic!("unknown option {other}"),
        }
    }
    o
}

/// A server under test, running until dropped.
struct Server {
    name: String,
    port: u16,
    child: Child,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sibling(bin: &str) -> PathBuf {
    let me = std::env::current_exe().expect("current exe");
    me.with_file_name(bin)
}

fn start(name: &str, mut cmd: Command, port: u16) -> Server {
    // A piped stdin stays open until the child is killed (Pinion's example
    // stops when its stdin ends).
    let child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {name}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{name} did not listen on {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Server {
        name: name.to_string(),
        port,
        child,
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return f64::NAN;
    }
    v[v.len() / 2]
}

fn main() {
    let o = parse_options();
    let threads = o.threads.to_string();
    let mut servers = Vec::new();
    if let Some(path) = &o.pinion {
        let mut cmd = Command::new(path);
        cmd.env("PINION_HTTP_PORT", "8080");
        for (k, v) in &o.pinion_env {
            cmd.env(k, v);
        }
        servers.push(start("pinion", cmd, 8080));
    }
    let mut hyper = Command::new(sibling("hyper-server"));
    hyper.args(["8081", &threads]);
    servers.push(start("hyper", hyper, 8081));
    let mut may = Command::new(sibling("may-server"));
    may.args(["8082", &threads]);
    servers.push(start("may-minihttp", may, 8082));

    let all_configs = [("plaintext", 1u32), ("pipelined", o.depth)];
    let configs: &[(&str, u32)] = if o.latency_only { &[] } else { &all_configs };
    println!("load before: {}", loadavg());
    for s in &servers {
        for &(_, depth) in configs {
            WrkRun::new(s.port, o.conns, o.threads, 1, depth).run();
        }
    }
    // results[config][server] = (req/s samples, p99 µs samples)
    let mut results = vec![vec![(Vec::new(), Vec::new()); servers.len()]; configs.len() + 1];
    // cpu[config][server] = CPU µs per request: (server user, server kernel, wrk)
    let mut cpu = vec![vec![(Vec::new(), Vec::new(), Vec::new()); servers.len()]; configs.len()];
    for _ in 0..o.reps {
        for (ci, (_, depth)) in configs.iter().enumerate() {
            for (si, s) in servers.iter().enumerate() {
                let server_before = cpu::of_process(s.child.id());
                let wrk_before = cpu::of_waited_children();
                let r = WrkRun::new(s.port, o.conns, o.threads, o.secs, *depth).run();
                let wrk = cpu::of_waited_children().since(wrk_before);
                results[ci][si].0.push(r.requests_per_sec);
                results[ci][si].1.push(r.p99_us);
                if let (Some(before), Some(after)) = (server_before, cpu::of_process(s.child.id()))
                    && r.requests > 0
                {
                    let server = after.since(before);
                    let per = |d: Duration| d.as_secs_f64() * 1e6 / r.requests as f64;
                    cpu[ci][si].0.push(per(server.user));
                    cpu[ci][si].1.push(per(server.system));
                    cpu[ci][si].2.push(per(wrk.total()));
                }
            }
        }
        for (si, s) in servers.iter().enumerate() {
            let r = WrkRun::new(s.port, 1, 1, o.secs, 1).run();
            results[configs.len()][si].0.push(r.p50_us);
            results[configs.len()][si].1.push(r.p99_us);
        }
    }
    println!("load after: {}", loadavg());
    println!();
    println!("| config | server | req/s (median) | p99 µs | ratio to best baseline |");
    println!("|---|---|---:|---:|---:|");
    for (ci, (name, _)) in configs.iter().enumerate() {
        let rows: Vec<(f64, f64)> = results[ci]
            .iter()
            .map(|(rps, p99)| (median(rps.clone()), median(p99.clone())))
            .collect();
        let best = servers
            .iter()
            .zip(&rows)
            .filter(|(s, _)| s.name != "pinion")
            .map(|(_, r)| r.0)
            .fold(0.0, f64::max);
        for (s, (rps, p99)) in servers.iter().zip(&rows) {
            println!(
                "| {name} c{} | {} | {rps:.0} | {p99:.0} | {:.2}× |",
                o.conns,
                s.name,
                rps / best
            );
        }
    }
    if !configs.is_empty() {
        println!();
        println!(
            "CPU µs per request (medians; server and wrk share {} cores, so {} / their sum bounds req/s):",
            cores(),
            cores()
        );
        println!();
        println!("| config | server | server user | server kernel | wrk |");
        println!("|---|---|---:|---:|---:|");
        for (ci, (name, _)) in configs.iter().enumerate() {
            for (s, (user, system, wrk)) in servers.iter().zip(&cpu[ci]) {
                println!(
                    "| {name} c{} | {} | {:.2} | {:.2} | {:.2} |",
                    o.conns,
                    s.name,
                    median(user.clone()),
                    median(system.clone()),
                    median(wrk.clone())
                );
            }
        }
    }
    println!();
    println!("| latency, 1 connection | server | p50 µs | p99 µs | p50 ratio to best baseline |");
    println!("|---|---|---:|---:|---:|");
    let wrk_rows: Vec<(f64, f64)> = results[configs.len()]
        .iter()
        .map(|(p50, p99)| (median(p50.clone()), median(p99.clone())))
        .collect();
    let client_rows = |wait| -> Vec<(f64, f64)> {
        servers
            .iter()
            .map(|s| client::latency(s.port, 20_000 * o.reps, wait))
            .collect()
    };
    let blocking = client_rows(client::Wait::Block);
    let busy = client_rows(client::Wait::BusyPoll);
    let floor_port = floor::spinning_server(2);
    let floor = [
        client::latency(floor_port, 20_000 * o.reps, client::Wait::Block),
        client::latency(floor_port, 20_000 * o.reps, client::Wait::BusyPoll),
    ];
    for (label, rows, floor) in [
        ("wrk -c1", &wrk_rows, None),
        ("rust client", &blocking, Some(floor[0])),
        ("rust client, busy-polling", &busy, Some(floor[1])),
    ] {
        let best = servers
            .iter()
            .zip(rows.iter())
            .filter(|(s, _)| s.name != "pinion")
            .map(|(_, r)| r.0)
            .fold(f64::INFINITY, f64::min);
        for (s, (p50, p99)) in servers.iter().zip(rows.iter()) {
            println!(
                "| {label} | {} | {p50:.1} | {p99:.1} | {:.2}× |",
                s.name,
                p50 / best
            );
        }
        if let Some((p50, p99)) = floor {
            println!(
                "| {label} | floor: std socket spinning on read | {p50:.1} | {p99:.1} | {:.2}× |",
                p50 / best
            );
        }
    }
}
