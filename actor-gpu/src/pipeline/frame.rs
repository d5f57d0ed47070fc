//! [`Frame`]: what travels through a pipeline, one batch of items with a
//! small header ([`Shape`]); its data on the host or resident on the GPU.

use std::any::TypeId;

use bytemuck::Pod;

use crate::pipeline::PipelineError;
use crate::{BufferData, GpuBuffer};

/// Four numbers that travel with a frame's data (an image's width and
/// height, say). A GPU stage whose kernel has a third binding gets them
/// there as a `vec4<u32>` uniform; a CPU stage gets them as an argument.
pub type Shape = [u32; 4];

/// The element type of a frame's data, checked between stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElemType {
    id: TypeId,
    name: &'static str,
    size: usize,
}

impl ElemType {
    /// The element type `T`.
    pub fn of<T: Pod>() -> ElemType {
        ElemType {
            id: TypeId::of::<T>(),
            name: std::any::type_name::<T>(),
            size: size_of::<T>(),
        }
    }

    /// Its name, as `std::any::type_name` gives it.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Its size in bytes.
    pub fn size(&self) -> usize {
        self.size
    }
}

/// Where a frame's data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Location {
    /// In host memory.
    Host,
    /// In a resident buffer on the pipeline's GPU queue.
    Device,
}

#[derive(Debug, Clone)]
pub(crate) enum FrameData {
    Host(BufferData),
    Device(GpuBuffer),
}

/// One batch of items going through a pipeline: typed data and a
/// [`Shape`]. Frames handed in and handed back are on the host; between two
/// GPU stages the data stays on the GPU.
#[derive(Debug, Clone)]
pub struct Frame {
    pub(crate) shape: Shape,
    pub(crate) elem: ElemType,
    pub(crate) data: FrameData,
}

impl Frame {
    /// A frame holding a copy of `data`, whose size must be a non-zero
    /// multiple of 4 bytes.
    pub fn new<T: Pod>(shape: Shape, data: &[T]) -> Result<Frame, PipelineError> {
        let data = BufferData::from_slice(data).map_err(|error| PipelineError::Gpu {
            stage: "input".into(),
            error,
        })?;
        Ok(Frame {
            shape,
            elem: ElemType::of::<T>(),
            data: FrameData::Host(data),
        })
    }

    /// Its header.
    pub fn shape(&self) -> Shape {
        self.shape
    }

    /// Its element type.
    pub fn elem(&self) -> ElemType {
        self.elem
    }

    /// Where its data is.
    pub fn location(&self) -> Location {
        match self.data {
            FrameData::Host(_) => Location::Host,
            FrameData::Device(_) => Location::Device,
        }
    }

    /// Its size in bytes.
    pub fn bytes(&self) -> u64 {
        match &self.data {
            FrameData::Host(d) => d.bytes(),
            FrameData::Device(b) => b.bytes(),
        }
    }

    /// How many elements it holds.
    pub fn len(&self) -> usize {
        (self.bytes() / self.elem.size.max(1) as u64) as usize
    }

    /// Whether it holds no elements (never true of a frame made by
    /// [`Frame::new`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Its data as `T`s: fails when `T` is not its element type, or when
    /// the data is on the GPU (frames a pipeline hands back never are).
    pub fn get<T: Pod>(&self) -> Result<Vec<T>, PipelineError> {
        let want = ElemType::of::<T>();
        if want != self.elem {
            return Err(PipelineError::TypeMismatch {
                stage: "output".into(),
                expected: self.elem.name,
                found: want.name,
            });
        }
        match &self.data {
            FrameData::Host(d) => d.get::<T>().map_err(|error| PipelineError::Gpu {
                stage: "output".into(),
                error,
            }),
            FrameData::Device(_) => Err(PipelineError::Invalid {
                stage: "output".into(),
                why: "the frame's data is on the GPU".into(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_reads_back_only_as_its_own_type() {
        let f = Frame::new([2, 1, 0, 0], &[1.5f32, 2.5]).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f.bytes(), 8);
        assert_eq!(f.location(), Location::Host);
        assert_eq!(f.get::<f32>().unwrap(), [1.5, 2.5]);
        assert!(matches!(
            f.get::<u32>(),
            Err(PipelineError::TypeMismatch { .. })
        ));
        assert!(matches!(
            Frame::new::<u8>([0; 4], &[1, 2, 3]),
            Err(PipelineError::Gpu { .. })
        ));
    }
}
