//! An HTTPS server on every shard: TLS 1.3 and 1.2 with ALPN `http/1.1`,
//! the same routes as a plain server.
//!
//! ```text
//! cargo run --release -p examples --example https_server
//! curl --cacert /tmp/pinion-https-cert.pem https://localhost:8443/plaintext
//! ```
//!
//! The certificate comes from `PINION_TLS_CERT` and its key from
//! `PINION_TLS_KEY` (PEM files, chain leaf first). Without them it makes a
//! self-signed certificate for `localhost` and `127.0.0.1` at start and
//! writes it to `PINION_TLS_CERT_OUT` (default: `pinion-https-cert.pem` in
//! the temporary directory), so that `curl --cacert` can trust it. It
//! listens on `PINION_HTTPS_PORT` (default 8443). With
//! `PINION_HTTP_SECONDS=N` it stops after N seconds; otherwise it runs until
//! its standard input closes (Ctrl-D) or it is interrupted (Ctrl-C). A
//! plaintext request on its port gets a plain `400`, and a handshake that
//! does not finish within 10 s is cut off.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use actor_core::Runtime;
use actor_io::http::{Request, Response, StatusCode};
use actor_io::server::{HttpServer, Routes};
use actor_io::tls::{TlsAcceptor, server_config};

/// The certificate chain and key, in PEM: from the files the environment
/// names, or made now and the certificate written out.
fn certificate() -> Result<(String, String), Box<dyn std::error::Error>> {
    if let (Ok(cert), Ok(key)) = (
        std::env::var("PINION_TLS_CERT"),
        std::env::var("PINION_TLS_KEY"),
    ) {
        println!("certificate from {cert}");
        return Ok((
            std::fs::read_to_string(cert)?,
            std::fs::read_to_string(key)?,
        ));
    }
    let names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    let made = rcgen::generate_simple_self_signed(names)?;
    let (cert, key) = (made.cert.pem(), made.signing_key.serialize_pem());
    let out = std::env::var_os("PINION_TLS_CERT_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("pinion-https-cert.pem"));
    std::fs::write(&out, &cert)?;
    println!("self-signed certificate written to {}", out.display());
    Ok((cert, key))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::var("PINION_HTTPS_PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(8443);
    let seconds: Option<u64> = std::env::var("PINION_HTTP_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok());
    let (cert, key) = certificate()?;

    // Reads PINION_PROFILE, PINION_SHARDS and PINION_DRIVER.
    let rt = Runtime::new()?;
    let routes = Routes::new()
        .get("/plaintext", |_: &Request| {
            Response::new(StatusCode::OK)
                .with_header("Content-Type", "text/plain")
                .with_body("Hello, World!")
        })
        .get("/json", |_: &Request| {
            Response::new(StatusCode::OK)
                .with_header("Content-Type", "application/json")
                .with_body(r#"{"message":"Hello, World!"}"#)
        });
    let addr = SocketAddr::from(([0, 0, 0, 0], port));
    let server = HttpServer::new(routes)
        .tls(TlsAcceptor::new(server_config(&cert, &key)?))
        .header_timeout(Duration::from_secs(10))
        .start(rt.handle(), addr)?;
    println!(
        "listening on https://localhost:{} with {} shards ({:?})",
        server.local_addr().port(),
        rt.shards(),
        rt.driver()
    );

    match seconds {
        Some(s) => std::thread::sleep(Duration::from_secs(s)),
        None => {
            // Until standard input reaches its end.
            let mut sink = [0u8; 256];
            let mut stdin = std::io::stdin();
            while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        }
    }

    server.stop_and_wait(Duration::from_secs(5));
    rt.shutdown()?;
    println!("stopped");
    Ok(())
}
