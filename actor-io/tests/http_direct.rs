//! Direct handlers (`Routes::get_direct`) end to end over loopback, under
//! whichever driver PINION_DRIVER picks: answers in order among other
//! kinds of handlers, `HEAD`, closing, and handlers that misbehave.

mod common;
mod server_util;

use std::time::Duration;

use actor_core::Runtime;
use actor_io::http::{HeaderBlock, Request, Response, ResponseWriter, StatusCode, Written};
use actor_io::server::{HttpServer, Routes, ServerHandle};
use common::rt2;
use server_util::{Client, body_text, get, header};

fn start(rt: &Runtime) -> ServerHandle {
    let text = HeaderBlock::new([("Content-Type", "text/plain"), ("Server", "t")]).unwrap();
    let routes = Routes::new()
        .get_direct("/plaintext", move |_: &Request, w: ResponseWriter<'_>| {
            w.send(StatusCode::OK, &text, b"Hello, World!")
        })
        .get_direct("/echo", |req: &Request, w: ResponseWriter<'_>| {
            w.send(
                StatusCode::OK,
                &HeaderBlock::default(),
                req.target.as_bytes(),
            )
        })
        .get_direct("/panic", |_: &Request, _: ResponseWriter<'_>| -> Written {
            panic!("a direct handler that fails")
        })
        .get_direct("/elsewhere", |_: &Request, _: ResponseWriter<'_>| {
            // A proof of writing from a writer that is not the one handed in.
            let mut other = Vec::new();
            ResponseWriter::new(&mut other, Default::default()).send(
                StatusCode::OK,
                &HeaderBlock::default(),
                b"lost",
            )
        })
        .route_async("GET", "/slow", |_: Request| async {
            actor_core::time::sleep(Duration::from_millis(50)).await;
            Response::new(StatusCode::OK).with_body("slow")
        });
    HttpServer::new(routes)
        .start(rt.handle(), "127.0.0.1:0".parse().unwrap())
        .expect("server starts")
}

#[test]
fn a_direct_handler_answers_with_its_header_block_and_body() {
    let rt = rt2();
    let server = start(&rt);
    let mut c = Client::connect(server.local_addr());
    for _ in 0..3 {
        let r = c.exchange(&get("/plaintext"));
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(body_text(&r), "Hello, World!");
        assert_eq!(header(&r, "content-type"), Some("text/plain"));
        assert_eq!(header(&r, "server"), Some("t"));
        assert_eq!(header(&r, "content-length"), Some("13"));
        assert!(header(&r, "date").is_some());
    }
    // A response to `HEAD` has the length and no body: read it raw.
    let mut raw = Client::connect(server.local_addr());
    raw.send(b"HEAD /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let head = String::from_utf8(raw.read_to_close()).unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(head.contains("\r\nContent-Length: 13\r\n"), "{head}");
    assert!(head.ends_with("\r\n\r\n"), "{head}");
    assert!(server.stop_and_wait(Duration::from_secs(10)));
    rt.shutdown().unwrap();
}

#[test]
fn pipelined_direct_answers_keep_request_order_behind_a_pending_one() {
    let rt = rt2();
    let server = start(&rt);
    let mut c = Client::connect(server.local_addr());
    let mut batch = Vec::new();
    for path in ["/echo?1", "/slow", "/echo?2", "/plaintext", "/echo?3"] {
        batch.extend_from_slice(&get(path));
    }
    c.send(&batch);
    let bodies: Vec<String> = (0..5).map(|_| body_text(&c.response())).collect();
    assert_eq!(
        bodies,
        ["/echo?1", "slow", "/echo?2", "Hello, World!", "/echo?3"]
    );
    assert!(server.stop_and_wait(Duration::from_secs(10)));
    rt.shutdown().unwrap();
}

#[test]
fn a_direct_answer_to_connection_close_closes() {
    let rt = rt2();
    let server = start(&rt);
    let mut c = Client::connect(server.local_addr());
    let r = c.exchange(b"GET /plaintext HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(header(&r, "connection"), Some("close"));
    assert!(c.is_closed());
    let mut old = Client::connect(server.local_addr());
    let r = old.exchange(b"GET /plaintext HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(header(&r, "connection"), Some("keep-alive"));
    assert_eq!(body_text(&old.exchange(&get("/echo?again"))), "/echo?again");
    assert!(server.stop_and_wait(Duration::from_secs(10)));
    rt.shutdown().unwrap();
}

#[test]
fn a_direct_handler_that_panics_or_writes_elsewhere_costs_its_request_a_500() {
    let rt = rt2();
    let server = start(&rt);
    let mut c = Client::connect(server.local_addr());
    let mut batch = get("/panic");
    batch.extend_from_slice(&get("/elsewhere"));
    batch.extend_from_slice(&get("/plaintext"));
    c.send(&batch);
    let panicked = c.response();
    assert_eq!(panicked.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body_text(&panicked), "handler panicked\n");
    let elsewhere = c.response();
    assert_eq!(elsewhere.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body_text(&elsewhere), "handler wrote no response\n");
    // The connection goes on serving.
    assert_eq!(body_text(&c.response()), "Hello, World!");
    assert!(server.stop_and_wait(Duration::from_secs(10)));
    rt.shutdown().unwrap();
}
