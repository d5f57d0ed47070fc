//! The hyper baseline, TechEmpower style: one current-thread tokio runtime per
//! core, each with its own SO_REUSEPORT listener, pipelined responses flushed
//! together. Usage: `hyper-server PORT THREADS`.

use std::convert::Infallible;
use std::net::SocketAddr;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, SERVER};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

fn listener(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(4096)?;
    Ok(socket.into())
}

async fn hello(_req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut res = Response::new(Full::new(Bytes::from_static(b"Hello, World!")));
    let h = res.headers_mut();
    h.insert(SERVER, HeaderValue::from_static("hyper"));
    h.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    h.insert(CONTENT_LENGTH, HeaderValue::from_static("13"));
    Ok(res)
}

fn serve(addr: SocketAddr) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async move {
        let std_listener = listener(addr).expect("bind");
        let listener = tokio::net::TcpListener::from_std(std_listener).expect("listener");
        let mut http = hyper::server::conn::http1::Builder::new();
        http.pipeline_flush(true);
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let conn =
                http.serve_connection(TokioIo::new(stream), hyper::service::service_fn(hello));
            // A current-thread runtime runs spawned tasks on this thread.
            tokio::spawn(conn);
        }
    });
}

fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8081);
    let threads: usize = args.next().and_then(|p| p.parse().ok()).unwrap_or(2);
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let handles: Vec<_> = (0..threads)
        .map(|_| std::thread::spawn(move || serve(addr)))
        .collect();
    for h in handles {
        let _ = h.join();
    }
}
