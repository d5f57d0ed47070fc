//! TLS over shard-driven TCP connections, under whichever driver
//! PINION_DRIVER picks: a handshake and echo between two shards, and a
//! refused certificate.

mod common;

use std::sync::mpsc;

use actor_io::net::{TcpListener, TcpStream};
use actor_io::tls::{TlsAcceptor, TlsConnector, TlsError, client_config, server_config};
use common::{on_shard, rt2, start_on_shard};

fn self_signed() -> (String, String) {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    (ck.cert.pem(), ck.signing_key.serialize_pem())
}

/// Starts a TLS echo server for one connection on shard 0; returns its
/// address and the channel its handshake result arrives on.
fn echo_server(
    rt: &actor_core::Runtime,
    cert: &str,
    key: &str,
) -> (std::net::SocketAddr, mpsc::Receiver<Result<usize, String>>) {
    let acceptor = TlsAcceptor::new(server_config(cert, key).unwrap());
    let (addr_tx, addr_rx) = mpsc::channel();
    let done = start_on_shard(rt, 0, move || async move {
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        addr_tx.send(listener.local_addr().unwrap()).unwrap();
        let (conn, _) = listener.accept().await.map_err(|e| e.to_string())?;
        let mut tls = acceptor.accept(conn).await.map_err(|e| e.to_string())?;
        let mut echoed = 0;
        loop {
            let (n, buf) = tls.read(Vec::with_capacity(16 * 1024)).await;
            match n.map_err(|e| e.to_string())? {
                0 => return Ok(echoed),
                n => echoed += n,
            }
            tls.write_all(buf).await.0.map_err(|e| e.to_string())?;
        }
    });
    (addr_rx.recv().unwrap(), done)
}

#[test]
fn tls_echo_between_shards() {
    let rt = rt2();
    let (cert, key) = self_signed();
    let (addr, server) = echo_server(&rt, &cert, &key);
    let connector = TlsConnector::new(client_config(&cert).unwrap());
    let payload: Vec<u8> = (0..100_000u32).map(|i| (i * 7) as u8).collect();
    let sent = payload.clone();
    let back = on_shard(&rt, 1, move || async move {
        let conn = TcpStream::connect(addr).await.unwrap();
        let mut tls = connector.connect("localhost", conn).await.unwrap();
        tls.write_all(sent).await.0.unwrap();
        let mut back = Vec::new();
        while back.len() < payload.len() {
            let (n, buf) = tls.read(Vec::with_capacity(16 * 1024)).await;
            assert!(n.unwrap() > 0, "server ended early");
            back.extend_from_slice(&buf);
        }
        tls.close().await.unwrap();
        back == payload
    });
    assert!(back, "echo differs");
    assert_eq!(server.recv().unwrap(), Ok(100_000));
    rt.shutdown().unwrap();
}

#[test]
fn an_untrusted_certificate_is_refused_over_shard_tcp() {
    let rt = rt2();
    let (cert, key) = self_signed();
    let (other, _) = self_signed();
    let (addr, server) = echo_server(&rt, &cert, &key);
    let connector = TlsConnector::new(client_config(&other).unwrap());
    let refused = on_shard(&rt, 1, move || async move {
        let conn = TcpStream::connect(addr).await.unwrap();
        matches!(
            connector.connect("localhost", conn).await,
            Err(TlsError::Protocol(rustls::Error::InvalidCertificate(_)))
        )
    });
    assert!(refused);
    assert!(server.recv().unwrap().is_err());
    rt.shutdown().unwrap();
}
