//! Dropping operations mid-flight leaks no fd: accepts (one of which the
//! kernel completes after the drop), connects and reads are dropped, then
//! the count of open fds returns to its baseline. One test in this binary,
//! so nothing else opens fds meanwhile.

mod common;

use std::time::Duration;

use actor_io::net::{TcpListener, TcpStream};
use common::{eventually, on_shard, open_fds, poll_once, rt2, turns};

#[test]
fn dropped_operations_leave_no_fd_behind() {
    let rt = rt2();
    // Let both shards settle (rings, epoll instances, eventfds).
    on_shard(&rt, 0, || async {});
    on_shard(&rt, 1, || async {});
    let baseline = open_fds();

    let report = on_shard(&rt, 0, || async {
        let listener = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();

        // 1. Accepts that never complete, dropped by a timeout.
        for _ in 0..5 {
            let r = actor_io::timeout(Duration::from_millis(5), listener.accept()).await;
            assert!(r.is_err());
        }

        // 2. An accept in flight; a client connects (the kernel can now
        //    complete the accept) and the accept is dropped without being
        //    looked at: the connection it produced must be closed.
        let mut late_clients = Vec::new();
        for _ in 0..5 {
            let accept = Box::pin(listener.accept());
            // Under epoll a connection left in the backlog by the previous
            // round is taken at once; it is dropped, and closed, too.
            let (done, accept) = poll_once(accept).await;
            drop(done);
            turns(2).await;
            late_clients.push(std::net::TcpStream::connect(addr).unwrap());
            turns(2).await;
            drop(accept);
        }

        // 3. Connects dropped right after they start (some complete in the
        //    kernel after the drop).
        for _ in 0..10 {
            let connect = Box::pin(TcpStream::connect(addr));
            let (done, connect) = poll_once(connect).await;
            drop(done);
            drop(connect);
        }

        // 4. Reads in flight on live connections, dropped.
        let mut streams = Vec::new();
        for _ in 0..5 {
            let s = TcpStream::connect(addr).await.unwrap();
            let read = Box::pin(s.read(Vec::with_capacity(1024)));
            let (done, read) = poll_once(read).await;
            assert!(done.is_none(), "nobody wrote");
            turns(2).await;
            drop(read);
            let r = actor_io::timeout(Duration::from_millis(5), s.readable()).await;
            assert!(r.is_err());
            streams.push(s);
        }

        // Drain whatever the listener still holds so those fds close too.
        let mut drained = 0;
        while let Ok(Ok((s, _))) =
            actor_io::timeout(Duration::from_millis(50), listener.accept()).await
        {
            drop(s);
            drained += 1;
        }
        drop(streams);
        drop(listener);
        (late_clients, drained)
    });
    let (late_clients, _drained) = report;
    // The clients the dropped accepts served see their connection closed
    // (or reset), never a connection that hangs open.
    for mut c in late_clients {
        use std::io::Read;
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut b = [0u8; 1];
        match c.read(&mut b) {
            Ok(0) | Err(_) => {}
            Ok(_) => panic!("unexpected data"),
        }
    }
    assert!(
        eventually(Duration::from_secs(10), || open_fds() <= baseline),
        "fds leaked: {} open, baseline {baseline}",
        open_fds()
    );
    rt.shutdown().unwrap();
}
