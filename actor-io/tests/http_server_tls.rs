//! The HTTP server over TLS: the same connection code over a `TlsStream`.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::server::{HttpServer, Routes};
use actor_io::http::{Request, Response, ResponseDecoder};
use actor_io::tls::rustls::{ClientConnection, StreamOwned};
use actor_io::tls::{TlsAcceptor, client_config, server_config};
use common::rt2;

#[test]
fn requests_over_tls_get_their_responses() {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (ck.cert.pem(), ck.signing_key.serialize_pem());
    let rt = rt2();
    let routes = Routes::new().get("/q", |r: &Request| {
        Response::new(200).with_body(r.query().unwrap_or("").to_owned())
    });
    let server = HttpServer::new(routes)
        .tls(TlsAcceptor::new(server_config(&cert, &key).unwrap()))
        .start(rt.handle(), "127.0.0.1:0".parse().unwrap())
        .unwrap();

    let tcp = TcpStream::connect(server.local_addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let config: Arc<_> = client_config(&cert).unwrap();
    let conn = ClientConnection::new(config, "localhost".try_into().unwrap()).unwrap();
    let mut tls = StreamOwned::new(conn, tcp);

    // A batch of pipelined requests, the last one closing.
    let mut all = Vec::new();
    for i in 0..200 {
        let close = if i == 199 {
            "Connection: close\r\n"
        } else {
            ""
        };
        all.extend_from_slice(format!("GET /q?{i} HTTP/1.1\r\nHost: t\r\n{close}\r\n").as_bytes());
    }
    tls.write_all(&all).unwrap();
    tls.flush().unwrap();
    let mut raw = Vec::new();
    // The server ends the session with close_notify: a clean end of stream.
    tls.read_to_end(&mut raw).unwrap();
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(&raw);
    let mut decoder = ResponseDecoder::default();
    for i in 0..200 {
        let r = decoder.decode(&mut buf).unwrap().expect("a response");
        assert_eq!(
            (r.status, String::from_utf8(r.body).unwrap()),
            (200, i.to_string())
        );
    }
    assert!(buf.is_empty());
    drop(server);
    rt.shutdown().unwrap();
}
