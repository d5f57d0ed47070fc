//! TLS over shard-driven loopback connections, under whichever driver
//! PINION_DRIVER picks, with certificates made at test time: a handshake,
//! round trips between two shards and a clean close; refusals of bad
//! certificates, of a peer that is not TLS and of one that hangs up; typed
//! configuration errors.

mod common;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::mpsc;

use actor_core::Runtime;
use actor_io::net::{TcpListener, TcpStream};
use actor_io::tls::rustls;
use actor_io::tls::{
    TlsAcceptor, TlsConfigError, TlsConnector, TlsError, client_config, server_config,
};
use common::{on_shard, rt2, start_on_shard};

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

/// Accepts one connection on shard 0 and runs the server side of the
/// handshake; with `echo`, echoes what arrives until the client's
/// `close_notify`. Returns the address and the channel the outcome comes
/// on: the bytes echoed, or the handshake's or the session's error.
fn server(
    rt: &Runtime,
    pki: &Pki,
    echo: bool,
) -> (SocketAddr, mpsc::Receiver<Result<usize, TlsError>>) {
    let acceptor = TlsAcceptor::new(server_config(&pki.cert, &pki.key).unwrap());
    let (addr_tx, addr_rx) = mpsc::channel();
    let done = start_on_shard(rt, 0, move || async move {
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        addr_tx.send(listener.local_addr().unwrap()).unwrap();
        let (tcp, _) = listener.accept().await?;
        let mut tls = acceptor.accept(tcp).await?;
        let mut echoed = 0;
        if !echo {
            return Ok(echoed);
        }
        loop {
            let (n, buf) = tls.read(Vec::with_capacity(16 * 1024)).await;
            match n? {
                0 => break,
                n => echoed += n,
            }
            tls.write_all(buf).await.0?;
        }
        Ok(echoed)
    });
    (addr_rx.recv().unwrap(), done)
}

/// Connects from shard 1 to `addr` as `name`, trusting `roots`: the
/// handshake's error, if any.
fn connect(rt: &Runtime, addr: SocketAddr, roots: &str, name: &'static str) -> Option<TlsError> {
    let connector = TlsConnector::new(client_config(roots).unwrap());
    on_shard(rt, 1, move || async move {
        let tcp = TcpStream::connect(addr).await.unwrap();
        connector.connect(name, tcp).await.err()
    })
}

#[test]
fn handshake_round_trip_and_clean_close() {
    let rt = rt2();
    let pki = self_signed("localhost");
    let (addr, server) = server(&rt, &pki, true);
    let connector = TlsConnector::new(client_config(&pki.cert).unwrap());
    // One small message, then one larger than a TLS record.
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let ok = on_shard(&rt, 1, move || async move {
        let tcp = TcpStream::connect(addr).await.unwrap();
        let mut tls = connector.connect("localhost", tcp).await.unwrap();
        assert!(tls.is_tls());
        assert_eq!(tls.alpn_protocol(), Some(&b"http/1.1"[..]));
        for msg in [b"ping".to_vec(), big] {
            let (w, msg) = tls.write_all(msg).await;
            w.unwrap();
            let mut back = Vec::new();
            while back.len() < msg.len() {
                let (n, buf) = tls.read(Vec::with_capacity(16 * 1024)).await;
                assert!(n.unwrap() > 0, "echo ended early");
                back.extend_from_slice(&buf);
            }
            assert_eq!(back, msg);
        }
        tls.close().await.unwrap();
        true
    });
    assert!(ok);
    assert_eq!(server.recv().unwrap().unwrap(), 4 + 200_000);
    rt.shutdown().unwrap();
}

#[test]
fn a_certificate_from_an_unknown_issuer_is_refused_on_both_sides() {
    let rt = rt2();
    let pki = self_signed("localhost");
    let other = self_signed("localhost");
    let (addr, server) = server(&rt, &pki, false);
    let err = connect(&rt, addr, &other.cert, "localhost");
    assert!(
        matches!(
            err,
            Some(TlsError::Protocol(rustls::Error::InvalidCertificate(_)))
        ),
        "{err:?}"
    );
    let server_err = server.recv().unwrap().unwrap_err();
    assert!(
        matches!(
            server_err,
            TlsError::Protocol(rustls::Error::AlertReceived(_))
        ),
        "{server_err:?}"
    );
    rt.shutdown().unwrap();
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let rt = rt2();
    let pki = self_signed("localhost");
    let (addr, server) = server(&rt, &pki, false);
    let err = connect(&rt, addr, &pki.cert, "pinion.example");
    assert!(
        matches!(
            err,
            Some(TlsError::Protocol(rustls::Error::InvalidCertificate(_)))
        ),
        "{err:?}"
    );
    assert!(server.recv().unwrap().is_err());
    rt.shutdown().unwrap();
}

#[test]
fn a_peer_that_is_not_tls_fails_the_handshake() {
    let rt = rt2();
    let pki = self_signed("localhost");
    let (addr, server) = server(&rt, &pki, false);
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    sock.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let err = server.recv().unwrap().unwrap_err();
    assert!(matches!(err, TlsError::Protocol(_)), "{err:?}");
    rt.shutdown().unwrap();
}

#[test]
fn a_peer_that_hangs_up_mid_handshake_is_closed() {
    let rt = rt2();
    let pki = self_signed("localhost");
    let (addr, server) = server(&rt, &pki, false);
    drop(std::net::TcpStream::connect(addr).unwrap());
    let err = server.recv().unwrap().unwrap_err();
    assert!(matches!(err, TlsError::Closed), "{err:?}");
    rt.shutdown().unwrap();
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
    let rt = rt2();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let err = connect(
        &rt,
        listener.local_addr().unwrap(),
        &pki.cert,
        "not a name!",
    );
    assert!(
        matches!(err, Some(TlsError::InvalidServerName(_))),
        "{err:?}"
    );
    rt.shutdown().unwrap();
}
