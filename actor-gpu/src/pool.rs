//! A pool of device buffers, storage and staging alike, keyed by size class
//! and usage: tasks of a steady shape allocate none once the pool is warm.

use std::collections::HashMap;

/// The most bytes the pool keeps idle; buffers past it are freed.
const MAX_POOLED_BYTES: u64 = 256 << 20;
/// The smallest size class.
const MIN_CLASS: u64 = 256;

/// Idle buffers by (size class, usage).
#[derive(Debug, Default)]
pub(crate) struct BufferPool {
    free: HashMap<(u64, wgpu::BufferUsages), Vec<wgpu::Buffer>>,
    pooled_bytes: u64,
    created: u64,
    reused: u64,
}

impl BufferPool {
    /// A buffer of at least `bytes` with `usage`: an idle one, or a new one.
    /// Its contents are whatever the last task left.
    pub(crate) fn take(
        &mut self,
        device: &wgpu::Device,
        bytes: u64,
        usage: wgpu::BufferUsages,
        max_buffer_size: u64,
    ) -> wgpu::Buffer {
        let class = size_class(bytes, max_buffer_size);
        if let Some(b) = self.free.get_mut(&(class, usage)).and_then(Vec::pop) {
            self.pooled_bytes -= class;
            self.reused += 1;
            return b;
        }
        self.created += 1;
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("pinion-gpu pooled"),
            size: class,
            usage,
            mapped_at_creation: false,
        })
    }

    /// Returns a buffer the GPU no longer uses (unmapped).
    pub(crate) fn give(&mut self, buffer: wgpu::Buffer) {
        let size = buffer.size();
        if self.pooled_bytes + size > MAX_POOLED_BYTES {
            return;
        }
        self.pooled_bytes += size;
        self.free
            .entry((size, buffer.usage()))
            .or_default()
            .push(buffer);
    }

    /// Buffers allocated on the device so far.
    pub(crate) fn created(&self) -> u64 {
        self.created
    }

    /// Buffers handed out again from the pool so far.
    pub(crate) fn reused(&self) -> u64 {
        self.reused
    }
}

/// The next power of two at or above `bytes` (at least 256 bytes), or
/// `bytes` itself where rounding up would pass the device's limit.
fn size_class(bytes: u64, max_buffer_size: u64) -> u64 {
    let class = bytes.max(MIN_CLASS).next_power_of_two();
    if class > max_buffer_size {
        bytes
    } else {
        class
    }
}

#[cfg(test)]
mod tests {
    use super::size_class;

    #[test]
    fn sizes_round_up_to_powers_of_two_within_the_limit() {
        assert_eq!(size_class(4, 1 << 30), 256);
        assert_eq!(size_class(257, 1 << 30), 512);
        assert_eq!(size_class(4096, 1 << 30), 4096);
        assert_eq!(size_class(3 << 20, 4 << 20), 4 << 20);
        assert_eq!(size_class(5 << 20, 6 << 20), 5 << 20);
    }
}
