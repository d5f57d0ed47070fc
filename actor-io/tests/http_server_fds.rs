//! File descriptor hygiene: after the server stops and its clients leave,
//! the process holds as many fds as before the server started.

mod common;
mod server_util;

use std::time::Duration;

use actor_io::http::{Request, Response, StatusCode};
use actor_io::server::{HttpServer, Routes};
use common::{eventually, open_fds, rt2};
use server_util::{Client, get};

#[test]
fn fds_return_to_baseline_after_stop() {
    let rt = rt2();
    let baseline = open_fds();
    let routes = Routes::new().get("/hello", |_: &Request| {
        Response::new(StatusCode::OK).with_body("hi")
    });
    let server = HttpServer::new(routes)
        .start(rt.handle(), "127.0.0.1:0".parse().unwrap())
        .unwrap();
    let addr = server.local_addr();
    let mut clients: Vec<Client> = (0..16).map(|_| Client::connect(addr)).collect();
    for c in &mut clients {
        assert_eq!(c.exchange(&get("/hello")).status, 200);
    }
    // Some leave first, some hold a half-sent request when the server stops.
    clients.truncate(8);
    for c in clients.iter_mut().take(4) {
        c.send(b"GET /hello HTTP/1.1\r\n");
    }
    assert!(server.stop_and_wait(Duration::from_secs(10)));
    for c in &mut clients {
        assert!(c.is_closed());
    }
    drop(clients);
    drop(server);
    assert!(
        eventually(Duration::from_secs(20), || open_fds() == baseline),
        "fds: {} now, {baseline} before",
        open_fds()
    );
    rt.shutdown().unwrap();
}
