//! I/O off a shard answers a typed error, never a panic.

mod common;

use actor_core::io_driver::{self, NotOnShard};
use actor_io::net::{TcpListener, TcpStream, UdpSocket};

fn is_not_on_shard(e: &std::io::Error) -> bool {
    e.get_ref()
        .and_then(|i| i.downcast_ref::<NotOnShard>())
        .is_some()
}

#[test]
fn sockets_off_a_shard_give_not_on_shard() {
    assert_eq!(io_driver::current_driver(), Err(NotOnShard));
    assert_eq!(io_driver::current_shard(), Err(NotOnShard));
    let e = TcpListener::bind("127.0.0.1:0".parse().unwrap()).unwrap_err();
    assert!(is_not_on_shard(&e), "{e}");
    let e = UdpSocket::bind("127.0.0.1:0".parse().unwrap()).unwrap_err();
    assert!(is_not_on_shard(&e), "{e}");
    let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let e = TcpListener::from_std(std_listener).unwrap_err();
    assert!(is_not_on_shard(&e), "{e}");
}

#[test]
fn block_on_is_not_a_shard_either() {
    let rt = common::rt2();
    let e = rt.block_on(async {
        TcpStream::connect("127.0.0.1:9".parse().unwrap())
            .await
            .unwrap_err()
    });
    assert!(is_not_on_shard(&e), "{e}");
    // The raw submission hands its resources back.
    let sqe = io_uring::opcode::Nop::new().build();
    // SAFETY: a NOP points at no memory.
    let err = unsafe { io_driver::submit(sqe, vec![1u8, 2, 3], None) }.unwrap_err();
    assert_eq!(err.resources, vec![1, 2, 3]);
    assert!(is_not_on_shard(&err.error));
    rt.shutdown().unwrap();
}

#[test]
fn memlock_is_reported() {
    let limit = io_driver::memlock_limit().unwrap();
    assert!(io_driver::registration_fits(0));
    if let Some(l) = limit {
        assert!(!io_driver::registration_fits(l + 1));
    }
}
