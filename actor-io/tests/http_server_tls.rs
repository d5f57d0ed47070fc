//! The HTTP server over TLS: the same connection code over a `TlsStream`;
//! real clients on TLS 1.3 and 1.2, a plaintext request on the TLS port,
//! and handshakes that stall.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actor_core::Runtime;
use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::{Request, Response, ResponseDecoder, StatusCode};
use actor_io::server::{HttpCounts, HttpServer, Routes, ServerHandle};
use actor_io::tls::rustls::crypto::ring::default_provider;
use actor_io::tls::rustls::pki_types::CertificateDer;
use actor_io::tls::rustls::pki_types::pem::PemObject;
use actor_io::tls::rustls::version::{TLS12, TLS13};
use actor_io::tls::rustls::{
    ClientConfig, ClientConnection, ProtocolVersion, RootCertStore, StreamOwned,
    SupportedProtocolVersion,
};
use actor_io::tls::{TlsAcceptor, client_config, server_config};
use common::rt2;

/// A self-signed certificate for `localhost` and its key, in PEM.
fn self_signed() -> (String, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    (ck.cert.pem(), ck.signing_key.serialize_pem())
}

/// An HTTPS server answering `GET /hello` with `hello`, with this
/// handshake (header) timeout.
fn https_server(rt: &Runtime, cert: &str, key: &str, handshake: Duration) -> ServerHandle {
    let routes = Routes::new().get("/hello", |_: &Request| {
        Response::new(StatusCode::OK).with_body("hello")
    });
    HttpServer::new(routes)
        .tls(TlsAcceptor::new(server_config(cert, key).unwrap()))
        .header_timeout(handshake)
        .start(rt.handle(), "127.0.0.1:0".parse().unwrap())
        .unwrap()
}

/// A client configuration trusting `cert`, speaking only `version`, offering
/// ALPN `http/1.1`.
fn client_for(cert: &str, version: &'static SupportedProtocolVersion) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(cert.as_bytes()).unwrap())
        .unwrap();
    let mut config = ClientConfig::builder_with_provider(Arc::new(default_provider()))
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Arc::new(config)
}

/// Reads from `tcp` until the server closes it; says how long that took and
/// what arrived. A reset counts as closed.
fn until_closed(tcp: &mut TcpStream) -> (Duration, Vec<u8>) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        match tcp.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("read failed: {e}"),
        }
    }
    (started.elapsed(), got)
}

#[test]
fn tls_13_and_12_clients_complete_the_handshake_with_alpn_and_get_answers() {
    let (cert, key) = self_signed();
    let rt = rt2();
    let server = https_server(&rt, &cert, &key, Duration::from_secs(10));
    for (version, expected) in [
        (&TLS13, ProtocolVersion::TLSv1_3),
        (&TLS12, ProtocolVersion::TLSv1_2),
    ] {
        let tcp = TcpStream::connect(server.local_addr()).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let conn =
            ClientConnection::new(client_for(&cert, version), "localhost".try_into().unwrap())
                .unwrap();
        let mut tls = StreamOwned::new(conn, tcp);
        tls.write_all(b"GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        tls.flush().unwrap();
        let mut raw = Vec::new();
        tls.read_to_end(&mut raw).unwrap();
        assert_eq!(tls.conn.protocol_version(), Some(expected));
        assert_eq!(tls.conn.alpn_protocol(), Some(&b"http/1.1"[..]));
        let mut buf = ReadBuf::new();
        buf.extend_from_slice(&raw);
        let r = ResponseDecoder::default()
            .decode(&mut buf)
            .unwrap()
            .unwrap();
        assert_eq!(
            (r.status.as_u16(), &r.body[..]),
            (200, &b"hello"[..]),
            "{expected:?}"
        );
    }
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn a_plaintext_request_on_the_tls_port_gets_a_plain_400_and_the_connection_closes() {
    let (cert, key) = self_signed();
    let rt = rt2();
    let server = https_server(&rt, &cert, &key, Duration::from_secs(30));
    let mut tcp = TcpStream::connect(server.local_addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    tcp.write_all(b"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let (took, raw) = until_closed(&mut tcp);
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
    assert!(text.contains("\r\nConnection: close\r\n"), "{text}");
    assert!(text.ends_with("this port speaks HTTPS\n"), "{text}");
    assert!(took < Duration::from_secs(10), "closed after {took:?}");
    let counted = || HttpCounts::total(rt.handle()).bad_requests >= 1;
    assert!(common::eventually(Duration::from_secs(5), counted));
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn a_handshake_that_stalls_is_cut_off_by_the_handshake_timeout() {
    let (cert, key) = self_signed();
    let rt = rt2();
    let limit = Duration::from_millis(300);
    let server = https_server(&rt, &cert, &key, limit);
    // A client that sends nothing, and one that stops halfway through its
    // ClientHello.
    let conn = ClientConnection::new(
        client_config(&cert).unwrap(),
        "localhost".try_into().unwrap(),
    )
    .unwrap();
    let mut hello = Vec::new();
    let mut conn = conn;
    conn.write_tls(&mut hello).unwrap();
    for sent in [&[][..], &hello[..hello.len() / 2]] {
        let mut tcp = TcpStream::connect(server.local_addr()).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        tcp.write_all(sent).unwrap();
        let (took, raw) = until_closed(&mut tcp);
        assert!(raw.is_empty(), "nothing is answered: {raw:?}");
        assert!(
            took >= limit - Duration::from_millis(50) && took < Duration::from_secs(10),
            "closed after {took:?} (sent {} bytes)",
            sent.len()
        );
    }
    // The socket may close a moment before the count is taken.
    let counted = || HttpCounts::total(rt.handle()).timeouts >= 2;
    assert!(common::eventually(Duration::from_secs(5), counted));
    drop(server);
    rt.shutdown().unwrap();
}

#[test]
fn requests_over_tls_get_their_responses() {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert, key) = (ck.cert.pem(), ck.signing_key.serialize_pem());
    let rt = rt2();
    let routes = Routes::new().get("/q", |r: &Request| {
        Response::new(StatusCode::OK).with_body(r.query().unwrap_or("").to_owned())
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
            (r.status.as_u16(), String::from_utf8(r.body).unwrap()),
            (200, i.to_string())
        );
    }
    assert!(buf.is_empty());
    drop(server);
    rt.shutdown().unwrap();
}
