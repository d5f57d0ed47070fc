//! A fixed, documented hash and the partitioner built on it.
//!
//! See [`StableHasher`] for the function and its stability guarantees.

use std::hash::{BuildHasher, Hash, Hasher};

use super::Partitioner;

const SEED: u64 = 0x243f_6a88_85a3_08d3;
const FX_K: u64 = 0x517c_c1b7_2722_0a95;

/// The crate's fixed 64-bit hasher: `FxHash` word steps, `fmix64` finaliser.
///
/// # The function
///
/// [`StableHasher`] absorbs its input one 64-bit word at a time with the
/// `FxHash` step (`state = (state.rotl(5) ^ word) * 0x517c_c1b7_2722_0a95`, the
/// constant of `rustc-hash` 1.x), starting from the seed
/// `0x243f_6a88_85a3_08d3` (the fractional digits of pi). [`Hasher::finish`]
/// runs the state through `MurmurHash3`'s `fmix64` finaliser
/// (`0xff51_afd7_ed55_8ccd`, `0xc4ce_b9fe_1a85_ec53`), a bijection that spreads
/// every input bit over every output bit, so the high bits used for reduction
/// are well mixed even for sequential keys.
///
/// Byte input ([`Hasher::write`]) is read in little-endian 8-byte words; a
/// tail of 1 to 7 bytes is zero-padded and carries its length in the top byte.
///
/// # Stability
///
/// The hasher never depends on a random seed, the process or the platform,
/// and golden-value tests pin its output. (std's `Hash` impls, which decide
/// what a key feeds the hasher, carry no formal promise across Rust releases;
/// the same golden tests would catch such a change.) Integer writes (`write_u8` through
/// `write_u128`, `write_usize`, and their signed twins) are absorbed as
/// numbers, not as native-endian bytes, and `usize` is widened to `u64`. So
/// every key whose `Hash` impl goes through those methods and `write` for raw
/// bytes — integers, `bool`, `char`, `str`, `String`, tuples, `Option`, and
/// slices or `Vec`s of such values except multi-byte integers — places the same
/// on every platform. The one std exception: `[u16]`..`[u128]` slices are hashed
/// by std as their raw memory, so they are stable only across platforms of the
/// same endianness.
///
/// This hash is not DoS-resistant: do not use it for maps fed by untrusted keys.
///
/// # Reduction
///
/// A hash `h` maps to a partition with Lemire's multiply-shift,
/// `(h as u128 * n as u128) >> 64`, which uses the high bits of `h`, costs no
/// division, and is as even as modulo (bucket sizes differ by at most one
/// over the whole `u64` range).
#[derive(Debug, Clone)]
pub struct StableHasher {
    state: u64,
}

impl StableHasher {
    /// A hasher in its fixed initial state.
    #[must_use]
    pub const fn new() -> Self {
        Self { state: SEED }
    }

    #[inline]
    fn absorb(&mut self, word: u64) {
        self.state = (self.state.rotate_left(5) ^ word).wrapping_mul(FX_K);
    }
}

impl Default for StableHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// `MurmurHash3`'s 64-bit finaliser.
#[inline]
const fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl Hasher for StableHasher {
    fn finish(&self) -> u64 {
        fmix64(self.state)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.absorb(u64::from_le_bytes(word));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut word = [0; 8];
            word[..tail.len()].copy_from_slice(tail);
            // The tail is at most 7 bytes, so byte 7 is free for its length:
            // `[1]` and `[1, 0]` absorb different words.
            word[7] = tail.len() as u8;
            self.absorb(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.absorb(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.absorb(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.absorb(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.absorb(i);
    }

    fn write_u128(&mut self, i: u128) {
        self.absorb(i as u64);
        self.absorb((i >> 64) as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.absorb(i as u64);
    }

    fn write_i8(&mut self, i: i8) {
        self.write_u8(i as u8);
    }

    fn write_i16(&mut self, i: i16) {
        self.write_u16(i as u16);
    }

    fn write_i32(&mut self, i: i32) {
        self.write_u32(i as u32);
    }

    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }

    fn write_i128(&mut self, i: i128) {
        self.write_u128(i as u128);
    }

    fn write_isize(&mut self, i: isize) {
        // Sign-extend, so -1isize hashes the same on 32- and 64-bit targets.
        self.write_u64(i as i64 as u64);
    }
}

/// A [`BuildHasher`] for [`StableHasher`], for maps that must iterate or
/// place the same way in every run.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildStableHasher;

impl BuildHasher for BuildStableHasher {
    type Hasher = StableHasher;

    fn build_hasher(&self) -> StableHasher {
        StableHasher::new()
    }
}

/// Hashes `key` with [`StableHasher`]: the same value in every run, process
/// and platform (see [`StableHasher`] for the one endianness caveat).
#[must_use]
pub fn stable_hash<K: Hash + ?Sized>(key: &K) -> u64 {
    let mut hasher = StableHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// Maps a 64-bit hash onto `0..partitions` with Lemire's multiply-shift.
///
/// Returns 0 when `partitions` is 0.
#[must_use]
pub fn reduce(hash: u64, partitions: usize) -> usize {
    ((u128::from(hash) * partitions as u128) >> 64) as usize
}

/// Places a key by [`stable_hash`] reduced with [`reduce`].
///
/// Placement depends only on the key and the partition count, never on the
/// run; but changing the count moves most keys — use
/// [`ConsistentHash`](super::ConsistentHash) where partitions come and go.
#[derive(Debug, Clone, Copy, Default)]
pub struct HashPartitioner;

impl<K: Hash + ?Sized> Partitioner<K> for HashPartitioner {
    fn partition(&self, key: &K, partitions: usize) -> usize {
        reduce(stable_hash(key), partitions)
    }
}
