//! The HTTP client over TLS against a blocking rustls server on a std
//! thread, with a certificate made at test time.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actor_io::client::{ClientError, HttpClient};
use actor_io::http::Method;
use actor_io::tls::rustls::{ServerConnection, StreamOwned};
use actor_io::tls::{TlsConnector, client_config, server_config};
use common::{on_shard, rt2};

fn self_signed() -> (String, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    (ck.cert.pem(), ck.signing_key.serialize_pem())
}

/// A TLS server answering every request on a connection with `hello`;
/// returns its port and its count of accepted connections.
fn tls_server(cert: &str, key: &str) -> (u16, Arc<AtomicUsize>) {
    let config = server_config(cert, key).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    std::thread::spawn(move || {
        for sock in listener.incoming() {
            let Ok(sock) = sock else { return };
            count.fetch_add(1, Ordering::SeqCst);
            let config = config.clone();
            std::thread::spawn(move || {
                let Ok(conn) = ServerConnection::new(config) else {
                    return;
                };
                let mut tls = StreamOwned::new(conn, sock);
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                loop {
                    while let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        seen.drain(..i + 4);
                        let reply = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
                        if tls.write_all(reply).and_then(|()| tls.flush()).is_err() {
                            return;
                        }
                    }
                    match tls.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
            });
        }
    });
    (port, accepted)
}

#[test]
fn https_requests_reuse_one_tls_connection() {
    let (cert, key) = self_signed();
    let (port, accepted) = tls_server(&cert, &key);
    let connector = TlsConnector::new(client_config(&cert).unwrap());
    let rt = rt2();
    let out = on_shard(&rt, 1, move || async move {
        let client = HttpClient::builder().tls(connector).build();
        let url = format!("https://localhost:{port}/secure");
        let mut bodies = Vec::new();
        for _ in 0..3 {
            bodies.push(
                client
                    .get(&url)
                    .await
                    .map(|r| r.body)
                    .map_err(|e| e.to_string()),
            );
        }
        // The same destination as an `http::Uri`, with the request's own
        // target replaced by the URI's: the pooled connection again.
        let uri: actor_io::http::Uri = format!("https://localhost:{port}/").parse().unwrap();
        let req = actor_io::http::Request::new(Method::GET, "/ignored");
        bodies.push(
            client
                .send(&uri, req)
                .await
                .map(|r| r.body)
                .map_err(|e| e.to_string()),
        );
        (bodies, client.stats().connections_opened)
    });
    rt.shutdown().unwrap();
    for body in &out.0 {
        assert_eq!(body.as_deref(), Ok(&b"hello"[..]));
    }
    assert_eq!(out.1, 1);
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[test]
fn an_untrusted_server_is_a_tls_error() {
    let (cert, key) = self_signed();
    let (other, _) = self_signed();
    let (port, _) = tls_server(&cert, &key);
    let connector = TlsConnector::new(client_config(&other).unwrap());
    let rt = rt2();
    let err = on_shard(&rt, 0, move || async move {
        let client = HttpClient::builder().tls(connector).build();
        let err = client
            .get(&format!("https://localhost:{port}/"))
            .await
            .unwrap_err();
        matches!(err, ClientError::Tls(_))
    });
    rt.shutdown().unwrap();
    assert!(err);
}
