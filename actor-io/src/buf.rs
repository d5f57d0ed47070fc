//! Owned buffers: the kernel may write into a buffer after the future that
//! lent it was dropped, so operations take buffers by value and hand them
//! back with the result.

/// A buffer an operation may read from: `bytes_init` bytes starting at a
/// pointer that stays put while the buffer moves.
///
/// # Safety
///
/// `stable_ptr` must point to at least `bytes_init` initialised bytes that
/// do not move when `self` moves and stay valid until `self` is dropped.
pub unsafe trait IoBuf: 'static {
    /// The start of the bytes.
    fn stable_ptr(&self) -> *const u8;
    /// How many bytes are initialised (what a write sends).
    fn bytes_init(&self) -> usize;
}

/// A buffer an operation may write into: `bytes_total` bytes of room.
///
/// # Safety
///
/// `stable_mut_ptr` must point to at least `bytes_total` writable bytes with
/// the guarantees of [`IoBuf::stable_ptr`].
pub unsafe trait IoBufMut: IoBuf {
    /// The start of the room.
    fn stable_mut_ptr(&mut self) -> *mut u8;
    /// How many bytes an operation may write (a `Vec`'s capacity).
    fn bytes_total(&self) -> usize;
    /// Records that an operation wrote the first `n` bytes.
    ///
    /// # Safety
    ///
    /// The first `n` bytes (`n <= bytes_total()`) must be initialised.
    unsafe fn set_init(&mut self, n: usize);
}

// SAFETY: a Vec's heap buffer does not move with the Vec; `len` bytes are
// initialised.
unsafe impl IoBuf for Vec<u8> {
    fn stable_ptr(&self) -> *const u8 {
        self.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.len()
    }
}

// SAFETY: the room is the Vec's whole capacity, in the same heap buffer.
unsafe impl IoBufMut for Vec<u8> {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.as_mut_ptr()
    }
    fn bytes_total(&self) -> usize {
        self.capacity()
    }
    /// A read leaves the `Vec` holding exactly the bytes read.
    unsafe fn set_init(&mut self, n: usize) {
        // SAFETY: the caller guarantees `n <= capacity` bytes are initialised.
        unsafe { self.set_len(n) };
    }
}

// SAFETY: a boxed slice's heap memory does not move with the box.
unsafe impl IoBuf for Box<[u8]> {
    fn stable_ptr(&self) -> *const u8 {
        self.as_ptr()
    }
    fn bytes_init(&self) -> usize {
        self.len()
    }
}

// SAFETY: as above; the whole slice is initialised already.
unsafe impl IoBufMut for Box<[u8]> {
    fn stable_mut_ptr(&mut self) -> *mut u8 {
        self.as_mut_ptr()
    }
    fn bytes_total(&self) -> usize {
        self.len()
    }
    /// A boxed slice keeps its length; the caller uses the count returned.
    unsafe fn set_init(&mut self, _n: usize) {}
}
