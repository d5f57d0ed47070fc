//! Malformed requests: each is refused with the right status, and the
//! connection closes; and the odd but valid ones (RFC 9112's corners) are
//! served. The table runs against the decoder, whole and byte by byte, and
//! against a live server (`http_malformed_live.rs`).

mod common;
mod server_util;

use std::io::Write;
use std::net::Shutdown;
use std::time::{Duration, Instant};

use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::{
    HttpError, Incoming, Limits, Request, RequestDecoder, Response, ResponseContext, StatusCode,
    Version,
};
use actor_io::server::{HttpServer, Routes};
use actor_io::tls::client_config;
use actor_io::tls::rustls::ClientConnection;

/// What a request of the table must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Refused with this status; the connection closes.
    Refused(u16),
    /// Served: routed by this path, answered as HTTP/1.1.
    Served(&'static str),
}

struct Case {
    name: &'static str,
    raw: Vec<u8>,
    expect: Expect,
}

fn case(name: &'static str, raw: impl Into<Vec<u8>>, status: u16) -> Case {
    Case {
        name,
        raw: raw.into(),
        expect: Expect::Refused(status),
    }
}

fn served(name: &'static str, raw: impl Into<Vec<u8>>, path: &'static str) -> Case {
    Case {
        name,
        raw: raw.into(),
        expect: Expect::Served(path),
    }
}

/// The first flight of a real TLS client: a ClientHello record.
fn client_hello() -> Vec<u8> {
    let ck = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let config = client_config(&ck.cert.pem()).unwrap();
    let mut conn = ClientConnection::new(config, "localhost".try_into().unwrap()).unwrap();
    let mut out = Vec::new();
    while conn.wants_write() {
        conn.write_tls(&mut out).unwrap();
    }
    assert_eq!(out.first(), Some(&0x16), "a handshake record");
    out
}

/// A request with `headers` (CRLF-terminated lines) and `body`.
fn req(headers: &str, body: &str) -> Vec<u8> {
    format!("POST / HTTP/1.1\r\nHost: x\r\n{headers}\r\n{body}").into_bytes()
}

fn cases() -> Vec<Case> {
    let many_headers: String = (0..65).map(|i| format!("X-{i}: v\r\n")).collect();
    let big_header = format!("X-Big: {}\r\n", "a".repeat(17 * 1024));
    vec![
        // Request smuggling: Content-Length with Transfer-Encoding.
        case(
            "cl_then_te",
            req(
                "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                "0\r\n\r\n",
            ),
            400,
        ),
        case(
            "te_then_cl",
            req(
                "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                "0\r\n\r\n",
            ),
            400,
        ),
        case(
            "cl_zero_with_te",
            req("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n", ""),
            400,
        ),
        // Duplicated or odd Content-Length.
        case(
            "cl_duplicated_same",
            req("Content-Length: 5\r\nContent-Length: 5\r\n", "hello"),
            400,
        ),
        case(
            "cl_duplicated_differing",
            req("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!"),
            400,
        ),
        case("cl_list", req("Content-Length: 5, 5\r\n", "hello"), 400),
        case("cl_plus", req("Content-Length: +5\r\n", "hello"), 400),
        case("cl_minus", req("Content-Length: -1\r\n", ""), 400),
        case(
            "cl_two_numbers",
            req("Content-Length: 5 5\r\n", "hello"),
            400,
        ),
        case("cl_hex", req("Content-Length: 0x10\r\n", ""), 400),
        case("cl_empty", req("Content-Length: \r\n", ""), 400),
        case(
            "cl_overflow",
            req("Content-Length: 99999999999999999999999\r\n", ""),
            400,
        ),
        case("cl_decimal_point", req("Content-Length: 1.0\r\n", "h"), 400),
        // Body too large.
        case(
            "cl_above_limit",
            req("Content-Length: 9000000\r\n", ""),
            413,
        ),
        case(
            "chunked_above_limit",
            req("Transfer-Encoding: chunked\r\n", "900000\r\n"),
            413,
        ),
        // Transfer-Encoding.
        case("te_gzip_only", req("Transfer-Encoding: gzip\r\n", ""), 501),
        case(
            "te_gzip_chunked",
            req("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n"),
            501,
        ),
        case(
            "te_identity",
            req("Transfer-Encoding: identity\r\n", ""),
            501,
        ),
        case(
            "te_chunked_twice",
            req("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"),
            400,
        ),
        case(
            "te_chunked_not_last",
            req(
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n",
                "",
            ),
            400,
        ),
        case("te_empty", req("Transfer-Encoding: \r\n", ""), 400),
        case(
            "te_garbage",
            req("Transfer-Encoding: chun@ked\r\n", ""),
            400,
        ),
        case(
            "te_in_http10",
            "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
        ),
        // Bad chunk sizes.
        case(
            "chunk_0x",
            req(
                "Transfer-Encoding: chunked\r\n",
                "0x5\r\nhello\r\n0\r\n\r\n",
            ),
            400,
        ),
        case(
            "chunk_plus",
            req("Transfer-Encoding: chunked\r\n", "+5\r\nhello\r\n0\r\n\r\n"),
            400,
        ),
        case(
            "chunk_minus",
            req("Transfer-Encoding: chunked\r\n", "-5\r\nhello\r\n0\r\n\r\n"),
            400,
        ),
        case(
            "chunk_underscore",
            req("Transfer-Encoding: chunked\r\n", "1_0\r\n"),
            400,
        ),
        case(
            "chunk_empty_size",
            req("Transfer-Encoding: chunked\r\n", "\r\nhello\r\n"),
            400,
        ),
        case(
            "chunk_leading_space",
            req("Transfer-Encoding: chunked\r\n", " 5\r\nhello\r\n0\r\n\r\n"),
            400,
        ),
        case(
            "chunk_overflow_u64",
            req("Transfer-Encoding: chunked\r\n", "10000000000000000\r\n"),
            400,
        ),
        case(
            "chunk_overflow_limit",
            req("Transfer-Encoding: chunked\r\n", "FFFFFFFFFFFFFFFF\r\n"),
            413,
        ),
        case(
            "chunk_data_no_crlf",
            req("Transfer-Encoding: chunked\r\n", "5\r\nhelloXX0\r\n\r\n"),
            400,
        ),
        case(
            "chunk_size_bare_lf",
            req("Transfer-Encoding: chunked\r\n", "5\nhello\r\n0\r\n\r\n"),
            400,
        ),
        case(
            "chunk_line_too_long",
            req(
                "Transfer-Encoding: chunked\r\n",
                &format!("5;{}\r\n", "e".repeat(2000)),
            ),
            400,
        ),
        // Bare CR / bare LF.
        case("bare_lf_everywhere", "GET / HTTP/1.1\nHost: x\n\n", 400),
        case(
            "bare_lf_after_header",
            "GET / HTTP/1.1\r\nHost: x\n\r\n",
            400,
        ),
        case(
            "bare_cr_in_request_line",
            "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        case(
            "bare_cr_in_value",
            "GET / HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n",
            400,
        ),
        case(
            "leading_bare_lf",
            "\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        // Too many or too large headers.
        case(
            "too_many_headers",
            format!("GET / HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n"),
            431,
        ),
        case(
            "header_too_large",
            format!("GET / HTTP/1.1\r\nHost: x\r\n{big_header}\r\n"),
            431,
        ),
        case(
            "head_never_ends",
            format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(20_000)),
            431,
        ),
        // Invalid method, version, URI.
        case(
            "method_with_slash",
            "GE/T / HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        case("method_empty", " / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        case("method_with_nul", "G\0T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        case("version_http2", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        // A later HTTP/1 minor version is served as HTTP/1.1 (RFC 9110 §6.2).
        served(
            "version_http12",
            "GET /plaintext HTTP/1.2\r\nHost: x\r\n\r\n",
            "/plaintext",
        ),
        served(
            "version_http19_with_body",
            "POST /plaintext HTTP/1.9\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi",
            "/plaintext",
        ),
        case(
            "version_lowercase",
            "GET / http/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        case("version_garbage", "GET / HTTP/1.1x\r\nHost: x\r\n\r\n", 400),
        case("version_missing", "GET /\r\nHost: x\r\n\r\n", 400),
        case("h2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
        case("uri_space", "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        case("uri_relative", "GET foo HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        case(
            "uri_control_byte",
            "GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        // The absolute form is accepted and routed by its path (RFC 9112 §3.2.2).
        served(
            "uri_absolute_form",
            "GET http://localhost/plaintext HTTP/1.1\r\nHost: localhost\r\n\r\n",
            "/plaintext",
        ),
        served(
            "uri_absolute_form_with_port_and_query",
            "GET http://localhost:8080/plaintext?x=1 HTTP/1.1\r\nHost: elsewhere\r\n\r\n",
            "/plaintext",
        ),
        case(
            "uri_absolute_form_no_authority",
            "GET http:///plaintext HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        case(
            "uri_asterisk_not_options",
            "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
            400,
        ),
        // Header injection and malformed fields.
        case(
            "value_with_nul",
            "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n",
            400,
        ),
        case(
            "space_before_colon",
            "GET / HTTP/1.1\r\nHost: x\r\nX-A : b\r\n\r\n",
            400,
        ),
        case(
            "obs_fold",
            "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n",
            400,
        ),
        case(
            "name_with_space",
            "GET / HTTP/1.1\r\nHost: x\r\nX A: b\r\n\r\n",
            400,
        ),
        case(
            "empty_name",
            "GET / HTTP/1.1\r\nHost: x\r\n: b\r\n\r\n",
            400,
        ),
        case("no_colon", "GET / HTTP/1.1\r\nHost: x\r\nXAB\r\n\r\n", 400),
        // Host.
        case("http11_without_host", "GET / HTTP/1.1\r\n\r\n", 400),
        case(
            "two_hosts",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            400,
        ),
        // A Host value must be `host[:port]` (RFC 9112 §3.2, RFC 9110 §7.2).
        case(
            "host_with_space",
            "GET / HTTP/1.1\r\nHost: local host\r\n\r\n",
            400,
        ),
        // Whitespace around the value is not part of it.
        served(
            "host_with_surrounding_whitespace",
            "GET /plaintext HTTP/1.1\r\nHost: \t localhost:8080 \t\r\n\r\n",
            "/plaintext",
        ),
        case(
            "host_with_userinfo",
            "GET / HTTP/1.1\r\nHost: user@h\r\n\r\n",
            400,
        ),
        case("host_bad_port", "GET / HTTP/1.1\r\nHost: h:8o\r\n\r\n", 400),
        case(
            "host_with_space_http10",
            "GET / HTTP/1.0\r\nHost: a b\r\n\r\n",
            400,
        ),
        // Bytes that cannot start a request line are refused as they come,
        // not when a head that never ends times out.
        case("tls_client_hello", client_hello(), 400),
        case("binary_junk", &[0u8, 1, 2, 3][..], 400),
        case("space_then_junk", "GET  / HTTP/1.1", 400),
    ]
}

/// Feeds `raw` whole and returns the first error, after the requests before it.
fn first_error(raw: &[u8]) -> Option<HttpError> {
    decode_whole(raw).1
}

/// Feeds `raw` whole: the requests decoded, and the first error.
fn decode_whole(raw: &[u8]) -> (Vec<Request>, Option<HttpError>) {
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(raw);
    let mut dec = RequestDecoder::new(Limits::default());
    let mut requests = Vec::new();
    for item in dec.decode_iter(&mut buf) {
        match item {
            Ok(Incoming::Request(r)) => requests.push(r),
            Ok(Incoming::Continue) => {}
            Err(e) => return (requests, Some(e)),
        }
    }
    (requests, None)
}

/// Feeds `raw` a byte at a time: the requests decoded, and the first error.
fn decode_bytewise(raw: &[u8]) -> (Vec<Request>, Option<HttpError>) {
    let mut buf = ReadBuf::new();
    let mut dec = RequestDecoder::default();
    let mut requests = Vec::new();
    for b in raw {
        buf.extend_from_slice(std::slice::from_ref(b));
        loop {
            match dec.decode(&mut buf) {
                Ok(Some(Incoming::Continue)) => {}
                Ok(Some(Incoming::Request(r))) => requests.push(r),
                Ok(None) => break,
                Err(e) => return (requests, Some(e)),
            }
        }
    }
    (requests, None)
}

/// Whether a decoding of a case gave what the table expects; `None` when
/// it did, what went wrong otherwise.
fn mismatch(
    expect: Expect,
    (requests, error): (Vec<Request>, Option<HttpError>),
) -> Option<String> {
    match expect {
        Expect::Refused(status) => match error {
            Some(e) if e.status() == status && e.must_close() => None,
            Some(e) if e.status() == status && !e.must_close() => {
                Some(format!("{e:?} does not close"))
            }
            other => Some(format!("expected {status}, got {other:?}")),
        },
        Expect::Served(path) => match (requests.as_slice(), error) {
            ([r], None) if r.path() == path && r.version == Version::HTTP_11 => None,
            (r, e) => Some(format!("expected one request for {path}, got {r:?} {e:?}")),
        },
    }
}

#[test]
fn malformed_requests_get_the_expected_status_and_close() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            mismatch(c.expect, decode_whole(&c.raw)).map(|m| format!("{}: {m}", c.name))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn malformed_requests_fail_the_same_way_byte_by_byte() {
    let failures: Vec<String> = cases()
        .iter()
        .filter_map(|c| {
            mismatch(c.expect, decode_bytewise(&c.raw)).map(|m| format!("{}: {m}", c.name))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_tls_client_hello_is_refused_from_its_first_byte() {
    let hello = cases()
        .into_iter()
        .find(|c| c.name == "tls_client_hello")
        .unwrap();
    let (_, error) = decode_whole(&hello.raw[..1]);
    assert_eq!(error, Some(HttpError::InvalidMethod));
}

#[test]
fn error_response_says_close() {
    let e = first_error(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    let mut out = Vec::new();
    Response::for_error(&e)
        .encode(ResponseContext::closing(), &mut out)
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
    assert!(text.contains("\r\nConnection: close\r\n"), "{text}");
}

#[test]
fn decoder_stays_failed() {
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(b"GET / HTTP/9.9\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut dec = RequestDecoder::default();
    assert_eq!(dec.decode(&mut buf), Err(HttpError::UnsupportedVersion));
    assert_eq!(dec.decode(&mut buf), Err(HttpError::UnsupportedVersion));
}

/// Every case of the table against a live server, under the driver the
/// environment picks: a refused request gets the decoder's status and its
/// connection closes at once (long before the timeouts, set far off here);
/// a served one is routed by its path and answered in HTTP/1.1.
#[test]
fn a_live_server_answers_the_table_as_the_decoder_does() {
    let rt = common::rt2();
    let echo_path = |r: &Request| Response::new(StatusCode::OK).with_body(r.path().to_owned());
    let routes = Routes::new()
        .get("/plaintext", echo_path)
        .route("POST", "/plaintext", echo_path);
    let server = HttpServer::new(routes)
        .header_timeout(Duration::from_secs(60))
        .idle_timeout(Duration::from_secs(60))
        .start(rt.handle(), "127.0.0.1:0".parse().unwrap())
        .unwrap();
    let mut failures = Vec::new();
    for c in cases() {
        let started = Instant::now();
        let mut client = server_util::Client::connect(server.local_addr());
        // A refusing server may close before taking every byte.
        let _ = client.stream.write_all(&c.raw);
        let response = client.response();
        let got = match c.expect {
            Expect::Refused(status) => {
                let closed = client.is_closed();
                (response.status == status && closed)
                    .then_some(())
                    .ok_or(format!("got {} (closed: {closed})", response.status))
            }
            Expect::Served(path) => {
                let body = server_util::body_text(&response);
                (response.status == 200 && body == path && response.version == Version::HTTP_11)
                    .then_some(())
                    .ok_or(format!("got {} {body:?}", response.status))
            }
        };
        let _ = client.stream.shutdown(Shutdown::Both);
        let took = started.elapsed();
        match got {
            Ok(()) if took < Duration::from_secs(10) => {}
            Ok(()) => failures.push(format!("{}: took {took:?}", c.name)),
            Err(e) => failures.push(format!("{}: expected {:?}, {e}", c.name, c.expect)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    drop(server);
    rt.shutdown().unwrap();
}
