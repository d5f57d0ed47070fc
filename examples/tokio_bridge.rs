//! Calling a tokio-based library from an actor: hyper's HTTP client
//! (hyper-util's pooled client) runs on the runtime's tokio threads through
//! `Context::spawn_tokio`, against Pinion's own HTTP server on the same
//! runtime. The actor awaits each response on its own shard, which keeps
//! serving meanwhile. Works offline.
//!
//! Run with `cargo run -p examples --example tokio_bridge`
//! (`PINION_DRIVER=uring|epoll` picks the shards' reactor).

use std::time::{Duration, Instant};

use actor_core::time::{sleep, timeout};
use actor_core::{Actor, Context, ReplyTo, Runtime, TokioError};
use actor_io::http::{Request, Response, StatusCode};
use actor_io::server::{HttpServer, Routes};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

type HttpClient = Client<HttpConnector, Empty<Bytes>>;

/// A status and a body, or what went wrong.
type Page = Result<(u16, String), String>;

/// Fetches pages with hyper, one tokio task per request.
struct Fetcher {
    client: HttpClient,
    base: String,
}

enum Fetch {
    /// GETs one path.
    One(&'static str, ReplyTo<Page>),
    /// GETs every path at once: all are in flight on tokio together.
    All(Vec<&'static str>, ReplyTo<Vec<Page>>),
    /// GETs a path but gives up after a deadline; `None` if it passed.
    /// Dropping the task at the deadline aborts the request on tokio.
    Within(&'static str, Duration, ReplyTo<Option<Page>>),
}

/// Runs on a tokio thread: hyper needs tokio's reactor and spawner.
async fn get(client: HttpClient, url: String) -> Page {
    let uri: hyper::Uri = url.parse().map_err(|e| format!("{url}: {e}"))?;
    let response = client.get(uri).await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

/// A page, or why the tokio task gave none (a panic, or shutdown).
fn page(out: Result<Page, TokioError>) -> Page {
    out.map_err(|e| e.to_string())?
}

impl Fetcher {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Actor for Fetcher {
    type Msg = Fetch;

    async fn handle(&mut self, msg: Fetch, ctx: &mut Context<Self>) {
        match msg {
            Fetch::One(path, reply) => {
                let task = ctx.spawn_tokio(get(self.client.clone(), self.url(path)));
                reply.send(page(task.await));
            }
            Fetch::All(paths, reply) => {
                let tasks: Vec<_> = paths
                    .iter()
                    .map(|p| ctx.spawn_tokio(get(self.client.clone(), self.url(p))))
                    .collect();
                let mut pages = Vec::with_capacity(tasks.len());
                for task in tasks {
                    pages.push(page(task.await));
                }
                reply.send(pages);
            }
            Fetch::Within(path, limit, reply) => {
                let task = ctx.spawn_tokio(get(self.client.clone(), self.url(path)));
                reply.send(timeout(limit, task).await.ok().map(page));
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rt = Runtime::new()?;
    let routes = Routes::new()
        .get("/hello", |_: &Request| {
            Response::new(StatusCode::OK).with_body("Hello from Pinion")
        })
        .route_async("GET", "/slow", |_: Request| async {
            sleep(Duration::from_secs(1)).await;
            Response::new(StatusCode::OK).with_body("too late")
        });
    let server = HttpServer::new(routes).start(rt.handle(), "127.0.0.1:0".parse()?)?;
    let base = format!("http://{}", server.local_addr());
    println!(
        "Pinion's HTTP server on {base}: {} shards, driver {:?}",
        rt.shards(),
        rt.driver()
    );

    // The client is built here; it runs (and spawns its connection tasks)
    // only inside the futures handed to spawn_tokio.
    let client: HttpClient = Client::builder(TokioExecutor::new()).build_http();
    let fetcher = rt.spawn_on(0, move || Fetcher { client, base })?;

    let (status, body) = fetcher.ask_blocking(|r| Fetch::One("/hello", r))??;
    println!("GET /hello    -> {status} {body:?}");
    assert_eq!((status, body.as_str()), (200, "Hello from Pinion"));

    let (status, _) = fetcher.ask_blocking(|r| Fetch::One("/missing", r))??;
    println!("GET /missing  -> {status}");
    assert_eq!(status, 404);

    let start = Instant::now();
    let pages = fetcher.ask_blocking(|r| Fetch::All(vec!["/hello"; 32], r))?;
    let ok = pages.iter().filter(|p| matches!(p, Ok((200, _)))).count();
    println!(
        "32 GETs at once -> {ok} × 200 in {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    assert_eq!(ok, 32);

    let start = Instant::now();
    let late = fetcher.ask_blocking(|r| Fetch::Within("/slow", Duration::from_millis(100), r))?;
    println!(
        "GET /slow with a 100 ms deadline -> {} after {:.0} ms (the tokio task was aborted)",
        if late.is_none() {
            "gave up"
        } else {
            "answered"
        },
        start.elapsed().as_secs_f64() * 1e3
    );
    assert!(late.is_none());

    server.stop_and_wait(Duration::from_secs(5));
    rt.shutdown()?;
    println!("stopped");
    Ok(())
}
