//! TLS over real loopback sockets with certificates made at test time: a
//! handshake, round trips, a clean close, and refusals of bad certificates.
//!
//! The transport here is a blocking `std::net::TcpStream`, so the futures
//! never wait and a one-poll executor runs them; the shard-driven
//! connections use the same `TlsStream`.

use std::future::Future;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::thread;

use actor_io::tls::{
    TlsAcceptor, TlsConfigError, TlsConnector, TlsError, Transport, client_config, server_config,
};

struct Blocking(TcpStream);

impl Transport for Blocking {
    async fn read(&mut self, mut buf: Vec<u8>) -> (io::Result<usize>, Vec<u8>) {
        buf.clear();
        buf.resize(buf.capacity(), 0);
        let r = self.0.read(&mut buf);
        buf.truncate(*r.as_ref().unwrap_or(&0));
        (r, buf)
    }

    async fn write_all(&mut self, buf: Vec<u8>) -> (io::Result<()>, Vec<u8>) {
        let r = self.0.write_all(&buf);
        (r, buf)
    }
}

/// Runs a future that never waits (its I/O blocks the thread instead).
fn run<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a blocking transport never waits"),
    }
}

struct Pki {
    cert: String,
    key: String,
}

fn self_signed(name: &str) -> Pki {
    let ck = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
    Pki {
        cert: ck.cert.pem(),
        key: ck.signing_key.serialize_pem(),
    }
}

/// Serves one connection with `serve` on a thread; returns the address and
/// the thread's result.
fn server<R: Send + 'static>(
    pki: &Pki,
    serve: impl FnOnce(Result<actor_io::tls::TlsStream<Blocking>, TlsError>) -> R + Send + 'static,
) -> (std::net::SocketAddr, thread::JoinHandle<R>) {
    let acceptor = TlsAcceptor::new(server_config(&pki.cert, &pki.key).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let t = thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        serve(run(acceptor.accept(Blocking(sock))))
    });
    (addr, t)
}

#[test]
fn handshake_round_trip_and_clean_close() {
    let pki = self_signed("localhost");
    let (addr, t) = server(&pki, |tls| {
        let mut tls = tls.expect("server handshake");
        run(async {
            let mut seen = Vec::new();
            loop {
                let (n, buf) = tls.read(Vec::with_capacity(4096)).await;
                let n = n.expect("server read");
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buf);
                let (w, _) = tls.write_all(buf).await;
                w.expect("server echo");
            }
            seen.len()
        })
    });
    let connector = TlsConnector::new(client_config(&pki.cert).unwrap());
    let sock = TcpStream::connect(addr).unwrap();
    let mut tls = run(connector.connect("localhost", Blocking(sock))).expect("client handshake");
    assert_eq!(tls.alpn_protocol(), Some(&b"http/1.1"[..]));
    // One small message, then one larger than a TLS record.
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    for msg in [b"ping".to_vec(), big] {
        let (w, msg) = run(tls.write_all(msg));
        w.unwrap();
        let mut back = Vec::new();
        while back.len() < msg.len() {
            let (n, buf) = run(tls.read(Vec::with_capacity(65536)));
            let n = n.unwrap();
            assert!(n > 0, "echo ended early");
            back.extend_from_slice(&buf);
        }
        assert_eq!(back, msg);
    }
    run(tls.close()).unwrap();
    assert_eq!(t.join().unwrap(), 4 + 200_000);
}

#[test]
fn a_certificate_from_an_unknown_issuer_is_refused_on_both_sides() {
    let pki = self_signed("localhost");
    let other = self_signed("localhost");
    let (addr, t) = server(&pki, |tls| tls.map(drop));
    let connector = TlsConnector::new(client_config(&other.cert).unwrap());
    let sock = TcpStream::connect(addr).unwrap();
    let err = run(connector.connect("localhost", Blocking(sock))).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::Protocol(rustls::Error::InvalidCertificate(_))
        ),
        "{err:?}"
    );
    let server_err = t.join().unwrap().unwrap_err();
    assert!(
        matches!(
            server_err,
            TlsError::Protocol(rustls::Error::AlertReceived(_))
        ),
        "{server_err:?}"
    );
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let pki = self_signed("localhost");
    let (addr, t) = server(&pki, |tls| tls.map(drop));
    let connector = TlsConnector::new(client_config(&pki.cert).unwrap());
    let sock = TcpStream::connect(addr).unwrap();
    let err = run(connector.connect("pinion.example", Blocking(sock))).unwrap_err();
    assert!(
        matches!(
            err,
            TlsError::Protocol(rustls::Error::InvalidCertificate(_))
        ),
        "{err:?}"
    );
    assert!(t.join().unwrap().is_err());
}

#[test]
fn a_peer_that_is_not_tls_fails_the_handshake() {
    let pki = self_signed("localhost");
    let (addr, t) = server(&pki, |tls| tls.map(drop));
    let mut sock = TcpStream::connect(addr).unwrap();
    sock.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let err = t.join().unwrap().unwrap_err();
    assert!(matches!(err, TlsError::Protocol(_)), "{err:?}");
}

#[test]
fn a_peer_that_hangs_up_mid_handshake_is_closed() {
    let pki = self_signed("localhost");
    let (addr, t) = server(&pki, |tls| tls.map(drop));
    drop(TcpStream::connect(addr).unwrap());
    assert!(matches!(t.join().unwrap().unwrap_err(), TlsError::Closed));
}

#[test]
fn bad_configuration_gives_typed_errors() {
    let pki = self_signed("localhost");
    assert!(matches!(
        server_config("", &pki.key),
        Err(TlsConfigError::Certificates(_))
    ));
    assert!(matches!(
        server_config(&pki.cert, "not a key"),
        Err(TlsConfigError::PrivateKey(_))
    ));
    let other = self_signed("localhost");
    assert!(matches!(
        server_config(&pki.cert, &other.key),
        Err(TlsConfigError::Rustls(_))
    ));
    assert!(matches!(
        client_config("garbage"),
        Err(TlsConfigError::Certificates(_))
    ));
    let connector = TlsConnector::new(client_config(&pki.cert).unwrap());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let sock = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let err = run(connector.connect("not a name!", Blocking(sock))).unwrap_err();
    assert!(matches!(err, TlsError::InvalidServerName(_)), "{err:?}");
}
