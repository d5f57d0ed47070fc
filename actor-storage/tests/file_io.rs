//! The file layer under the suite's driver (on a shard), inside
//! `block_on` (the blocking pool) and on a plain thread.

mod common;

use actor_storage::{AlignedBuf, Disk, FileIo, FileOp, OpenOptions, Storage};
use common::{on_shard, poll_plain, runtime};

/// Every operation once, checked against what `std::fs` reads back.
async fn every_operation(dir: std::path::PathBuf) {
    let path = dir.join("data");
    let f = OpenOptions::new().create(true).open(&path).await.unwrap();
    let (res, buf) = f
        .write_at(AlignedBuf::from_slice(b"hello world", 1), 0)
        .await;
    assert_eq!(res.unwrap(), 11);
    assert_eq!(&buf[..], b"hello world", "the buffer comes back intact");
    let (res, buf) = f.read_at(AlignedBuf::new(64, 1), 6).await;
    assert_eq!(res.unwrap(), 5);
    assert_eq!(&buf[..], b"world");

    let parts = vec![
        AlignedBuf::from_slice(b"abc", 1),
        AlignedBuf::from_slice(b"defg", 1),
    ];
    let (res, parts) = f.writev_at(parts, 11).await;
    assert_eq!(res.unwrap(), 7);
    assert_eq!(parts.len(), 2);
    let (res, got) = f
        .readv_at(vec![AlignedBuf::new(4, 1), AlignedBuf::new(64, 1)], 9)
        .await;
    let n = res.unwrap();
    assert_eq!(n, 9);
    let joined: Vec<u8> = got.iter().flat_map(|b| b.iter().copied()).collect();
    assert_eq!(&joined[..], b"ldabcdefg");

    f.sync_data().await.unwrap();
    f.sync_all().await.unwrap();
    let (res, _) = f
        .write_durable_at(AlignedBuf::from_slice(b"!", 1), 18)
        .await;
    res.unwrap();
    assert_eq!(f.size().await.unwrap(), 19);
    f.allocate(0, 1 << 16).await.unwrap();
    assert_eq!(f.size().await.unwrap(), 1 << 16);
    f.set_len(5).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"hello");
    let exact = f.read_exact_at(3, 1).await.unwrap();
    assert_eq!(&exact[..], b"ell");
    let past = f.read_exact_at(10, 1).await.unwrap_err();
    assert_eq!(past.kind(), std::io::ErrorKind::UnexpectedEof);

    Disk.rename(&path, &dir.join("moved")).await.unwrap();
    Disk.sync_dir(&dir).await.unwrap();
    assert_eq!(Disk.list(&dir).await.unwrap(), vec![dir.join("moved")]);
    Disk.remove(&dir.join("moved")).await.unwrap();
    assert!(Disk.list(&dir).await.unwrap().is_empty());
}

#[test]
fn every_operation_works_on_a_shard() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let p = dir.path().to_path_buf();
    on_shard(&rt, move || every_operation(p));
    rt.shutdown().unwrap();
}

#[test]
fn every_operation_works_inside_block_on_through_the_blocking_pool() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    rt.block_on(every_operation(dir.path().to_path_buf()));
    rt.shutdown().unwrap();
}

#[test]
fn every_operation_works_on_a_plain_thread() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().to_path_buf();
    std::thread::spawn(move || poll_plain(every_operation(p)))
        .join()
        .unwrap();
}

#[test]
fn errors_name_the_operation_the_file_and_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro");
    std::fs::write(&path, b"x").unwrap();
    let rt = runtime(1);
    let p = path.clone();
    let err = on_shard(&rt, move || async move {
        let f = OpenOptions::new().read_only(true).open(&p).await.unwrap();
        f.write_at(AlignedBuf::from_slice(b"no", 1), 4096)
            .await
            .0
            .unwrap_err()
    });
    assert_eq!(err.op, FileOp::Write);
    assert_eq!(err.path, path);
    assert_eq!(err.offset, Some(4096));
    assert_eq!(err.raw_os_error(), Some(libc::EBADF));
    let missing = dir.path().join("missing");
    let m = missing.clone();
    let err = on_shard(&rt, move || async move {
        OpenOptions::new().open(&m).await.unwrap_err()
    });
    assert_eq!((err.op, err.path), (FileOp::Open, missing));
    rt.shutdown().unwrap();
}

#[test]
fn direct_io_uses_aligned_buffers_and_refuses_unaligned_ones() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let p = dir.path().join("direct");
    on_shard(&rt, move || async move {
        let f = OpenOptions::new()
            .create(true)
            .direct(true)
            .open(&p)
            .await
            .unwrap();
        let a = f.alignment();
        assert!(a.is_power_of_two());
        let mut block = f.buffer(2 * a.max(512));
        block.set_len(2 * a.max(512));
        block.iter_mut().enumerate().for_each(|(i, b)| *b = i as u8);
        let (res, block) = f.write_at(block, 0).await;
        assert_eq!(res.unwrap(), block.len());
        let (res, back) = f.read_at(f.buffer(block.len()), 0).await;
        assert_eq!(res.unwrap(), block.len());
        assert_eq!(back, block);
        if f.is_direct() {
            assert!(a >= 512);
            let (res, _) = f.write_at(AlignedBuf::from_slice(b"odd", 1), 3).await;
            let e = res.unwrap_err();
            assert_eq!(e.kind(), std::io::ErrorKind::InvalidInput);
            assert_eq!(e.offset, Some(3));
        }
    });
    rt.shutdown().unwrap();
}

#[test]
fn direct_io_on_tmpfs_is_direct_or_buffered_never_an_error() {
    let shm = std::path::Path::new("/dev/shm");
    if !shm.is_dir() {
        eprintln!("no /dev/shm here: tmpfs is not exercised");
        return;
    }
    let dir = tempfile::tempdir_in(shm).unwrap();
    let p = dir.path().join("f");
    let rt = runtime(1);
    let (direct, align, data) = on_shard(&rt, move || async move {
        let f = OpenOptions::new()
            .create(true)
            .direct(true)
            .open(&p)
            .await
            .unwrap();
        let (res, _) = f.write_at(AlignedBuf::from_slice(b"buffered", 1), 1).await;
        assert_eq!(res.is_ok(), !f.is_direct());
        (f.is_direct(), f.alignment(), std::fs::read(&p).unwrap())
    });
    // tmpfs takes O_DIRECT since Linux 6.6; before, the file falls back to
    // buffered I/O (see the unit test of the fallback in `open.rs`).
    if direct {
        assert!(align >= 512);
        assert!(data.is_empty(), "an unaligned O_DIRECT write is refused");
    } else {
        assert_eq!(align, 1);
        assert_eq!(&data[..], b"\0buffered");
    }
    rt.shutdown().unwrap();
}

#[test]
fn a_dropped_read_keeps_its_buffer_until_the_kernel_lets_go() {
    // A FIFO with no writer's data: the read waits in the kernel until the
    // timeout drops its future. Under io_uring the op is cancelled and its
    // buffer stays with the driver; on the blocking pool `pread` on a FIFO
    // fails at once (ESPIPE). Either way the shard goes on working.
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let rt = runtime(1);
    let other = dir.path().join("after");
    on_shard(&rt, move || async move {
        let f = OpenOptions::new().open(&fifo).await.unwrap();
        let read = f.read_at(AlignedBuf::new(4096, 1), 0);
        match actor_core::time::timeout(std::time::Duration::from_millis(20), read).await {
            Err(_) => {}
            Ok((res, _)) => assert!(res.is_err(), "nothing was written to the FIFO"),
        }
        let g = OpenOptions::new().create(true).open(&other).await.unwrap();
        let (res, _) = g
            .write_at(AlignedBuf::from_slice(b"still fine", 1), 0)
            .await;
        assert_eq!(res.unwrap(), 10);
        drop(f);
    });
    rt.shutdown().unwrap();
}

#[test]
fn a_durable_write_that_fails_reports_the_write_and_skips_the_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro");
    std::fs::write(&path, b"x").unwrap();
    let rt = runtime(1);
    let p = path.clone();
    let (err, chain) = on_shard(&rt, move || async move {
        let f = OpenOptions::new().read_only(true).open(&p).await.unwrap();
        let (res, buf) = f
            .write_durable_at(AlignedBuf::from_slice(b"no", 1), 8)
            .await;
        assert_eq!(&buf[..], b"no");
        // The seam's chain itself: under io_uring the sync after a failed
        // write completes with ECANCELED; under epoll there is no ring.
        let fd = io_uring::types::Fd(std::os::fd::AsRawFd::as_raw_fd(
            &std::fs::File::open(&p).unwrap(),
        ));
        let data = vec![1u8; 4];
        let write = io_uring::opcode::Write::new(fd, data.as_ptr(), 4).build();
        let sync = io_uring::opcode::Fsync::new(fd).build();
        // SAFETY: the write points into `data`'s heap memory, held by its
        // resources; the fd stays open until both complete (awaited here).
        let chain = match unsafe { actor_core::io_driver::submit_linked(write, data, sync, ()) } {
            Ok((w, s)) => Some((w.await.0, s.await.0)),
            Err(e) => {
                assert_eq!(e.error.kind(), std::io::ErrorKind::Unsupported);
                None
            }
        };
        (res.unwrap_err(), chain)
    });
    assert_eq!((err.op, err.offset), (FileOp::Write, Some(8)));
    assert_eq!(err.raw_os_error(), Some(libc::EBADF));
    match std::env::var("PINION_DRIVER").as_deref() {
        Ok("uring") => assert_eq!(chain, Some((-libc::EBADF, -libc::ECANCELED))),
        Ok("epoll") => assert_eq!(chain, None),
        _ => {}
    }
    rt.shutdown().unwrap();
}
