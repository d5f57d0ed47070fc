//! Room for a socket address the kernel fills in (an accept's peer, a
//! datagram's sender), read back through `socket2`'s [`SockAddr`].

use std::io;
use std::net::SocketAddr;

use socket2::{SockAddr, SockAddrStorage, socklen_t};

/// An address buffer and its length, for the kernel to write.
pub(crate) struct AddrBuf {
    storage: SockAddrStorage,
    pub(crate) len: socklen_t,
}

impl AddrBuf {
    /// Room for an address of any family.
    pub(crate) fn new() -> Self {
        let storage = SockAddrStorage::zeroed();
        let len = storage.size_of();
        AddrBuf { storage, len }
    }

    /// The storage, as the kernel's `sockaddr` pointer.
    pub(crate) fn as_mut_ptr(&mut self) -> *mut libc::sockaddr {
        // SAFETY: `sockaddr` is one of the platform's `sockaddr_*` types,
        // which the storage is laid out to hold.
        unsafe { self.storage.view_as::<libc::sockaddr>() }
    }

    /// The address the kernel wrote, as a std address.
    pub(crate) fn into_std(self) -> io::Result<SocketAddr> {
        // SAFETY: the kernel wrote an address of `len` bytes whose family
        // matches its layout (or left the zeroed storage, family 0, which
        // `to_std` refuses).
        let addr = unsafe { SockAddr::new(self.storage, self.len) };
        super::socket::to_std(&addr)
    }
}
