//! The plaintext path of the HTTP server without its sockets: a
//! TechEmpower plaintext request decoded (method as `http::Method`, version
//! as `http::Version`), routed, answered (status as `http::StatusCode`) and
//! encoded, one at a time and pipelined by 16, through a `Response` and
//! through a `ResponseWriter` (what `Routes::get_direct` uses); beside it, the parts the
//! `http` types changed measured against what they replaced, and the
//! conversion to and from `http::Request`/`http::Response` that
//! `Routes::route_http` pays (and the plain routes do not).
//!
//! `cargo bench -p benches --bench http`

#![allow(missing_docs)]

use std::hint::black_box;

use actor_io::codec::{Decoder, ReadBuf};
use actor_io::http::{
    HeaderBlock, Incoming, Method, Request, RequestDecoder, Response, ResponseContext,
    ResponseWriter, Route, Router, StatusCode,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The request wrk sends in TechEmpower's plaintext test.
const PLAINTEXT: &[u8] = b"GET /plaintext HTTP/1.1\r\n\
Host: localhost:8080\r\n\
Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n\
Connection: keep-alive\r\n\r\n";

fn router() -> Router<u32> {
    let mut router = Router::new();
    router.add("GET", "/plaintext", 1);
    router.add("GET", "/json", 2);
    router
}

/// Decodes every request in `input`, routes it, and encodes the answer
/// into `out`, recycling each request: the server's work per batch.
fn serve(
    input: &mut ReadBuf,
    decoder: &mut RequestDecoder,
    router: &Router<u32>,
    out: &mut Vec<u8>,
) {
    while let Ok(Some(Incoming::Request(request))) = decoder.decode(input) {
        let ctx = ResponseContext::for_request(&request);
        if let Route::Found(_) = router.route(request.method.as_str(), request.path()) {
            Response::new(StatusCode::OK)
                .with_header("Content-Type", "text/plain")
                .with_header("Server", "pinion")
                .with_body("Hello, World!")
                .encode(ctx, out)
                .unwrap();
        }
        decoder.recycle(request);
    }
}

/// [`serve`], each answer written by a [`ResponseWriter`] with a header
/// block encoded once: the direct handlers' path.
fn serve_direct(
    input: &mut ReadBuf,
    decoder: &mut RequestDecoder,
    router: &Router<u32>,
    headers: &HeaderBlock,
    out: &mut Vec<u8>,
) {
    while let Ok(Some(Incoming::Request(request))) = decoder.decode(input) {
        let ctx = ResponseContext::for_request(&request);
        if let Route::Found(_) = router.route(request.method.as_str(), request.path()) {
            let _ = ResponseWriter::new(out, ctx).send(StatusCode::OK, headers, b"Hello, World!");
        }
        decoder.recycle(request);
    }
}

fn plaintext(c: &mut Criterion) {
    let router = router();
    let mut group = c.benchmark_group("http_plaintext");
    for depth in [1usize, 16] {
        let batch = PLAINTEXT.repeat(depth);
        let mut decoder = RequestDecoder::default();
        let mut input = ReadBuf::with_capacity(batch.len());
        let mut out = Vec::with_capacity(256 * depth);
        // Every request of the batch is answered.
        input.extend_from_slice(&batch);
        serve(&mut input, &mut decoder, &router, &mut out);
        let answered = out.windows(15).filter(|w| w == b"HTTP/1.1 200 OK").count();
        assert_eq!(answered, depth);
        group.throughput(Throughput::Elements(depth as u64));
        group.bench_function(format!("decode_route_encode/depth{depth}"), |b| {
            b.iter(|| {
                input.extend_from_slice(&batch);
                out.clear();
                serve(&mut input, &mut decoder, &router, &mut out);
                black_box(out.len())
            })
        });
        let headers = HeaderBlock::new([("Content-Type", "text/plain"), ("Server", "pinion")])
            .expect("valid fields");
        let mut direct = Vec::with_capacity(256 * depth);
        input.extend_from_slice(&batch);
        serve_direct(&mut input, &mut decoder, &router, &headers, &mut direct);
        // The same answers, but for the `Date` line.
        let lines = |v: &[u8]| {
            String::from_utf8_lossy(v)
                .lines()
                .filter(|l| !l.starts_with("Date: "))
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(lines(&direct), lines(&out));
        group.bench_function(format!("decode_route_write/depth{depth}"), |b| {
            b.iter(|| {
                input.extend_from_slice(&batch);
                direct.clear();
                serve_direct(&mut input, &mut decoder, &router, &headers, &mut direct);
                black_box(direct.len())
            })
        });
    }
    group.finish();
}

/// What the `http` types replaced, measured against them: the method as a
/// reused `String` against `http::Method::from_bytes`; the status as a
/// number against `StatusCode`.
fn parts(c: &mut Criterion) {
    let mut group = c.benchmark_group("http_types");
    let mut reused = String::with_capacity(16);
    group.bench_function("method/string_copy", |b| {
        b.iter(|| {
            reused.clear();
            reused.push_str(black_box("GET"));
            black_box(reused == "GET")
        })
    });
    group.bench_function("method/http_method", |b| {
        b.iter(|| {
            let m = Method::from_bytes(black_box(b"GET")).unwrap();
            black_box(m == Method::GET)
        })
    });
    let mut out = Vec::with_capacity(256);
    group.bench_function("status/u16_encode", |b| {
        b.iter(|| {
            out.clear();
            let status: u16 = black_box(200);
            if status == 200 {
                out.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
            }
            black_box(out.len())
        })
    });
    group.bench_function("status/status_code_encode", |b| {
        b.iter(|| {
            out.clear();
            let status = black_box(StatusCode::OK);
            if status.as_u16() == 200 {
                out.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
            }
            black_box(out.len())
        })
    });
    group.finish();
}

/// The conversion a handler written for `http::Request`/`http::Response`
/// costs per request (`Routes::route_http`), off the plain routes' path.
fn conversion(c: &mut Criterion) {
    let mut input = ReadBuf::new();
    input.extend_from_slice(PLAINTEXT);
    let Ok(Some(Incoming::Request(request))) = RequestDecoder::default().decode(&mut input) else {
        panic!("the plaintext request decodes");
    };
    let mut group = c.benchmark_group("http_interop");
    group.bench_function("request_into_http_and_response_back", |b| {
        b.iter(|| {
            let req: Request = black_box(&request).clone();
            let req = req.into_http().unwrap();
            let resp = ::http::Response::builder()
                .header("Content-Type", "text/plain")
                .body(req.uri().path().as_bytes().to_vec())
                .unwrap();
            black_box(Response::from(resp))
        })
    });
    group.finish();
}

criterion_group!(benches, plaintext, parts, conversion);
criterion_main!(benches);
