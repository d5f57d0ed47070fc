//! Slow clients: the header timeout and the idle timeout answer 408 and
//! close, while other connections are served meanwhile.

mod common;
mod server_util;

use std::io::Write;
use std::time::Duration;

use actor_core::Runtime;
use actor_io::http::{Request, Response, StatusCode};
use actor_io::server::{HttpCounts, HttpServer, Routes, ServerHandle};
use common::{eventually, rt2};
use server_util::{Client, get, header};

fn start(rt: &Runtime, header_timeout: Duration, idle_timeout: Duration) -> ServerHandle {
    let routes = Routes::new().get("/hello", |_: &Request| {
        Response::new(StatusCode::OK).with_body("hi")
    });
    HttpServer::new(routes)
        .header_timeout(header_timeout)
        .idle_timeout(idle_timeout)
        .start(rt.handle(), "127.0.0.1:0".parse().unwrap())
        .unwrap()
}

/// Other connections keep being served while `slow` clients stall.
fn served_meanwhile(addr: std::net::SocketAddr) {
    let mut c = Client::connect(addr);
    for _ in 0..20 {
        assert_eq!(c.exchange(&get("/hello")).status, 200);
    }
}

#[test]
fn half_a_head_then_silence_gets_408_and_close() {
    let rt = rt2();
    let server = start(&rt, Duration::from_millis(300), Duration::from_secs(30));
    let addr = server.local_addr();
    let mut slow: Vec<Client> = (0..4).map(|_| Client::connect(addr)).collect();
    for c in &mut slow {
        c.send(b"GET /hello HTTP/1.1\r\nHost:");
    }
    served_meanwhile(addr);
    for c in &mut slow {
        let r = c.response();
        assert_eq!(r.status.as_u16(), 408);
        assert_eq!(header(&r, "connection"), Some("close"));
        assert!(c.is_closed());
    }
    assert!(HttpCounts::total(rt.handle()).timeouts >= 4);
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn a_trickled_head_still_times_out() {
    let rt = rt2();
    let server = start(&rt, Duration::from_millis(300), Duration::from_secs(30));
    let addr = server.local_addr();
    let mut slow = Client::connect(addr);
    let trickle = slow.stream.try_clone().unwrap();
    // One byte every 20 ms: each read is fresh input, but the request as a
    // whole overruns the header timeout.
    let writer = std::thread::spawn(move || {
        let mut trickle = trickle;
        for b in b"GET /hello HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            .iter()
        {
            if trickle.write_all(&[*b]).is_err() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    served_meanwhile(addr);
    let r = slow.response();
    assert_eq!(r.status.as_u16(), 408);
    writer.join().unwrap();
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn a_slow_body_times_out_too() {
    let rt = rt2();
    let server = start(&rt, Duration::from_millis(300), Duration::from_secs(30));
    let mut c = Client::connect(server.local_addr());
    c.send(b"POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nonly part");
    assert_eq!(c.response().status, 408);
    assert!(c.is_closed());
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn idle_keep_alive_connection_gets_408_and_close() {
    let rt = rt2();
    let server = start(&rt, Duration::from_secs(30), Duration::from_millis(400));
    let addr = server.local_addr();
    let mut idle = Client::connect(addr);
    assert_eq!(idle.exchange(&get("/hello")).status, 200);
    // A fresh connection that never sends is idle too.
    let mut silent = Client::connect(addr);
    // Meanwhile a busy connection keeps going past the idle timeout.
    let mut busy = Client::connect(addr);
    let start = std::time::Instant::now();
    while start.elapsed() < Duration::from_millis(600) {
        assert_eq!(busy.exchange(&get("/hello")).status, 200);
        std::thread::sleep(Duration::from_millis(50));
    }
    for c in [&mut idle, &mut silent] {
        let r = c.response();
        assert_eq!(r.status.as_u16(), 408);
        assert!(c.is_closed());
    }
    assert!(eventually(Duration::from_secs(10), || {
        HttpCounts::total(rt.handle()).timeouts >= 2
    }));
    drop(server);
    rt.shutdown().unwrap();
}
