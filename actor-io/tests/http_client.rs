//! Client side: response parsing, and responses encoded by the server
//! side round-tripping through it.

use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::{
    ChunkedWriter, HttpError, Incoming, Limits, Method, Request, RequestDecoder, Response,
    ResponseContext, ResponseDecoder, StatusCode, Version,
};

fn parse(raw: &[u8]) -> Result<Option<Response>, HttpError> {
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(raw);
    ResponseDecoder::default().decode(&mut buf)
}

#[test]
fn content_length_and_interim_responses() {
    let r = parse(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nabc")
        .unwrap()
        .unwrap();
    assert_eq!((r.status.as_u16(), &r.body[..]), (201, &b"abc"[..]));
    assert!(!r.headers.contains("link"));
}

#[test]
fn chunked_response() {
    let r = parse(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x\r\nabc\r\n0\r\n\r\n")
        .unwrap()
        .unwrap();
    assert_eq!(r.body, b"abc");
}

#[test]
fn read_until_close() {
    let mut buf = ReadBuf::new();
    let mut dec = ResponseDecoder::default();
    buf.extend_from_slice(b"HTTP/1.0 200 OK\r\n\r\nsome ");
    assert_eq!(dec.decode(&mut buf), Ok(None));
    buf.extend_from_slice(b"bytes");
    assert_eq!(dec.decode(&mut buf), Ok(None));
    let r = dec.decode_eof(&mut buf).unwrap().unwrap();
    assert_eq!(
        (r.version, &r.body[..]),
        (Version::HTTP_10, &b"some bytes"[..])
    );
    assert_eq!(dec.decode_eof(&mut buf), Ok(None));
}

#[test]
fn eof_mid_message_is_an_error() {
    let mut buf = ReadBuf::new();
    let mut dec = ResponseDecoder::default();
    buf.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nabc");
    assert_eq!(dec.decode_eof(&mut buf), Err(HttpError::IncompleteMessage));
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(b"HTTP/1.1 200 O");
    assert_eq!(
        ResponseDecoder::default().decode_eof(&mut buf),
        Err(HttpError::IncompleteMessage)
    );
}

#[test]
fn no_body_statuses_and_head() {
    for raw in [
        &b"HTTP/1.1 204 No Content\r\n\r\n"[..],
        b"HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
    ] {
        assert!(parse(raw).unwrap().unwrap().body.is_empty());
    }
    let mut buf = ReadBuf::new();
    let mut dec = ResponseDecoder::default();
    dec.push_request(&Method::HEAD);
    dec.push_request(&Method::GET);
    buf.extend_from_slice(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    let rs: Vec<_> = dec.decode_iter(&mut buf).map(Result::unwrap).collect();
    assert_eq!(rs.len(), 2);
    assert!(rs[0].body.is_empty());
    assert_eq!(rs[1].body, b"ok");
}

#[test]
fn malformed_responses() {
    let cases: [(&[u8], HttpError); 6] = [
        (b"HTTP/1.1 2000 OK\r\n\r\n", HttpError::InvalidStatus),
        (b"HTTP/1.1 OK\r\n\r\n", HttpError::InvalidStatus),
        (b"HTTP/3.0 200 OK\r\n\r\n", HttpError::UnsupportedVersion),
        (
            b"HTTP/1.1 200 OK\nContent-Length: 0\n\n",
            HttpError::InvalidLineEnding,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            HttpError::ContentLengthWithTransferEncoding,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
            HttpError::InvalidContentLength,
        ),
    ];
    for (raw, err) in cases {
        assert_eq!(parse(raw), Err(err), "{}", String::from_utf8_lossy(raw));
    }
    let mut limits = Limits::default();
    limits.max_body_bytes = 4;
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(b"HTTP/1.1 200 OK\r\n\r\n12345");
    assert!(matches!(
        ResponseDecoder::new(limits).decode(&mut buf),
        Err(HttpError::BodyTooLarge { .. })
    ));
}

#[test]
fn responses_round_trip() {
    let responses = [
        Response::new(StatusCode::OK)
            .with_header("Content-Type", "text/plain")
            .with_body("hello"),
        Response::new(StatusCode::NOT_FOUND),
        Response::new(StatusCode::NO_CONTENT).with_header("X-A", "1"),
        Response::new(StatusCode::INTERNAL_SERVER_ERROR).with_body(vec![0u8, 13, 10, 255]),
        Response::new(StatusCode::from_u16(299).unwrap()).with_body("unknown status"),
    ];
    let mut wire = Vec::new();
    for r in &responses {
        r.encode(ResponseContext::default(), &mut wire).unwrap();
    }
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(&wire);
    let decoded: Vec<Response> = ResponseDecoder::default()
        .decode_iter(&mut buf)
        .map(Result::unwrap)
        .collect();
    assert_eq!(decoded.len(), responses.len());
    for (sent, got) in responses.iter().zip(&decoded) {
        assert_eq!(got.status.as_u16(), sent.status);
        assert_eq!(got.body, sent.body);
        for (name, value) in sent.headers.iter() {
            assert_eq!(got.headers.get(name), Some(value));
        }
        assert_eq!(got.headers.get("date").map(<[u8]>::len), Some(29));
    }
}

#[test]
fn chunked_writer_round_trips_and_http10_falls_back() {
    let mut wire = Vec::new();
    let w = ChunkedWriter::start(
        &Response::new(StatusCode::OK),
        ResponseContext::default(),
        &mut wire,
    )
    .unwrap();
    for piece in [&b"abc"[..], b"", b"defgh"] {
        w.chunk(piece, &mut wire);
    }
    w.finish(&mut wire);
    assert!(w.keep_alive());
    let r = parse(&wire).unwrap().unwrap();
    assert_eq!(r.body, b"abcdefgh");

    let ctx = ResponseContext {
        version: Version::HTTP_10,
        ..ResponseContext::default()
    };
    let mut wire = Vec::new();
    let w = ChunkedWriter::start(&Response::new(StatusCode::OK), ctx, &mut wire).unwrap();
    w.chunk(b"raw", &mut wire);
    assert!(!w.keep_alive());
    w.finish(&mut wire);
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(&wire);
    let r = ResponseDecoder::default()
        .decode_eof(&mut buf)
        .unwrap()
        .unwrap();
    assert_eq!(r.headers.get("connection"), Some(&b"close"[..]));
    assert_eq!(r.body, b"raw");
}

#[test]
fn encoder_refuses_header_injection() {
    let mut out = b"prefix".to_vec();
    let bad = Response::new(StatusCode::OK).with_header("X-A", "a\r\nSet-Cookie: evil");
    assert!(bad.encode(ResponseContext::default(), &mut out).is_err());
    assert!(
        Response::new(StatusCode::OK)
            .with_header("X A", "v")
            .encode(ResponseContext::default(), &mut out)
            .is_err()
    );
    // A status out of range cannot be made.
    assert!(StatusCode::from_u16(1000).is_err());
    assert_eq!(out, b"prefix", "nothing written on error");
    assert!(Request::new(Method::GET, "/a b").encode(&mut out).is_err());
    assert!(Method::from_bytes(b"G T").is_err());
}

#[test]
fn encoder_owns_framing_headers_and_connection() {
    let mut out = Vec::new();
    let r = Response::new(StatusCode::OK)
        .with_header("Content-Length", "999")
        .with_header("Connection", "keep-alive")
        .with_body("ok");
    let ctx = ResponseContext {
        keep_alive: false,
        ..ResponseContext::default()
    };
    r.encode(ctx, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(!text.contains("999"), "{text}");
    assert!(text.contains("Connection: close\r\n"), "{text}");
    assert!(text.ends_with("Content-Length: 2\r\n\r\nok"), "{text}");

    let mut out = Vec::new();
    let ctx = ResponseContext {
        version: Version::HTTP_10,
        ..ResponseContext::default()
    };
    Response::new(StatusCode::OK).encode(ctx, &mut out).unwrap();
    assert!(
        String::from_utf8(out)
            .unwrap()
            .contains("Connection: keep-alive\r\n")
    );

    let mut out = Vec::new();
    let ctx = ResponseContext {
        head_request: true,
        ..ResponseContext::default()
    };
    Response::new(StatusCode::OK)
        .with_body("body")
        .encode(ctx, &mut out)
        .unwrap();
    assert!(out.ends_with(b"Content-Length: 4\r\n\r\n"));
}

#[test]
fn requests_round_trip_through_the_server_decoder() {
    let sent = [
        Request::new(Method::GET, "/a?b=c").with_header("Host", "h"),
        Request::new(Method::POST, "/p")
            .with_header("Host", "h")
            .with_body("payload"),
        Request::new(Method::PUT, "/empty").with_header("Host", "h"),
    ];
    let mut wire = Vec::new();
    for r in &sent {
        r.encode(&mut wire).unwrap();
    }
    let mut buf = ReadBuf::new();
    buf.extend_from_slice(&wire);
    let got: Vec<Request> = RequestDecoder::default()
        .decode_iter(&mut buf)
        .map(|i| match i.unwrap() {
            Incoming::Request(r) => r,
            Incoming::Continue => panic!("no continue expected"),
        })
        .collect();
    assert_eq!(got.len(), sent.len());
    for (s, g) in sent.iter().zip(&got) {
        assert_eq!(
            (&s.method, &s.target, &s.body),
            (&g.method, &g.target, &g.body)
        );
    }
}

#[test]
fn chunked_framing_round_trips_and_falls_back_for_http10_and_head() {
    let body: Vec<u8> = (0..(Response::CHUNK * 2 + 5) as u32)
        .map(|i| i as u8)
        .collect();
    let resp = Response::new(StatusCode::OK)
        .with_body(body.clone())
        .with_chunked_framing();
    let mut out = Vec::new();
    resp.encode(ResponseContext::default(), &mut out).unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("Transfer-Encoding: chunked\r\n"));
    assert!(!text.contains("Content-Length"));
    assert!(
        text.contains("\r\n4000\r\n") && text.contains("\r\n5\r\n") && text.ends_with("0\r\n\r\n")
    );
    let back = parse(&out).unwrap().unwrap();
    assert_eq!(back.body, body);
    assert!(back.chunked);

    let mut out10 = Vec::new();
    let http10 = ResponseContext {
        version: Version::HTTP_10,
        ..ResponseContext::default()
    };
    resp.encode(http10, &mut out10).unwrap();
    let text = String::from_utf8_lossy(&out10);
    assert!(text.contains(&format!("Content-Length: {}\r\n", body.len())));
    assert!(!text.contains("Transfer-Encoding"));

    let mut head = Vec::new();
    let head_ctx = ResponseContext {
        head_request: true,
        ..ResponseContext::default()
    };
    resp.encode(head_ctx, &mut head).unwrap();
    assert!(head.ends_with(b"Transfer-Encoding: chunked\r\n\r\n"));

    // An empty chunked body is just the last chunk.
    let mut empty = Vec::new();
    Response::new(StatusCode::OK)
        .with_chunked_framing()
        .encode(ResponseContext::default(), &mut empty)
        .unwrap();
    assert!(empty.ends_with(b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"));
    assert!(parse(&empty).unwrap().unwrap().body.is_empty());
}
