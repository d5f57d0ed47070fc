//! An HTTP/1.1 server on every shard: the TechEmpower `/plaintext` and
//! `/json` routes, a key-value store kept by one actor per shard
//! (`GET`/`PUT /kv/<key>`), and `/metrics`, `/health`, `/ready`, `/alive`.
//!
//! ```text
//! cargo run --release -p examples --example http_server
//! curl localhost:8080/plaintext
//! curl -X PUT --data-binary world localhost:8080/kv/hello
//! curl localhost:8080/kv/hello
//! ```
//!
//! It runs with the zero-config defaults, or the profile `PINION_PROFILE`
//! names (`low-latency`, `performance`, ...). It listens on
//! `PINION_HTTP_PORT` (default 8080). With
//! `PINION_HTTP_SECONDS=N` it stops after N seconds; otherwise it runs until
//! its standard input closes (Ctrl-D) or it is interrupted (Ctrl-C).

use std::collections::HashMap;
use std::io::Read;
use std::net::SocketAddr;
use std::time::Duration;

use actor_core::partition::Sharded;
use actor_core::{Actor, Context, Runtime};
use actor_io::http::{HeaderBlock, Request, Response, ResponseWriter, StatusCode};
use actor_io::observe::{Exporter, Health};
use actor_io::server::{HttpCall, HttpServer, Routes};

/// One shard's slice of the key-value store.
struct Store(HashMap<String, Vec<u8>>);

/// The store's only message: an HTTP request to answer.
struct StoreMsg(HttpCall);

impl From<HttpCall> for StoreMsg {
    fn from(call: HttpCall) -> Self {
        StoreMsg(call)
    }
}

impl Actor for Store {
    type Msg = StoreMsg;

    async fn handle(&mut self, StoreMsg(call): StoreMsg, _: &mut Context<Self>) {
        let HttpCall { request, reply } = call;
        let key = kv_key(&request);
        let response = match request.method.as_str() {
            "PUT" => {
                let created = self.0.insert(key, request.body).is_none();
                Response::new(if created {
                    StatusCode::CREATED
                } else {
                    StatusCode::NO_CONTENT
                })
            }
            _ => match self.0.get(&key) {
                Some(value) => Response::new(StatusCode::OK)
                    .with_header("Content-Type", "application/octet-stream")
                    .with_body(value.clone()),
                None => Response::new(StatusCode::NOT_FOUND).with_body("no such key\n"),
            },
        };
        reply.send(response);
    }
}

/// `/kv/<key>` → `<key>`.
fn kv_key(request: &Request) -> String {
    request.path().trim_start_matches("/kv/").to_owned()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PINION_HTTP_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8080);
    let seconds: Option<u64> = std::env::var("PINION_HTTP_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());

    // Reads PINION_PROFILE, PINION_SHARDS and PINION_DRIVER.
    let rt = Runtime::new()?;
    let store = Sharded::spawn(rt.handle(), |_| Store(HashMap::new()))?;
    let health = Health::new(rt.handle())?;
    let exporter = Exporter::new(rt.handle().clone())?;

    // The fixed answers are written straight into the connection's output,
    // their header fields encoded once here.
    let text = HeaderBlock::new([("Content-Type", "text/plain"), ("Server", "pinion")])?;
    let json = HeaderBlock::new([("Content-Type", "application/json"), ("Server", "pinion")])?;
    let routes = Routes::new()
        .get_direct("/plaintext", move |_: &Request, w: ResponseWriter<'_>| {
            w.send(StatusCode::OK, &text, b"Hello, World!")
        })
        .get_direct("/json", move |_: &Request, w: ResponseWriter<'_>| {
            w.send(StatusCode::OK, &json, br#"{"message":"Hello, World!"}"#)
        })
        .route_sharded("GET", "/kv/*", store.clone(), kv_key)
        .route_sharded("PUT", "/kv/*", store, kv_key)
        .observability(exporter, health.clone());

    let addr = SocketAddr::from(([0, 0, 0, 0], port));
    let server = HttpServer::new(routes).start(rt.handle(), addr)?;
    health.set_ready(true);
    println!(
        "listening on http://{} with {} shards ({:?})",
        server.local_addr(),
        rt.shards(),
        rt.driver()
    );

    match seconds {
        Some(s) => std::thread::sleep(Duration::from_secs(s)),
        None => {
            // Until standard input reaches its end.
            let mut sink = [0u8; 256];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        }
    }

    health.set_ready(false);
    server.stop_and_wait(Duration::from_secs(5));
    rt.shutdown()?;
    println!("stopped");
    Ok(())
}
