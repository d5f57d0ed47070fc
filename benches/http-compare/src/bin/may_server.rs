//! The may-minihttp baseline: a coroutine server whose workers each answer
//! every pipelined request in the buffer with one write.
//! Usage: `may-server PORT WORKERS`.

use std::io;

use may_minihttp::{HttpServer, HttpService, Request, Response};

#[derive(Clone)]
struct Hello;

impl HttpService for Hello {
    fn call(&mut self, _req: Request, res: &mut Response) -> io::Result<()> {
        res.header("Content-Type: text/plain");
        res.body("Hello, World!");
        Ok(())
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8082);
    let workers: usize = args.next().and_then(|p| p.parse().ok()).unwrap_or(2);
    may::config().set_workers(workers);
    let server = HttpServer(Hello).start(("127.0.0.1", port)).expect("bind");
    server.join().expect("server thread");
}
