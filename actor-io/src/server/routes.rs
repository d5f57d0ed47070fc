//! What answers a request: a plain function, a future, or an actor.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use actor_core::partition::{Partitioner, Sharded};
use actor_core::{Actor, ActorRef, AskError, ReplyTo};

use crate::http::{Method, Request, Response, ResponseWriter, Route, Router, StatusCode, Written};
use crate::observe::{Exporter, Health, Probe};

/// A shard-local future that produces a response.
pub(crate) type ResponseFuture = Pin<Box<dyn Future<Output = Response>>>;

type SyncFn = dyn Fn(&Request) -> Response + Send + Sync;
type AsyncFn = dyn Fn(Request) -> ResponseFuture + Send + Sync;
type DirectFn = dyn for<'a> Fn(&Request, ResponseWriter<'a>) -> Written + Send + Sync;

/// A route's handler.
#[derive(Clone)]
pub(crate) enum Handler {
    /// Answers on the spot, on the connection's shard.
    Sync(Arc<SyncFn>),
    /// Starts a future (often an ask to an actor) that answers later.
    Async(Arc<AsyncFn>),
    /// Writes its response straight into the connection's output.
    Direct(Arc<DirectFn>),
}

impl fmt::Debug for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Handler::Sync(_) => "Handler::Sync",
            Handler::Async(_) => "Handler::Async",
            Handler::Direct(_) => "Handler::Direct",
        })
    }
}

/// The message an actor handler receives: the request, and where to send
/// the response. An actor serves HTTP routes when its message type converts
/// from `HttpCall` (`impl From<HttpCall> for MyMsg`).
///
/// If the actor has stopped the client gets 503; if it drops `reply`
/// without answering, 500.
#[derive(Debug)]
pub struct HttpCall {
    /// The request, body included.
    pub request: Request,
    /// Where the response goes: `reply.send(response)`.
    pub reply: ReplyTo<Response>,
}

/// The routing table of an [`HttpServer`](super::HttpServer): method and
/// path (exact, or a prefix ending in `/*`) to a handler. Unknown paths get
/// 404, known paths with another method 405 with `Allow`.
///
/// ```
/// use actor_io::http::{Method, Request, Response, StatusCode};
/// use actor_io::server::Routes;
///
/// let routes = Routes::new()
///     .get("/plaintext", |_: &Request| Response::new(StatusCode::OK).with_body("Hello, World!"))
///     .route_async(Method::POST, "/echo", |req: Request| async move {
///         Response::new(StatusCode::OK).with_body(req.body)
///     });
/// assert_eq!(routes.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Routes {
    router: Router<Handler>,
    count: usize,
}

impl Routes {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many routes were added (a replaced route counts again).
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether no route was added.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    fn add(mut self, method: impl AsRef<str>, path: &str, handler: Handler) -> Self {
        self.router.add(method.as_ref(), path, handler);
        self.count += 1;
        self
    }

    /// Routes `method` `path` to a function that answers at once, on the
    /// connection's shard: the fast path (no message, no allocation beyond
    /// the response).
    pub fn route(
        self,
        method: impl AsRef<str>,
        path: &str,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Self {
        self.add(method, path, Handler::Sync(Arc::new(handler)))
    }

    /// [`route`](Self::route) for `GET` (and so `HEAD`).
    pub fn get(
        self,
        path: &str,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> Self {
        self.route(Method::GET, path, handler)
    }

    /// Routes `method` `path` to a function that writes its response
    /// straight into the connection's output through a [`ResponseWriter`]
    /// (a [`HeaderBlock`](crate::http::HeaderBlock) encoded once, a borrowed
    /// body): no [`Response`] is built or dropped per request, the cheapest
    /// path for fixed answers. A handler that panics, or returns a
    /// [`Written`] from another writer, is answered with 500.
    ///
    /// ```
    /// use actor_io::http::{HeaderBlock, Request, ResponseWriter, StatusCode, Written};
    /// use actor_io::server::Routes;
    ///
    /// let headers = HeaderBlock::new([("Content-Type", "text/plain")]).unwrap();
    /// let routes = Routes::new().route_direct("GET", "/plaintext", move |_: &Request, w: ResponseWriter<'_>| {
    ///     w.send(StatusCode::OK, &headers, b"Hello, World!")
    /// });
    /// assert_eq!(routes.len(), 1);
    /// ```
    pub fn route_direct(
        self,
        method: impl AsRef<str>,
        path: &str,
        handler: impl for<'a> Fn(&Request, ResponseWriter<'a>) -> Written + Send + Sync + 'static,
    ) -> Self {
        self.add(method, path, Handler::Direct(Arc::new(handler)))
    }

    /// [`route_direct`](Self::route_direct) for `GET` (and so `HEAD`).
    pub fn get_direct(
        self,
        path: &str,
        handler: impl for<'a> Fn(&Request, ResponseWriter<'a>) -> Written + Send + Sync + 'static,
    ) -> Self {
        self.route_direct(Method::GET, path, handler)
    }

    /// Routes `method` `path` to a function written for the `http` crate's
    /// types (as handlers and middleware of that ecosystem are), answered
    /// on the spot like [`route`](Self::route). The request is converted
    /// for it (a copy of its parts), so the plain [`route`](Self::route)
    /// stays the cheaper one.
    ///
    /// ```
    /// use actor_io::http::Method;
    /// use actor_io::server::Routes;
    ///
    /// let routes = Routes::new().route_http(Method::GET, "/hi", |req: http::Request<Vec<u8>>| {
    ///     http::Response::builder()
    ///         .header("X-Path", req.uri().path())
    ///         .body("hello")
    ///         .unwrap()
    /// });
    /// assert_eq!(routes.len(), 1);
    /// ```
    pub fn route_http<B: Into<Vec<u8>>>(
        self,
        method: impl AsRef<str>,
        path: &str,
        handler: impl Fn(::http::Request<Vec<u8>>) -> ::http::Response<B> + Send + Sync + 'static,
    ) -> Self {
        self.route(method, path, move |req: &Request| {
            match req.clone().into_http() {
                Ok(req) => Response::from(handler(req)),
                Err(e) => plain(StatusCode::BAD_REQUEST, &format!("{e}\n")),
            }
        })
    }

    /// Routes `method` `path` to a function that returns a future, run on
    /// the connection's shard (it need not be `Send`). Pipelined requests
    /// still get their responses in order.
    pub fn route_async<F, Fut>(self, method: impl AsRef<str>, path: &str, handler: F) -> Self
    where
        F: Fn(Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Response> + 'static,
    {
        let handler: Arc<AsyncFn> = Arc::new(move |req| Box::pin(handler(req)));
        self.add(method, path, Handler::Async(handler))
    }

    /// Routes `method` `path` to an actor: each request arrives as an
    /// [`HttpCall`] message.
    pub fn route_actor<A>(self, method: impl AsRef<str>, path: &str, actor: ActorRef<A>) -> Self
    where
        A: Actor,
        A::Msg: From<HttpCall>,
    {
        self.route_async(method, path, move |request| {
            let actor = actor.clone();
            async move { call(&actor, request).await }
        })
    }

    /// Routes `method` `path` to the member of a [`Sharded`] group that owns
    /// the request's key, as `key(&request)` says (a path segment, say).
    pub fn route_sharded<A, P>(
        self,
        method: impl AsRef<str>,
        path: &str,
        group: Sharded<A, P>,
        key: impl Fn(&Request) -> String + Send + Sync + 'static,
    ) -> Self
    where
        A: Actor,
        A::Msg: From<HttpCall>,
        P: Partitioner<str> + Send + Sync + 'static,
    {
        self.route_async(method, path, move |request| {
            let owner = group.route(key(&request).as_str()).clone();
            async move { call(&owner, request).await }
        })
    }

    /// Mounts `GET /metrics` (Prometheus text from `exporter`) and
    /// `GET /health`, `/ready`, `/alive` (answered by `health`).
    pub fn observability(self, exporter: Exporter, health: Health) -> Self {
        let routes = self.get("/metrics", move |_| match exporter.render() {
            Ok(text) => Response::new(StatusCode::OK)
                .with_header("Content-Type", exporter.content_type())
                .with_body(text),
            Err(e) => plain(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("metrics: {e}\n"),
            ),
        });
        ["/health", "/ready", "/alive"]
            .into_iter()
            .fold(routes, |routes, path| {
                let health = health.clone();
                routes.route_async(Method::GET, path, move |req: Request| {
                    let health = health.clone();
                    async move {
                        let Some(probe) = Probe::from_path(req.path()) else {
                            return plain(StatusCode::NOT_FOUND, "not found\n");
                        };
                        let answer = health.answer(probe).await;
                        plain(answer.status, &answer.body)
                    }
                })
            })
    }

    /// The handler for `method` and `path`.
    pub(crate) fn find(&self, method: &str, path: &str) -> Route<'_, Handler> {
        self.router.route(method, path)
    }
}

/// Asks `actor` to answer `request`.
async fn call<A>(actor: &ActorRef<A>, request: Request) -> Response
where
    A: Actor,
    A::Msg: From<HttpCall>,
{
    match actor
        .ask(|reply| A::Msg::from(HttpCall { request, reply }))
        .await
    {
        Ok(response) => response,
        Err(AskError::Closed) => plain(StatusCode::SERVICE_UNAVAILABLE, "handler unavailable\n"),
        Err(e) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("handler failed: {e}\n"),
        ),
    }
}

/// A plain-text response.
pub(crate) fn plain(status: StatusCode, body: &str) -> Response {
    Response::new(status)
        .with_header("Content-Type", "text/plain; charset=utf-8")
        .with_body(body)
}
