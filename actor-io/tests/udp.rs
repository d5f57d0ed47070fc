//! UDP on loopback, under whichever driver PINION_DRIVER picks.

mod common;

use std::net::Ipv4Addr;
use std::time::Duration;

use actor_io::net::UdpSocket;
use common::{on_shard, rt2};

#[test]
fn udp_round_trip_between_shards_sockets() {
    let rt = rt2();
    let (ok, from_matches) = on_shard(&rt, 1, || async {
        let a = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let b = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let (a_addr, b_addr) = (a.local_addr().unwrap(), b.local_addr().unwrap());
        let (sent, _) = a.send_to(b"ping".to_vec(), b_addr).await;
        assert_eq!(sent.unwrap(), 4);
        let (got, buf) = b.recv_from(Vec::with_capacity(1500)).await;
        let (n, from) = got.unwrap();
        assert_eq!((n, buf.as_slice()), (4, &b"ping"[..]));
        // And back, into a boxed slice.
        let (sent, _) = b.send_to(b"pong!".to_vec().into_boxed_slice(), from).await;
        sent.unwrap();
        let (got, buf) = a.recv_from(vec![0u8; 64].into_boxed_slice()).await;
        let (n, from_b) = got.unwrap();
        (&buf[..n] == b"pong!", from == a_addr && from_b == b_addr)
    });
    assert!(ok);
    assert!(from_matches);
    rt.shutdown().unwrap();
}

#[test]
fn udp_recv_times_out_and_then_receives() {
    let rt = rt2();
    let got = on_shard(&rt, 0, || async {
        let s = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = s.local_addr().unwrap();
        let first = actor_io::timeout(
            Duration::from_millis(30),
            s.recv_from(Vec::with_capacity(64)),
        )
        .await;
        assert!(first.is_err());
        let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        peer.send_to(b"hi", addr).unwrap();
        let (r, buf) = s.recv_from(Vec::with_capacity(64)).await;
        (r.unwrap().0, buf)
    });
    assert_eq!(got, (2, b"hi".to_vec()));
    rt.shutdown().unwrap();
}

#[test]
fn multicast_join_and_leave_on_loopback() {
    let rt = rt2();
    let group = Ipv4Addr::new(239, 255, 42, 99);
    let lo = Ipv4Addr::LOCALHOST;
    let outcome = on_shard(&rt, 0, move || async move {
        let s = UdpSocket::bind("0.0.0.0:0".parse().unwrap()).unwrap();
        // Leaving a group never joined is a typed error.
        let never = s.leave_multicast_v4(group, lo).unwrap_err().kind();
        let joined = s.join_multicast_v4(group, lo);
        let left = joined
            .as_ref()
            .ok()
            .map(|()| s.leave_multicast_v4(group, lo).is_ok());
        let again = joined
            .as_ref()
            .ok()
            .map(|()| s.leave_multicast_v4(group, lo).unwrap_err().kind());
        (never, joined.map_err(|e| e.to_string()), left, again)
    });
    let (never, joined, left, again) = outcome;
    assert_eq!(never, std::io::ErrorKind::AddrNotAvailable);
    match joined {
        Ok(()) => {
            assert_eq!(left, Some(true));
            assert_eq!(again, Some(std::io::ErrorKind::AddrNotAvailable));
        }
        // A sandbox whose loopback has no multicast support refuses the
        // join; the typed error for a leave without a join still holds.
        Err(e) => eprintln!("multicast join refused here: {e}"),
    }
    rt.shutdown().unwrap();
}

#[test]
fn multicast_datagram_on_loopback_if_deliverable() {
    let rt = rt2();
    let group = Ipv4Addr::new(239, 255, 42, 100);
    let lo = Ipv4Addr::LOCALHOST;
    let delivered = on_shard(&rt, 1, move || async move {
        let rx = UdpSocket::bind("0.0.0.0:0".parse().unwrap()).unwrap();
        let port = rx.local_addr().unwrap().port();
        if rx.join_multicast_v4(group, lo).is_err() {
            return None;
        }
        let tx = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        tx.set_multicast_if_v4(lo).unwrap();
        tx.set_multicast_loop_v4(true).unwrap();
        let target = (group, port).into();
        if tx
            .send_to(b"to the group".to_vec(), target)
            .await
            .0
            .is_err()
        {
            return None;
        }
        let got =
            actor_io::timeout(Duration::from_secs(1), rx.recv_from(Vec::with_capacity(64))).await;
        rx.leave_multicast_v4(group, lo).unwrap();
        got.ok().map(|(r, buf)| (r.map(|(n, _)| n).ok(), buf))
    });
    match delivered {
        Some((n, buf)) => assert_eq!((n, buf.as_slice()), (Some(12), &b"to the group"[..])),
        None => eprintln!("multicast loopback not deliverable here"),
    }
    rt.shutdown().unwrap();
}
