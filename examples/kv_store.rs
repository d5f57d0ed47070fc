//! A sharded, durable key-value service over HTTP: one `KvStore` partition
//! per shard, each a supervised child pinned to its shard, every write
//! acknowledged only after `fdatasync` (writes that arrive during a sync
//! share the next one: group commit).
//!
//! ```text
//! cargo run --release -p examples --example kv_store
//! curl -X PUT --data-binary world localhost:8080/kv/hello   # 204 once durable
//! curl localhost:8080/kv/hello                               # world
//! curl 'localhost:8080/kv?from=a&to=z&limit=10'              # key<TAB>value lines
//! curl -X DELETE localhost:8080/kv/hello
//! ```
//!
//! Keys are the path after `/kv/`, percent-decoded (1 to 1024 bytes);
//! values are request bodies of up to 1 MiB. In a listing, keys and values
//! are percent-encoded. Bad keys or ranges get 400, larger bodies 413.
//!
//! Data lives in `PINION_KV_DIR` (default: a new directory under the
//! system's temp dir); reopen it with the same shard count (`PINION_SHARDS`).
//! It listens on `PINION_HTTP_PORT` (default 8080). With
//! `PINION_HTTP_SECONDS=N` it first checks itself over TCP (puts, gets,
//! listings, deletes, writers on 8 connections at once, bad requests; any
//! wrong answer is a non-zero exit),
//! then serves until N seconds have passed; otherwise until its standard
//! input closes.
//!
//! No acknowledged write is lost to `kill -9`: write in a loop, recording
//! each acknowledged key, kill the server mid-loop, restart it on the same
//! directory and read every recorded key back.
//!
//! ```text
//! cargo build --release -p examples --example kv_store
//! # A bounded run: in the background, standard input is closed at once.
//! export PINION_KV_DIR=/tmp/kv PINION_HTTP_SECONDS=3600
//! target/release/examples/kv_store & server=$!; sleep 1
//! (for i in $(seq 100000); do
//!   curl -sf -X PUT --data-binary "v$i" localhost:8080/kv/k$i && echo $i > /tmp/acked
//! done) & writer=$!
//! sleep 3; kill -9 $server; sleep 0.5; kill $writer
//! target/release/examples/kv_store & sleep 1
//! for i in $(seq $(cat /tmp/acked)); do
//!   [ "$(curl -s localhost:8080/kv/k$i)" = "v$i" ] || echo "lost k$i"
//! done; kill $!
//! ```

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use actor_core::Runtime;
use actor_io::http::{Limits, Method, Request, Response, StatusCode};
use actor_io::server::{HttpServer, Routes};
use actor_storage::kv::{Durability, KvError, KvOptions, KvPartition, KvStore};
use actor_supervisor::{ChildSpec, Supervisor};

/// The longest key, in bytes.
const MAX_KEY: usize = 1024;
/// The largest value (request body), in bytes.
const MAX_VALUE: u64 = 1 << 20;
/// Entries a listing returns when `limit` is not given, and at most.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 10_000;

type Answer = Result<Response, Response>;

fn main() -> std::process::ExitCode {
    let (dir, temporary) = match std::env::var_os("PINION_KV_DIR") {
        Some(d) => (PathBuf::from(d), false),
        None => {
            let name = format!("pinion-kv-{}", std::process::id());
            (std::env::temp_dir().join(name), true)
        }
    };
    let outcome = serve(&dir);
    if temporary
        && dir.exists()
        && let Err(e) = std::fs::remove_dir_all(&dir)
    {
        eprintln!("kv_store: could not remove {}: {e}", dir.display());
    }
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("kv_store: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn serve(dir: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = env_or("PINION_HTTP_PORT", 8080)?;
    let seconds: Option<u64> = match std::env::var("PINION_HTTP_SECONDS") {
        Ok(s) => Some(s.parse().map_err(|_| "PINION_HTTP_SECONDS: not a number")?),
        Err(_) => None,
    };
    let started = Instant::now();

    // Reads PINION_PROFILE, PINION_SHARDS and PINION_DRIVER.
    let rt = Runtime::new()?;
    let shards = rt.shards();

    // One partition per storage shard (every shard unless the runtime's
    // roles dedicate some to storage), each a child restarted on its shard
    // (and recovered from its own files) if it fails.
    let storage = actor_storage::storage_shards(rt.handle());
    let mut tree = Supervisor::builder().intensity(10, Duration::from_secs(5));
    for (i, &shard) in storage.iter().enumerate() {
        let base = dir.to_path_buf();
        let spec = ChildSpec::new(partition_name(i), move || {
            KvStore::partition(&base, KvOptions::default(), i)
        });
        tree = tree.child_spec(spec.shard(shard));
    }
    let tree = tree.spawn_blocking(rt.handle())?;
    let members = (0..storage.len())
        .map(|i| tree.child::<KvPartition>(&partition_name(i)))
        .collect::<Result<Vec<_>, _>>()?;
    let store = rt.block_on(KvStore::from_partitions(dir, members))?;
    let recovered: u64 = store.recovery().iter().map(|r| r.records).sum();

    let routes = Routes::new()
        .route_async(Method::GET, "/kv/*", with_store(&store, get_key))
        .route_async(Method::PUT, "/kv/*", with_store(&store, put_key))
        .route_async(Method::DELETE, "/kv/*", with_store(&store, delete_key))
        .route_async(Method::GET, "/kv", with_store(&store, list_range));
    let mut limits = Limits::default();
    limits.max_body_bytes = MAX_VALUE;
    let addr = SocketAddr::from(([0, 0, 0, 0], port));
    let server = HttpServer::new(routes)
        .limits(limits)
        .start(rt.handle(), addr)?;
    println!(
        "listening on http://{} with {shards} shards ({:?}); data in {} ({recovered} records recovered)",
        server.local_addr(),
        rt.driver(),
        dir.display(),
    );

    let outcome = match seconds {
        Some(s) => {
            let checked = check_itself(server.local_addr().port());
            if checked.is_ok() {
                println!("self-check passed");
                let end = started + Duration::from_secs(s);
                std::thread::sleep(end.saturating_duration_since(Instant::now()));
            }
            checked
        }
        None => {
            let mut sink = [0u8; 256];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
            Ok(())
        }
    };

    server.stop_and_wait(Duration::from_secs(5));
    tree.shutdown_blocking(Duration::from_secs(5))?;
    rt.shutdown()?;
    outcome?;
    println!("stopped");
    Ok(())
}

fn partition_name(i: usize) -> String {
    format!("kv-{i}")
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T, String> {
    match std::env::var(name) {
        Ok(s) => s.parse().map_err(|_| format!("{name}: cannot parse {s:?}")),
        Err(_) => Ok(default),
    }
}

/// A route handler over a clone of `store`.
fn with_store<Fut>(
    store: &KvStore,
    handler: fn(KvStore, Request) -> Fut,
) -> impl Fn(Request) -> std::pin::Pin<Box<dyn Future<Output = Response>>> + Send + Sync + 'static
where
    Fut: Future<Output = Answer> + 'static,
{
    let store = store.clone();
    move |request| {
        let answer = handler(store.clone(), request);
        Box::pin(async move { answer.await.unwrap_or_else(|error| error) })
    }
}

async fn get_key(store: KvStore, request: Request) -> Answer {
    let key = key_of(&request)?;
    match store.get(&key).await.map_err(storage_error)? {
        Some(value) => Ok(Response::new(StatusCode::OK)
            .with_header("Content-Type", "application/octet-stream")
            .with_body(value)),
        None => Err(text(StatusCode::NOT_FOUND, "no such key\n")),
    }
}

async fn put_key(store: KvStore, request: Request) -> Answer {
    let key = key_of(&request)?;
    store
        .put(&key, &request.body, Durability::Durable)
        .await
        .map_err(storage_error)?;
    Ok(Response::new(StatusCode::NO_CONTENT))
}

async fn delete_key(store: KvStore, request: Request) -> Answer {
    let key = key_of(&request)?;
    store
        .delete(&key, Durability::Durable)
        .await
        .map_err(storage_error)?;
    Ok(Response::new(StatusCode::NO_CONTENT))
}

/// `GET /kv?from=<key>&to=<key>&limit=<n>`: entries with `from <= key <
/// to` (either bound may be left out), in key order.
async fn list_range(store: KvStore, request: Request) -> Answer {
    let (mut from, mut to, mut limit) = (None, None, DEFAULT_LIMIT);
    for pair in request.query().unwrap_or("").split('&') {
        if pair.is_empty() {
            continue;
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "from" => from = Some(percent_decode(value).map_err(bad_request)?),
            "to" => to = Some(percent_decode(value).map_err(bad_request)?),
            "limit" => {
                limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| bad_request(format!("limit: a number from 1 to {MAX_LIMIT}")))?;
            }
            other => return Err(bad_request(format!("unknown parameter {other:?}"))),
        }
    }
    if let (Some(f), Some(t)) = (&from, &to)
        && f > t
    {
        return Err(bad_request("from must not sort after to".into()));
    }
    let start = from.map_or(Bound::Unbounded, Bound::Included);
    let end = to.map_or(Bound::Unbounded, Bound::Excluded);
    let entries = store
        .range((start, end), limit)
        .await
        .map_err(storage_error)?;
    let mut body = String::new();
    for (key, value) in &entries {
        body.push_str(&percent_encode(key));
        body.push('\t');
        body.push_str(&percent_encode(value));
        body.push('\n');
    }
    Ok(text(StatusCode::OK, &body))
}

/// The key of a `/kv/<key>` request, percent-decoded and checked.
fn key_of(request: &Request) -> Result<Vec<u8>, Response> {
    let raw = request.path().strip_prefix("/kv/").unwrap_or("");
    let key = percent_decode(raw).map_err(bad_request)?;
    if key.is_empty() || key.len() > MAX_KEY {
        return Err(bad_request(format!("a key is 1 to {MAX_KEY} bytes")));
    }
    Ok(key)
}

/// What a failed store operation tells the client.
fn storage_error(error: KvError) -> Response {
    let status = match error {
        KvError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        KvError::Unavailable(_) | KvError::Poisoned(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    text(status, &format!("{error}\n"))
}

fn bad_request(reason: String) -> Response {
    text(StatusCode::BAD_REQUEST, &format!("{reason}\n"))
}

fn text(status: StatusCode, body: &str) -> Response {
    Response::new(status)
        .with_header("Content-Type", "text/plain; charset=utf-8")
        .with_body(body)
}

/// `%XX` escapes to bytes; a `%` not followed by two hex digits is an error.
fn percent_decode(s: &str) -> Result<Vec<u8>, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent escape at byte {i} of {s:?}"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Ok(out)
}

/// Bytes outside `[A-Za-z0-9-._~/]` as `%XX`.
fn percent_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Talks to the server as a client would, over TCP; an `Err` names the
/// first wrong answer.
fn check_itself(port: u16) -> Result<(), String> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let call = |method: &str, target: &str, body: &[u8]| {
        http_call(addr, method, target, body).map_err(|e| format!("{method} {target}: {e}"))
    };
    let expect = |method: &str, target: &str, body: &[u8], status: u16, want: Option<&[u8]>| {
        let (got_status, got_body) = call(method, target, body)?;
        let body_ok = want.is_none_or(|w| w == got_body.as_slice());
        if got_status != status || !body_ok {
            return Err(format!(
                "{method} {target}: got {got_status} {:?}, wanted {status} {:?}",
                String::from_utf8_lossy(&got_body),
                want.map(String::from_utf8_lossy),
            ));
        }
        Ok(())
    };

    let run = format!("self-check-{}", std::process::id());
    for i in 0..8 {
        let value = format!("value {i}");
        expect(
            "PUT",
            &format!("/kv/{run}/{i}"),
            value.as_bytes(),
            204,
            None,
        )?;
    }
    for i in 0..8 {
        let value = format!("value {i}");
        expect(
            "GET",
            &format!("/kv/{run}/{i}"),
            b"",
            200,
            Some(value.as_bytes()),
        )?;
    }
    // A key with bytes that need escaping, and a value that is not text.
    expect(
        "PUT",
        &format!("/kv/{run}/a%20b%FF"),
        &[0, 255, 10],
        204,
        None,
    )?;
    let listing = format!("/kv?from={run}/&to={run}/~&limit=100");
    let mut want = String::new();
    for i in 0..8 {
        want.push_str(&format!("{run}/{i}\tvalue%20{i}\n"));
    }
    want.push_str(&format!("{run}/a%20b%FF\t%00%FF%0A\n"));
    expect("GET", &listing, b"", 200, Some(want.as_bytes()))?;

    for i in 0..8 {
        expect("DELETE", &format!("/kv/{run}/{i}"), b"", 204, None)?;
        expect("GET", &format!("/kv/{run}/{i}"), b"", 404, None)?;
    }
    expect("DELETE", &format!("/kv/{run}/a%20b%FF"), b"", 204, None)?;
    expect("GET", &listing, b"", 200, Some(b""))?;

    // Writers on several connections at once (their durable writes share
    // syncs), then every one of their keys read back in one listing.
    let (writers, each) = (8, 8);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|w| {
                let (run, expect) = (&run, &expect);
                scope.spawn(move || {
                    (0..each).try_for_each(|i| {
                        expect("PUT", &format!("/kv/{run}/c{w}-{i}"), b"x", 204, None)
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .try_for_each(|h| h.join().unwrap_or_else(|_| Err("a writer panicked".into())))
    })?;
    let (status, listed) = call(
        "GET",
        &format!("/kv?from={run}/c&to={run}/d&limit=1000"),
        b"",
    )?;
    let lines = listed
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    if status != 200 || lines != writers * each {
        return Err(format!(
            "concurrent writes: got {status} with {lines} keys, wanted 200 with {}",
            writers * each
        ));
    }
    for w in 0..writers {
        for i in 0..each {
            expect("DELETE", &format!("/kv/{run}/c{w}-{i}"), b"", 204, None)?;
        }
    }

    // Bad input gets a clear error, and the server keeps serving.
    expect("GET", "/kv/bad%zzescape", b"", 400, None)?;
    expect(
        "PUT",
        &format!("/kv/{}", "k".repeat(MAX_KEY + 1)),
        b"v",
        400,
        None,
    )?;
    expect("GET", "/kv?from=b&to=a", b"", 400, None)?;
    expect("GET", "/kv?limit=0", b"", 400, None)?;
    expect("GET", "/kv?colour=red", b"", 400, None)?;
    let (status, _) = http_call_head_only(addr, "PUT", "/kv/big", MAX_VALUE + 1)
        .map_err(|e| format!("oversized PUT: {e}"))?;
    if status != 413 {
        return Err(format!("oversized PUT: got {status}, wanted 413"));
    }
    expect("GET", "/kv/big", b"", 404, None)
}

/// One request on its own connection: the status code and body.
fn http_call(
    addr: SocketAddr,
    method: &str,
    target: &str,
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = connect(addr)?;
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    read_response(stream)
}

/// A request head that declares `length` body bytes, sent without the
/// body: the server should refuse it on the head alone.
fn http_call_head_only(
    addr: SocketAddr,
    method: &str,
    target: &str,
    length: u64,
) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = connect(addr)?;
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes())?;
    read_response(stream)
}

fn connect(addr: SocketAddr) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    Ok(stream)
}

/// Reads a whole `Connection: close` response.
fn read_response(mut stream: TcpStream) -> std::io::Result<(u16, Vec<u8>)> {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let invalid =
        |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| invalid("no end of head"))?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| invalid("head is not UTF-8"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| invalid("no status code"))?;
    Ok((status, raw[split + 4..].to_vec()))
}
