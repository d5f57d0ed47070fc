//! A block's slot on disk. Without checksums the slot is the block. With
//! them, the slot starts with an 8-byte header and the block follows:
//!
//! ```text
//! 0  4  CRC32C of the block's address (u64, little-endian) and its bytes
//! 4  4  marker 0x504E424B ("PNBK"): the slot was written
//! 8  .. the block
//! ```
//!
//! A slot of zeroes was never written (or was trimmed) and reads as a block
//! of zeroes. The address inside the CRC catches a block written to the
//! wrong place.

use super::BlockError;

/// Bytes of the header when checksums are on.
pub(crate) const HEADER: usize = 8;
const MARKER: u32 = 0x504E_424B;

fn crc(addr: u64, block: &[u8]) -> u32 {
    crc32c::crc32c_append(crc32c::crc32c(&addr.to_le_bytes()), block)
}

/// Fills `slot` (a whole slot) with `block` at `addr`.
pub(crate) fn seal(slot: &mut [u8], addr: u64, block: &[u8]) {
    slot[..4].copy_from_slice(&crc(addr, block).to_le_bytes());
    slot[4..8].copy_from_slice(&MARKER.to_le_bytes());
    slot[HEADER..].copy_from_slice(block);
}

/// Checks a slot read back from `offset`; `Ok` with the block's range in
/// the slot, which is all zeroes for a slot never written.
pub(crate) fn open(slot: &[u8], addr: u64, offset: u64) -> Result<(), BlockError> {
    let stored = u32::from_le_bytes(slot[..4].try_into().expect("4 bytes"));
    let marker = u32::from_le_bytes(slot[4..8].try_into().expect("4 bytes"));
    if stored == 0 && marker == 0 && slot.iter().all(|&b| b == 0) {
        return Ok(());
    }
    if marker != MARKER || stored != crc(addr, &slot[HEADER..]) {
        return Err(BlockError::Checksum { addr, offset });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_slot_opens_and_any_flipped_bit_or_wrong_address_does_not() {
        let block = [0xA5u8; 56];
        let mut slot = [0u8; 64];
        seal(&mut slot, 9, &block);
        open(&slot, 9, 0).unwrap();
        assert!(matches!(
            open(&slot, 10, 640),
            Err(BlockError::Checksum {
                addr: 10,
                offset: 640
            })
        ));
        for bit in 0..slot.len() * 8 {
            let mut bad = slot;
            bad[bit / 8] ^= 1 << (bit % 8);
            assert!(open(&bad, 9, 0).is_err(), "bit {bit}");
        }
        open(&[0u8; 64], 3, 0).unwrap();
    }
}
