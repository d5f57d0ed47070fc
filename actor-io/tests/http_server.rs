//! The HTTP/1.1 server end to end over loopback, from plain client threads,
//! under whichever driver PINION_DRIVER picks.

mod common;
mod server_util;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use actor_core::partition::Sharded;
use actor_core::{Actor, Context, Runtime};
use actor_io::http::{Limits, Request, Response, StatusCode};
use actor_io::observe::{Exporter, Health};
use actor_io::server::{HttpCall, HttpCounts, HttpServer, Routes, ServerHandle};
use common::rt2;
use server_util::{Client, body_text, get, header};

/// `len` bytes counting up modulo `modulus`: a body whose every byte says
/// where it belongs.
fn pattern(len: u32, modulus: u32) -> Vec<u8> {
    (0..len).map(|i| (i % modulus) as u8).collect()
}

/// A key-value store member: one per shard, serving `/kv/<key>`.
struct Kv(HashMap<String, Vec<u8>>);

struct KvMsg(HttpCall);

impl From<HttpCall> for KvMsg {
    fn from(call: HttpCall) -> Self {
        KvMsg(call)
    }
}

impl Actor for Kv {
    type Msg = KvMsg;

    async fn handle(&mut self, KvMsg(call): KvMsg, _: &mut Context<Self>) {
        let key = call.request.path().trim_start_matches("/kv/").to_owned();
        let response = match call.request.method.as_str() {
            "PUT" => {
                self.0.insert(key, call.request.body);
                Response::new(StatusCode::NO_CONTENT)
            }
            _ => match self.0.get(&key) {
                Some(v) => Response::new(StatusCode::OK).with_body(v.clone()),
                None => Response::new(StatusCode::NOT_FOUND),
            },
        };
        call.reply.send(response);
    }
}

/// An actor that drops every reply unanswered.
struct Mute;

impl Actor for Mute {
    type Msg = KvMsg;

    async fn handle(&mut self, KvMsg(call): KvMsg, _: &mut Context<Self>) {
        drop(call);
    }
}

fn routes(rt: &Runtime) -> Routes {
    let kv = Sharded::spawn(rt.handle(), |_| Kv(HashMap::new())).unwrap();
    let dead = rt.handle().spawn(|| Kv(HashMap::new())).unwrap();
    dead.stop();
    assert!(dead.wait_stopped_blocking(Duration::from_secs(10)).is_ok());
    let mute = rt.handle().spawn(|| Mute).unwrap();
    let key = |r: &Request| r.path().trim_start_matches("/kv/").to_owned();
    Routes::new()
        .get("/hello", |_: &Request| {
            Response::new(StatusCode::OK).with_body("Hello, World!")
        })
        .route("POST", "/echo", |r: &Request| {
            Response::new(StatusCode::OK).with_body(r.body.clone())
        })
        .get("/q", |r: &Request| {
            Response::new(StatusCode::OK).with_body(r.query().unwrap_or("").to_owned())
        })
        .get("/big", |_: &Request| {
            Response::new(StatusCode::OK).with_body(pattern(1_000_000, 251))
        })
        .get("/big-chunked", |_: &Request| {
            Response::new(StatusCode::OK)
                .with_body(pattern(40_000, 241))
                .with_chunked_framing()
        })
        .get("/bad-header", |_: &Request| {
            Response::new(StatusCode::OK).with_header("X-Evil", "a\r\nInjected: 1")
        })
        .route_async("GET", "/async", |r: Request| async move {
            actor_core::time::sleep(Duration::from_millis(1)).await;
            Response::new(StatusCode::OK).with_body(r.query().unwrap_or("").to_owned())
        })
        .route_sharded("GET", "/kv/*", kv.clone(), key)
        .route_sharded("PUT", "/kv/*", kv, key)
        .route_actor("GET", "/dead", dead)
        .route_actor("GET", "/mute", mute)
}

fn start(rt: &Runtime) -> ServerHandle {
    HttpServer::new(routes(rt))
        .start(rt.handle(), "127.0.0.1:0".parse().unwrap())
        .expect("server starts")
}

#[test]
fn get_post_keep_alive_and_close() {
    let rt = rt2();
    let server = start(&rt);
    let mut c = Client::connect(server.local_addr());
    let r = c.exchange(&get("/hello"));
    assert_eq!(
        (r.status.as_u16(), body_text(&r).as_str()),
        (200, "Hello, World!")
    );
    assert!(header(&r, "date").is_some());
    assert!(header(&r, "connection").is_none());
    // The same connection serves the next requests.
    let r = c.exchange(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    assert_eq!((r.status.as_u16(), body_text(&r).as_str()), (200, "hello"));
    let r = c.exchange(&get("/q?x=1"));
    assert_eq!(body_text(&r), "x=1");
    let r = c.exchange(b"GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(r.status.as_u16(), 200);
    assert_eq!(header(&r, "connection"), Some("close"));
    assert!(c.is_closed());
    assert!(HttpCounts::total(rt.handle()).requests >= 4);
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn http10_closes_unless_keep_alive() {
    let rt = rt2();
    let server = start(&rt);
    let mut c = Client::connect(server.local_addr());
    let r = c.exchange(b"GET /hello HTTP/1.0\r\n\r\n");
    assert_eq!(r.status.as_u16(), 200);
    assert!(c.is_closed());
    let mut c = Client::connect(server.local_addr());
    let r = c.exchange(b"GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(header(&r, "connection"), Some("keep-alive"));
    let r = c.exchange(b"GET /hello HTTP/1.0\r\n\r\n");
    assert_eq!(r.status.as_u16(), 200);
    assert!(c.is_closed());
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn chunked_request_large_response_and_head() {
    let rt = rt2();
    let server = start(&rt);
    let mut c = Client::connect(server.local_addr());
    let r = c.exchange(
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nTrailer: x\r\n\r\n",
    );
    assert_eq!(
        (r.status.as_u16(), body_text(&r).as_str()),
        (200, "hello world")
    );
    let r = c.exchange(&get("/big"));
    assert!(r.body == pattern(1_000_000, 251), "the /big body");
    // A chunked response: three chunks on the wire, the same bytes decoded.
    let r = c.exchange(&get("/big-chunked"));
    assert!(r.chunked, "framed with Transfer-Encoding: chunked");
    assert!(!r.headers.contains("content-length"));
    assert!(r.body == pattern(40_000, 241), "the /big-chunked body");
    // HEAD gets the GET route's headers without the body.
    c.send(b"HEAD /big HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let raw = String::from_utf8(c.read_to_close()).unwrap();
    assert!(raw.starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(raw.contains("Content-Length: 1000000\r\n"));
    assert!(raw.ends_with("\r\n\r\n"));
    // An HTTP/1.0 client knows no chunked framing: it gets a length.
    let mut c = Client::connect(server.local_addr());
    c.send(b"GET /big-chunked HTTP/1.0\r\n\r\n");
    let raw = c.read_to_close();
    let text = String::from_utf8_lossy(&raw);
    assert!(text.contains("Content-Length: 40000\r\n"), "{text}");
    assert!(!text.contains("Transfer-Encoding"), "{text}");
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn expect_100_continue() {
    let rt = rt2();
    let server = start(&rt);
    let mut s = std::net::TcpStream::connect(server.local_addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(
        b"POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
    )
    .unwrap();
    let mut r = BufReader::new(s.try_clone().unwrap());
    let mut line = String::new();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 100 Continue\r\n");
    line.clear();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "\r\n");
    s.write_all(b"body").unwrap();
    line.clear();
    r.read_line(&mut line).unwrap();
    assert_eq!(line, "HTTP/1.1 200 OK\r\n");
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn ten_thousand_pipelined_requests_answered_in_order() {
    const N: usize = 10_000;
    let rt = rt2();
    let server = start(&rt);
    let mut c = Client::connect(server.local_addr());
    let mut writer = c.stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let mut all = Vec::new();
        for i in 0..N {
            // Every 100th request goes through a future, the rest are sync.
            let path = if i % 100 == 0 { "/async" } else { "/q" };
            all.extend_from_slice(format!("GET {path}?{i} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes());
        }
        writer.write_all(&all).unwrap();
    });
    for i in 0..N {
        let r = c.response();
        assert_eq!(r.status.as_u16(), 200);
        assert_eq!(body_text(&r), i.to_string());
    }
    sender.join().unwrap();
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn actor_routes_sharded_kv_and_failures() {
    let rt = rt2();
    let server = start(&rt);
    let mut c = Client::connect(server.local_addr());
    for k in 0..20 {
        let put = format!(
            "PUT /kv/key{k} HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nv{}",
            k % 10
        );
        assert_eq!(c.exchange(put.as_bytes()).status, 204);
    }
    // Pipelined asks to actors on both shards come back in order.
    let mut all = Vec::new();
    for k in 0..20 {
        all.extend_from_slice(&get(&format!("/kv/key{k}")));
    }
    c.send(&all);
    for k in 0..20 {
        let r = c.response();
        assert_eq!(
            (r.status.as_u16(), body_text(&r)),
            (200, format!("v{}", k % 10))
        );
    }
    assert_eq!(c.exchange(&get("/kv/missing")).status, 404);
    assert_eq!(c.exchange(&get("/dead")).status, 503);
    assert_eq!(c.exchange(&get("/mute")).status, 500);
    assert_eq!(c.exchange(&get("/bad-header")).status, 500);
    assert_eq!(c.exchange(&get("/nowhere")).status, 404);
    let r = c.exchange(b"DELETE /echo HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(
        (r.status.as_u16(), header(&r, "allow")),
        (405, Some("POST"))
    );
    // Still alive after all of that.
    assert_eq!(c.exchange(&get("/hello")).status, 200);
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn malformed_requests_get_their_status_and_close() {
    let rt = rt2();
    let limits = {
        let mut l = Limits::default();
        l.max_head_bytes = 2048;
        l.max_body_bytes = 1024;
        l
    };
    let server = HttpServer::new(routes(&rt))
        .limits(limits)
        .start(rt.handle(), "127.0.0.1:0".parse().unwrap())
        .unwrap();
    let long_header = format!(
        "GET / HTTP/1.1\r\nHost: t\r\nX: {}\r\n\r\n",
        "a".repeat(4096)
    );
    let many_headers = format!(
        "GET / HTTP/1.1\r\nHost: t\r\n{}\r\n",
        (0..100)
            .map(|i| format!("X-{i}: v\r\n"))
            .collect::<String>()
    );
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("head too large", long_header.into_bytes(), 431),
        ("too many headers", many_headers.into_bytes(), 431),
        ("body too large", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n".to_vec(), 413),
        ("CL and TE", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".to_vec(), 400),
        ("HTTP/2.0", b"GET / HTTP/2.0\r\nHost: t\r\n\r\n".to_vec(), 505),
        ("bad version", b"GET / HTTP/x\r\nHost: t\r\n\r\n".to_vec(), 400),
        ("no host", b"GET / HTTP/1.1\r\n\r\n".to_vec(), 400),
        ("two hosts", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".to_vec(), 400),
        ("bad method", b"G(T / HTTP/1.1\r\nHost: t\r\n\r\n".to_vec(), 400),
        ("space before colon", b"GET / HTTP/1.1\r\nHost : t\r\n\r\n".to_vec(), 400),
        ("bare LF", b"GET / HTTP/1.1\nHost: t\n\n".to_vec(), 400),
        ("bad content length", b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n".to_vec(), 400),
        ("gzip coding", b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n".to_vec(), 501),
        ("bad chunk size", b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(), 400),
    ];
    for (name, raw, status) in cases {
        let mut c = Client::connect(server.local_addr());
        let r = c.exchange(&raw);
        assert_eq!(r.status.as_u16(), status, "{name}");
        assert_eq!(header(&r, "connection"), Some("close"), "{name}");
        assert!(c.is_closed(), "{name}: connection closed");
    }
    // A good request before a bad one in the same write is answered first.
    let mut c = Client::connect(server.local_addr());
    let mut raw = get("/hello");
    raw.extend_from_slice(b"GET / HTTP/9.9\r\nHost: t\r\n\r\n");
    c.send(&raw);
    assert_eq!(c.response().status, 200);
    assert_eq!(c.response().status, 505);
    assert!(c.is_closed());
    assert!(HttpCounts::total(rt.handle()).bad_requests >= 15);
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn metrics_and_health_endpoints() {
    let rt = rt2();
    let health = Health::new(rt.handle()).unwrap();
    let exporter = Exporter::new(rt.handle().clone()).unwrap();
    let routes = routes(&rt).observability(exporter, health.clone());
    let server = HttpServer::new(routes)
        .start(rt.handle(), "127.0.0.1:0".parse().unwrap())
        .unwrap();
    let mut c = Client::connect(server.local_addr());
    assert_eq!(c.exchange(&get("/alive")).status, 200);
    assert_eq!(c.exchange(&get("/ready")).status, 503);
    assert_eq!(c.exchange(&get("/health")).status, 503);
    health.set_ready(true);
    assert_eq!(c.exchange(&get("/ready")).status, 200);
    let r = c.exchange(&get("/health"));
    assert_eq!((r.status.as_u16(), body_text(&r).as_str()), (200, "ok\n"));
    assert_eq!(c.exchange(&get("/hello")).status, 200);
    let r = c.exchange(&get("/metrics"));
    assert_eq!(r.status.as_u16(), 200);
    assert!(
        header(&r, "content-type")
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = body_text(&r);
    for family in [
        "pinion_http_requests_total{shard=",
        "pinion_http_responses_2xx_total{shard=",
        "pinion_http_responses_5xx_total{shard=",
        "pinion_tcp_accepted_total{shard=",
        "pinion_tcp_opened_total{shard=",
    ] {
        assert!(text.contains(family), "{family} missing from:\n{text}");
    }
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn stop_closes_idle_connections_and_refuses_new_ones() {
    let rt = rt2();
    let server = start(&rt);
    let addr: SocketAddr = server.local_addr();
    let mut c = Client::connect(addr);
    assert_eq!(c.exchange(&get("/hello")).status, 200);
    assert!(server.stop_and_wait(Duration::from_secs(10)));
    assert!(server.is_stopped());
    assert!(c.is_closed());
    let refused = std::net::TcpStream::connect(addr)
        .map(|mut s| {
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let _ = s.write_all(&get("/hello"));
            let mut b = [0u8; 1];
            matches!(s.read(&mut b), Ok(0) | Err(_))
        })
        .unwrap_or(true);
    assert!(refused);
    rt.shutdown().unwrap();
}

#[test]
fn a_reader_slower_than_the_socket_gets_every_byte_in_order() {
    let rt = rt2();
    let server = start(&rt);
    let mut c = Client::connect(server.local_addr());
    // 16 pipelined 1 MB responses go out in one batch: more than the
    // socket takes at once, so the write goes on through the driver while
    // the client is not reading yet.
    let mut batch = Vec::new();
    for _ in 0..16 {
        batch.extend_from_slice(&get("/big"));
    }
    c.send(&batch);
    std::thread::sleep(Duration::from_millis(300));
    let big = pattern(1_000_000, 251);
    for i in 0..16 {
        let r = c.response();
        assert_eq!(r.status.as_u16(), 200);
        assert!(r.body == big, "response {i} whole and in order");
    }
    drop(server);
    rt.shutdown().unwrap();
}
