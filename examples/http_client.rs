//! The HTTP client: fetches from a tiny in-process server (a plain thread
//! speaking HTTP/1.1), showing keep-alive reuse and a chunked response,
//! then exits. Works offline.
//!
//! Run with `cargo run -p examples --example http_client`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use actor_core::{Actor, BoxError, Context, Runtime};
use actor_io::client::HttpClient;

/// Starts the server; returns its base URL and its count of accepted
/// connections.
fn start_server() -> std::io::Result<(String, Arc<AtomicUsize>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            count.fetch_add(1, Ordering::SeqCst);
            std::thread::spawn(move || serve(conn));
        }
    });
    Ok((base, accepted))
}

/// Answers requests (no bodies) on one connection until the client closes.
fn serve(mut conn: std::net::TcpStream) {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&seen[..end]).to_string();
            seen.drain(..end + 4);
            let path = head.split(' ').nth(1).unwrap_or("/");
            let reply: &[u8] = if path == "/chunked" {
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
                  7\r\nchunked\r\n1\r\n \r\n8\r\nresponse\r\n0\r\n\r\n"
            } else {
                b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!"
            };
            if conn.write_all(reply).is_err() {
                return;
            }
        }
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
}

/// Runs the client's requests when it starts and reports every line.
struct Fetcher {
    base: String,
    report: Option<mpsc::Sender<String>>,
}

impl Actor for Fetcher {
    type Msg = ();

    async fn on_start(&mut self, ctx: &mut Context<Self>) -> Result<(), BoxError> {
        let base = self.base.clone();
        let report = self.report.take().ok_or("started twice")?;
        ctx.spawn_task(async move {
            let client = HttpClient::builder()
                .request_timeout(Some(Duration::from_secs(5)))
                .build();
            for path in ["/hello", "/hello", "/chunked", "/hello"] {
                let line = match client.get(&format!("{base}{path}")).await {
                    Ok(r) => {
                        let framing = if r.headers.contains("transfer-encoding") {
                            "chunked"
                        } else {
                            "content-length"
                        };
                        format!(
                            "GET {path} -> {} ({framing}): {:?}",
                            r.status,
                            String::from_utf8_lossy(&r.body)
                        )
                    }
                    Err(e) => format!("GET {path} failed: {e}"),
                };
                let _ = report.send(line);
            }
            let s = client.stats();
            let _ = report.send(format!(
                "connections opened: {}, requests on a reused connection: {}",
                s.connections_opened, s.connections_reused
            ));
        });
        Ok(())
    }

    async fn handle(&mut self, _: (), _: &mut Context<Self>) {}
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (base, accepted) = start_server()?;
    let rt = Runtime::builder().shards(1).build()?;
    println!(
        "pinion http client: {} driver, server at {base}",
        rt.driver()
    );
    let (tx, rx) = mpsc::channel();
    rt.spawn_on(0, move || Fetcher {
        base,
        report: Some(tx),
    })?;
    for line in rx.iter() {
        println!("{line}");
    }
    println!(
        "server accepted {} connection(s)",
        accepted.load(Ordering::SeqCst)
    );
    rt.shutdown()?;
    Ok(())
}
