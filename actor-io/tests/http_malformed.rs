//! Malformed requests: each is refused with the right status, and the
//! connection closes.

use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::{HttpError, Incoming, Limits, RequestDecoder, Response, ResponseContext};

struct Case {
    name: &'static str,
    raw: Vec<u8>,
    status: u16,
    close: bool,
}

fn case(name: &'static str, raw: impl Into<Vec<u8>>, status: u16) -> Case {
    Case {
        name,
        raw: raw.into(),
        status,
        close: true,
    }
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
        case("version_http12", "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505),
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
    ]
}

/// Feeds `raw` whole and returns the first error, after the requests before it.
fn first_error(raw: &[u8]) -> Option<HttpError> {
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(raw);
    let mut dec = RequestDecoder::new(Limits::default());
    dec.decode_iter(&mut buf).find_map(Result::err)
}

#[test]
fn malformed_requests_get_the_expected_status_and_close() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for c in &cases {
        match first_error(&c.raw) {
            Some(e) if e.status() == c.status && e.must_close() == c.close => {}
            other => failures.push(format!(
                "{}: expected {} (close {}), got {:?}",
                c.name, c.status, c.close, other
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn malformed_requests_fail_the_same_way_byte_by_byte() {
    for c in cases() {
        let mut buf = ReadBuf::new();
        let mut dec = RequestDecoder::default();
        let mut got = None;
        'feed: for b in &c.raw {
            buf.extend_from_slice(std::slice::from_ref(b));
            loop {
                match dec.decode(&mut buf) {
                    Ok(Some(Incoming::Continue)) => {}
                    Ok(Some(Incoming::Request(_))) => {}
                    Ok(None) => break,
                    Err(e) => {
                        got = Some(e);
                        break 'feed;
                    }
                }
            }
        }
        assert_eq!(got.map(|e| e.status()), Some(c.status), "{}", c.name);
    }
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
