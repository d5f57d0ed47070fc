//! Valid requests: methods, bodies, chunked, 100-continue, keep-alive,
//! HTTP/1.0, and pipelining.

use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::{Incoming, Limits, Request, RequestDecoder, Version};

/// Every item decoded from `raw` fed whole.
fn decode_all(raw: &[u8]) -> Vec<Incoming> {
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(raw);
    let mut dec = RequestDecoder::default();
    let items: Vec<_> = dec.decode_iter(&mut buf).map(|r| r.unwrap()).collect();
    assert!(buf.is_empty(), "left over: {:?}", buf.as_slice());
    items
}

fn one_request(raw: &[u8]) -> Request {
    match decode_all(raw).as_slice() {
        [Incoming::Request(r)] => r.clone(),
        other => panic!("expected one request, got {other:?}"),
    }
}

#[test]
fn get() {
    let r =
        one_request(b"GET /index.html?q=1 HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n");
    assert_eq!(r.method, "GET");
    assert_eq!(r.target, "/index.html?q=1");
    assert_eq!(r.path(), "/index.html");
    assert_eq!(r.query(), Some("q=1"));
    assert_eq!(r.version, Version::HTTP_11);
    assert_eq!(r.headers.get("host"), Some(&b"example.com"[..]));
    assert_eq!(r.headers.len(), 2);
    assert!(r.body.is_empty());
    assert!(r.keep_alive());
    assert!(!r.expects_continue());
}

#[test]
fn post_with_content_length() {
    let r = one_request(b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world");
    assert_eq!(r.body, b"hello world");
}

#[test]
fn chunked_with_extensions_and_trailers() {
    let r = one_request(
        b"POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;name=value\r\nhello\r\n6 ; x\r\n world\r\n0;last\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n",
    );
    assert_eq!(r.body, b"hello world");
    assert!(!r.headers.contains("x-checksum"), "trailers are skipped");
}

#[test]
fn transfer_encoding_is_case_insensitive() {
    let r = one_request(
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    );
    assert_eq!(r.body, b"abc");
}

#[test]
fn expect_continue_is_reported_before_the_body() {
    let head = b"PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n";
    let mut buf = ReadBuf::new();
    let mut dec = RequestDecoder::default();
    buf.extend_from_slice(head);
    assert_eq!(dec.decode(&mut buf), Ok(Some(Incoming::Continue)));
    assert_eq!(dec.decode(&mut buf), Ok(None));
    buf.extend_from_slice(b"da");
    assert_eq!(dec.decode(&mut buf), Ok(None));
    buf.extend_from_slice(b"ta");
    match dec.decode(&mut buf) {
        Ok(Some(Incoming::Request(r))) => {
            assert_eq!(r.body, b"data");
            assert!(r.expects_continue());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn expect_continue_skipped_when_body_already_sent() {
    let items = decode_all(
        b"PUT /f HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
    );
    assert!(matches!(items.as_slice(), [Incoming::Request(_)]));
}

#[test]
fn expect_continue_ignored_in_http10() {
    let head = b"PUT /f HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n";
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(head);
    assert_eq!(RequestDecoder::default().decode(&mut buf), Ok(None));
}

#[test]
fn keep_alive_rules() {
    let cases: [(&[u8], bool); 7] = [
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Keep-Alive, CLOSE\r\n\r\n",
            false,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n",
            true,
        ),
        (b"GET / HTTP/1.0\r\n\r\n", false),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true),
        (b"GET / HTTP/1.0\r\nConnection: close\r\n\r\n", false),
    ];
    for (raw, keep) in cases {
        assert_eq!(
            one_request(raw).keep_alive(),
            keep,
            "{}",
            String::from_utf8_lossy(raw)
        );
    }
}

#[test]
fn http10_without_host_and_with_body() {
    let r = one_request(b"POST /x HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc");
    assert_eq!((r.version, &r.body[..]), (Version::HTTP_10, &b"abc"[..]));
}

#[test]
fn other_target_forms() {
    assert_eq!(
        one_request(b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").target,
        "*"
    );
    assert_eq!(
        one_request(b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n").target,
        "example.com:443"
    );
    assert_eq!(
        one_request(b"GET http://a/b HTTP/1.1\r\nHost: a\r\n\r\n").target,
        "http://a/b"
    );
}

#[test]
fn leading_empty_lines_are_ignored() {
    assert_eq!(
        one_request(b"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").target,
        "/"
    );
}

#[test]
fn header_value_whitespace_is_trimmed_and_obs_text_kept() {
    let r = one_request(b"GET / HTTP/1.1\r\nHost: a\r\nX-A:   v \t\r\nX-B: caf\xc3\xa9\r\n\r\n");
    assert_eq!(r.headers.get("x-a"), Some(&b"v"[..]));
    assert_eq!(r.headers.get("X-B"), Some("café".as_bytes()));
}

#[test]
fn custom_limits_apply() {
    let mut limits = Limits::default();
    limits.max_headers = 2;
    limits.max_body_bytes = 3;
    let mut dec = RequestDecoder::new(limits);
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n");
    assert_eq!(
        dec.decode(&mut buf).map_err(|e| e.status().as_u16()),
        Err(431)
    );
    let mut dec = RequestDecoder::new(limits);
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n");
    assert_eq!(
        dec.decode(&mut buf).map_err(|e| e.status().as_u16()),
        Err(413)
    );
}

#[test]
fn ten_thousand_pipelined_requests_decode_in_order() {
    let mut raw = Vec::new();
    for i in 0..10_000 {
        if i % 3 == 0 {
            raw.extend_from_slice(
                format!("POST /{i} HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n\r\nx").as_bytes(),
            );
        } else if i % 3 == 1 {
            raw.extend_from_slice(
                format!("POST /{i} HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\ny\r\n0\r\n\r\n")
                    .as_bytes(),
            );
        } else {
            raw.extend_from_slice(format!("GET /{i} HTTP/1.1\r\nHost: a\r\n\r\n").as_bytes());
        }
    }
    let items = decode_all(&raw);
    assert_eq!(items.len(), 10_000);
    for (i, item) in items.iter().enumerate() {
        let Incoming::Request(r) = item else {
            panic!("{item:?}")
        };
        assert_eq!(r.target, format!("/{i}"));
    }
}

#[test]
fn large_declared_body_is_not_reserved_up_front() {
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8000000\r\n\r\nabc");
    let mut dec = RequestDecoder::default();
    assert_eq!(dec.decode(&mut buf), Ok(None));
    assert!(buf.capacity() < 4096);
}
