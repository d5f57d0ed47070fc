//! The HTTP client against a small std-thread server: body framings,
//! keep-alive reuse counted by the server's accepts, `Connection: close`,
//! timeouts, refused connections and malformed responses. Deadlines, not
//! timings; the driver follows PINION_DRIVER.

mod common;
mod std_http;

use std::net::TcpListener;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use actor_io::client::{ClientError, HttpClient, UrlError};
use actor_io::http::{HttpError, Method, Request};
use common::{eventually, on_shard, rt2};
use std_http::{Reply, serve};

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

fn routes(method: &str, path: &str, n: usize) -> Reply {
    match (method, path) {
        (_, "/flaky") if n == 1 => Reply::Drop,
        (_, "/flaky") => Reply::Send(OK),
        ("HEAD", _) => Reply::Send(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
        (_, "/length") => Reply::Send(OK),
        (_, "/chunked") => Reply::Send(
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        ),
        (_, "/until-close") => Reply::SendClose(b"HTTP/1.1 200 OK\r\n\r\nall of it"),
        (_, "/close") => {
            Reply::Send(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok")
        }
        (_, "/http10") => Reply::Send(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        (_, "/bye") => Reply::SendClose(OK),
        (_, "/hang") => Reply::Hang,
        (_, "/malformed") => Reply::SendClose(b"HTTP/1.1 two hundred\r\n\r\n"),
        (_, "/bad-length") => {
            Reply::SendClose(b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\nx")
        }
        (_, "/truncated") => {
            Reply::SendClose(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")
        }
        ("POST", "/echo-len") => Reply::Send(OK),
        _ => Reply::Send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"),
    }
}

/// Runs `f` with a fresh client on shard 1.
fn with_client<T: Send + 'static, F: Future<Output = T> + 'static>(
    client: impl FnOnce() -> HttpClient + Send + 'static,
    f: impl FnOnce(HttpClient) -> F + Send + 'static,
) -> T {
    let rt = rt2();
    let out = on_shard(&rt, 1, move || f(client()));
    rt.shutdown().unwrap();
    out
}

#[test]
fn content_length_chunked_and_close_delimited_bodies() {
    let server = serve(routes);
    let urls = [
        server.url("/length"),
        server.url("/chunked"),
        server.url("/until-close"),
    ];
    let bodies = with_client(HttpClient::new, move |client| async move {
        let mut out = Vec::new();
        for url in &urls {
            let r = client.get(url).await.unwrap();
            assert_eq!(r.status.as_u16(), 200);
            out.push(String::from_utf8(r.body).unwrap());
        }
        out
    });
    assert_eq!(bodies, ["hello", "hello world", "all of it"]);
}

#[test]
fn sequential_requests_reuse_one_connection() {
    let server = serve(routes);
    let (length, chunked) = (server.url("/length"), server.url("/chunked"));
    let stats = with_client(HttpClient::new, move |client| async move {
        for _ in 0..5 {
            assert_eq!(client.get(&length).await.unwrap().body, b"hello");
            assert_eq!(client.get(&chunked).await.unwrap().body, b"hello world");
        }
        assert_eq!(client.idle_connections(), 1);
        client.stats()
    });
    assert_eq!(server.accepted(), 1);
    assert_eq!((stats.connections_opened, stats.connections_reused), (1, 9));
}

#[test]
fn head_has_no_body_and_keeps_the_connection() {
    let server = serve(routes);
    let url = server.url("/length");
    let (head, get) = with_client(HttpClient::new, move |client| async move {
        let head = client.head(&url).await.unwrap();
        let get = client.get(&url).await.unwrap();
        (head, get)
    });
    assert_eq!(head.headers.get("content-length"), Some(&b"5"[..]));
    assert!(head.body.is_empty());
    assert_eq!(get.body, b"hello");
    assert_eq!(server.accepted(), 1);
}

#[test]
fn connection_close_means_a_new_connection_next_time() {
    let server = serve(routes);
    let (close, http10, until_close) = (
        server.url("/close"),
        server.url("/http10"),
        server.url("/until-close"),
    );
    with_client(HttpClient::new, move |client| async move {
        for url in [&close, &close, &http10, &http10, &until_close, &until_close] {
            assert_eq!(client.get(url).await.unwrap().status, 200);
        }
        assert_eq!(client.idle_connections(), 0);
    });
    assert_eq!(server.accepted(), 6);
}

#[test]
fn a_request_that_asks_to_close_is_not_pooled() {
    let server = serve(routes);
    let url = server.url("/length");
    with_client(HttpClient::new, move |client| async move {
        for _ in 0..2 {
            let req = Request::new(Method::GET, url.as_str()).with_header("Connection", "close");
            assert_eq!(client.request(req).await.unwrap().body, b"hello");
        }
    });
    assert_eq!(server.accepted(), 2);
}

#[test]
fn a_pooled_connection_the_server_closed_is_replaced() {
    let server = serve(routes);
    let (bye, length) = (server.url("/bye"), server.url("/length"));
    with_client(HttpClient::new, move |client| async move {
        // The server closes after answering without saying so.
        assert_eq!(client.get(&bye).await.unwrap().body, b"hello");
        actor_core::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(client.get(&length).await.unwrap().body, b"hello");
        assert_eq!(client.post(&length, "x").await.unwrap().body, b"hello");
    });
    assert_eq!(server.accepted(), 2);
}

#[test]
fn an_idempotent_request_on_a_pooled_connection_that_dies_is_retried_once() {
    // The server drops the second request on each connection unanswered.
    let server = serve(routes);
    let flaky = server.url("/flaky");
    let (get, post) = with_client(HttpClient::new, move |client| async move {
        assert_eq!(client.get(&flaky).await.unwrap().body, b"hello");
        let get = client.get(&flaky).await.map(|r| r.body);
        // A POST is not retried: the server may have acted on it.
        let post = client.post(&flaky, "x").await.map(|r| r.body);
        (get, post)
    });
    assert_eq!(get.unwrap(), b"hello");
    assert!(matches!(post, Err(ClientError::Io(_))), "{post:?}");
    assert_eq!(server.accepted(), 2);
}

#[test]
fn idle_connections_expire_and_the_cap_applies() {
    let server = serve(routes);
    let url = server.url("/length");
    with_client(
        || {
            HttpClient::builder()
                .idle_timeout(Duration::from_millis(30))
                .build()
        },
        move |client| async move {
            client.get(&url).await.unwrap();
            actor_core::time::sleep(Duration::from_millis(100)).await;
            assert_eq!(client.idle_connections(), 0);
            client.get(&url).await.unwrap();
        },
    );
    assert_eq!(server.accepted(), 2);

    let server = serve(routes);
    let url = server.url("/length");
    with_client(
        || HttpClient::builder().max_idle_per_host(0).build(),
        move |client| async move {
            for _ in 0..3 {
                client.get(&url).await.unwrap();
            }
        },
    );
    assert_eq!(server.accepted(), 3);
}

#[test]
fn a_server_that_never_answers_times_out_and_its_connection_is_dropped() {
    let server = serve(routes);
    let (hang, length) = (server.url("/hang"), server.url("/length"));
    let started = Instant::now();
    let (err, after) = with_client(
        || {
            HttpClient::builder()
                .request_timeout(Some(Duration::from_millis(300)))
                .build()
        },
        move |client| async move {
            let err = client.get(&hang).await.unwrap_err();
            let idle = client.idle_connections();
            let after = client.get(&length).await.map(|r| r.body);
            ((err, idle), after)
        },
    );
    assert!(matches!(err.0, ClientError::Timeout), "{:?}", err.0);
    assert!(err.0.is_timeout());
    assert_eq!(err.1, 0, "a timed-out connection is not pooled");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(after.unwrap(), b"hello");
    assert_eq!(server.accepted(), 2);
    assert!(
        eventually(Duration::from_secs(10), || server
            .closed
            .load(Ordering::SeqCst)
            >= 1),
        "the timed-out connection was closed"
    );
}

#[test]
fn a_refused_connection_is_a_connect_error() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = with_client(HttpClient::new, move |client| async move {
        client
            .get(&format!("http://127.0.0.1:{port}/"))
            .await
            .unwrap_err()
    });
    match err {
        ClientError::Connect(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionRefused),
        e => panic!("expected Connect, got {e:?}"),
    }
}

#[test]
fn malformed_responses_are_http_errors() {
    let server = serve(routes);
    let urls = [
        server.url("/malformed"),
        server.url("/bad-length"),
        server.url("/truncated"),
    ];
    let errs = with_client(HttpClient::new, move |client| async move {
        let mut errs = Vec::new();
        for url in &urls {
            errs.push(client.get(url).await.unwrap_err());
        }
        errs
    });
    assert!(
        matches!(errs[0], ClientError::Http(HttpError::InvalidStatus)),
        "{:?}",
        errs[0]
    );
    assert!(
        matches!(errs[1], ClientError::Http(HttpError::InvalidContentLength)),
        "{:?}",
        errs[1]
    );
    assert!(matches!(errs[2], ClientError::Http(_)), "{:?}", errs[2]);
}

#[test]
fn bad_urls_and_missing_tls_are_typed_errors() {
    let errs = with_client(HttpClient::new, move |client| async move {
        vec![
            client.get("ftp://example.com/").await.unwrap_err(),
            client.get("http://exa mple/").await.unwrap_err(),
            client.get("http://exa!mple/").await.unwrap_err(),
            client.get("https://127.0.0.1:1/").await.unwrap_err(),
            client
                .request(
                    Request::new(Method::GET, "http://127.0.0.1:1/").with_header("X", "a\r\nb"),
                )
                .await
                .unwrap_err(),
        ]
    });
    assert!(matches!(
        errs[0],
        ClientError::BadUrl(UrlError::UnsupportedScheme)
    ));
    assert!(matches!(errs[1], ClientError::BadUrl(UrlError::Malformed)));
    assert!(matches!(
        errs[2],
        ClientError::BadUrl(UrlError::InvalidHost)
    ));
    assert!(matches!(errs[3], ClientError::TlsNotConfigured));
    assert!(matches!(errs[4], ClientError::InvalidRequest(_)));
}

#[test]
fn a_connect_that_hangs_is_a_connect_timeout() {
    // 192.0.2.0/24 is TEST-NET-1: never routed, so the SYN goes unanswered
    // (or fails at once where there is no route; both are typed errors).
    let started = Instant::now();
    let err = with_client(
        || {
            HttpClient::builder()
                .connect_timeout(Duration::from_millis(200))
                .build()
        },
        move |client| async move { client.get("http://192.0.2.1:81/").await.unwrap_err() },
    );
    assert!(
        matches!(err, ClientError::ConnectTimeout | ClientError::Connect(_)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn a_name_that_does_not_resolve_is_a_resolve_error() {
    // `.invalid` never resolves (RFC 6761).
    let err = with_client(HttpClient::new, |client| async move {
        client.get("http://pinion.invalid/").await.unwrap_err()
    });
    match err {
        ClientError::Resolve { host, .. } => assert_eq!(host, "pinion.invalid"),
        e => panic!("expected Resolve, got {e:?}"),
    }
}

#[test]
fn a_host_name_is_resolved_as_the_system_resolver_does() {
    // The machine's own name goes to the resolver on the blocking pool
    // (names other than `localhost` and IP literals all do); the answer
    // must be the system's.
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let name = name.trim().to_ascii_lowercase();
    let server = serve(routes);
    let port = server.addr.port();
    let system: Option<bool> = std::net::ToSocketAddrs::to_socket_addrs(&(name.as_str(), port))
        .ok()
        .map(|mut addrs| addrs.any(|a| a.ip() == server.addr.ip()));
    let url = format!("http://{name}:{port}/length");
    let got = with_client(HttpClient::new, move |client| async move {
        client.get(&url).await
    });
    match (system, got) {
        // It resolves to this machine: the request reaches the server.
        (Some(true), Ok(r)) => assert_eq!((r.status.as_u16(), &r.body[..]), (200, &b"hello"[..])),
        // It resolves elsewhere, or not at all: the request fails.
        (Some(false), Err(ClientError::Connect(_) | ClientError::ConnectTimeout)) => {}
        (None, Err(ClientError::Resolve { .. })) => {}
        (system, got) => panic!("system resolver: {system:?}, client: {got:?}"),
    }
}
