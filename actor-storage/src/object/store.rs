//! [`ObjectStore`] and its streaming [`ObjectWriter`] and [`ObjectReader`].

use std::collections::BTreeMap;
use std::path::Path;

use actor_core::partition::Sharded;
use actor_core::{ActorRef, AskError, Handle};

use super::actor::{ObjectActor, ObjectMsg};
use super::{ObjectError, ObjectMeta};

/// Bytes a reader asks for at a time.
const CHUNK: usize = 1 << 20;
/// The file that records how many partitions a store has.
const LAYOUT: &str = "PARTITIONS";

fn asked<T>(r: Result<Result<T, ObjectError>, AskError>) -> Result<T, ObjectError> {
    r.unwrap_or_else(|e| Err(ObjectError::Unavailable(e.to_string())))
}

/// Objects with metadata, stored one file each, in one partition per storage shard
/// (routed by the name's stable hash), each partition owned by an actor
/// pinned to its shard. Puts and gets stream in chunks: an object never
/// sits in memory whole. A put is atomic and durable when
/// [`ObjectWriter::finish`] returns: readers see the old object or the new
/// one, never a mix.
///
/// ```
/// use actor_storage::object::ObjectStore;
///
/// let dir = tempfile::tempdir()?;
/// let rt = actor_core::Runtime::builder().shards(2).build()?;
/// rt.block_on(async {
///     let store = ObjectStore::open(rt.handle(), dir.path()).await?;
///     let mut put = store.put("logs/today", "text/plain", Default::default()).await?;
///     put.write(b"hello, ".to_vec()).await?;
///     put.write(b"world".to_vec()).await?;
///     let meta = put.finish().await?;
///     assert_eq!(meta.size, 12);
///
///     let mut get = store.get("logs/today").await?;
///     let mut body = Vec::new();
///     while let Some(chunk) = get.next_chunk().await? {
///         body.extend_from_slice(&chunk);
///     }
///     assert_eq!(body, b"hello, world");
///     assert_eq!(store.list("logs/", 10).await?.len(), 1);
///     Ok::<_, actor_storage::object::ObjectError>(())
/// })?;
/// rt.shutdown()?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ObjectStore {
    parts: Sharded<ObjectActor>,
}

impl std::fmt::Debug for ObjectStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObjectStore")
            .field("partitions", &self.parts.len())
            .finish()
    }
}

impl ObjectStore {
    /// Opens (or creates) the store in `dir`, one partition per storage shard in
    /// `dir/partition-NNN`; unfinished uploads left by a crash are removed.
    pub async fn open(handle: &Handle, dir: impl AsRef<Path>) -> Result<Self, ObjectError> {
        let dir = dir.as_ref().to_path_buf();
        let wanted = crate::storage_shards(handle).len().to_string();
        if let Err(found) = crate::layout::ensure(&dir, LAYOUT, &wanted)? {
            return Err(ObjectError::Layout { dir, found, wanted });
        }
        let base = dir.clone();
        let parts = crate::placement::spawn_partitions(handle, move |i| ObjectActor {
            dir: base.join(format!("partition-{i:03}")),
            part: None,
            open_error: None,
        })
        .map_err(|e| ObjectError::Unavailable(e.to_string()))?;
        for member in parts.members() {
            if let Err(e) = asked(member.ask(ObjectMsg::Ready).await) {
                // A store that did not open leaves no actor behind.
                parts.members().iter().for_each(|m| m.stop());
                return Err(e);
            }
        }
        Ok(ObjectStore { parts })
    }

    fn owner(&self, name: &str) -> &ActorRef<ObjectActor> {
        self.parts.route(name)
    }

    /// Starts a put of `name`; write its data with [`ObjectWriter::write`]
    /// and make it visible with [`ObjectWriter::finish`]. Until then the
    /// old object (if any) stays.
    pub async fn put(
        &self,
        name: &str,
        content_type: &str,
        user: BTreeMap<String, String>,
    ) -> Result<ObjectWriter, ObjectError> {
        let owner = self.owner(name).clone();
        let (n, ty) = (name.to_owned(), content_type.to_owned());
        let ty = if ty.is_empty() {
            "application/octet-stream".to_owned()
        } else {
            ty
        };
        let id = asked(owner.ask(|r| ObjectMsg::Begin(n, ty, user, r)).await)?;
        Ok(ObjectWriter {
            owner,
            id,
            open: true,
        })
    }

    /// Puts `data` whole: a shorthand for small objects.
    pub async fn put_bytes(
        &self,
        name: &str,
        content_type: &str,
        data: Vec<u8>,
    ) -> Result<ObjectMeta, ObjectError> {
        let mut w = self.put(name, content_type, BTreeMap::new()).await?;
        w.write(data).await?;
        w.finish().await
    }

    /// Starts reading `name`: the reader streams this version of it, even
    /// if a put replaces it meanwhile.
    pub async fn get(&self, name: &str) -> Result<ObjectReader, ObjectError> {
        let owner = self.owner(name).clone();
        let n = name.to_owned();
        let (id, meta) = asked(owner.ask(|r| ObjectMsg::OpenRead(n, r)).await)?;
        Ok(ObjectReader {
            owner,
            id,
            meta,
            offset: 0,
            crc: 0,
        })
    }

    /// The metadata of `name`.
    pub async fn head(&self, name: &str) -> Result<ObjectMeta, ObjectError> {
        let n = name.to_owned();
        asked(self.owner(name).ask(|r| ObjectMsg::Head(n, r)).await)
    }

    /// Removes `name`; `false` when there was none.
    pub async fn delete(&self, name: &str) -> Result<bool, ObjectError> {
        let n = name.to_owned();
        asked(self.owner(name).ask(|r| ObjectMsg::Delete(n, r)).await)
    }

    /// Up to `limit` objects whose names start with `prefix`, by name,
    /// from every partition.
    pub async fn list(&self, prefix: &str, limit: usize) -> Result<Vec<ObjectMeta>, ObjectError> {
        let mut all = Vec::new();
        for member in self.parts.members() {
            let p = prefix.to_owned();
            all.extend(asked(member.ask(|r| ObjectMsg::List(p, limit, r)).await)?);
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all.truncate(limit);
        Ok(all)
    }
}

/// A put in progress. Dropping it unfinished aborts it (the old object
/// stays); so does any failed write.
#[derive(Debug)]
pub struct ObjectWriter {
    owner: ActorRef<ObjectActor>,
    id: u64,
    open: bool,
}

impl ObjectWriter {
    /// Appends `chunk` to the object's data.
    pub async fn write(&mut self, chunk: Vec<u8>) -> Result<(), ObjectError> {
        let id = self.id;
        let out = asked(self.owner.ask(|r| ObjectMsg::Append(id, chunk, r)).await);
        if out.is_err() {
            self.open = false;
        }
        out
    }

    /// Makes the object visible, atomically and durably; returns its
    /// metadata.
    pub async fn finish(mut self) -> Result<ObjectMeta, ObjectError> {
        self.open = false;
        let id = self.id;
        asked(self.owner.ask(|r| ObjectMsg::Finish(id, r)).await)
    }
}

impl Drop for ObjectWriter {
    fn drop(&mut self) {
        if self.open {
            let _ = self.owner.try_tell(ObjectMsg::Abort(self.id));
        }
    }
}

/// A get in progress: the object's data in chunks, checked against its
/// CRC32C at the end.
#[derive(Debug)]
pub struct ObjectReader {
    owner: ActorRef<ObjectActor>,
    id: u64,
    meta: ObjectMeta,
    offset: u64,
    crc: u32,
}

impl ObjectReader {
    /// The object's metadata.
    pub fn meta(&self) -> &ObjectMeta {
        &self.meta
    }

    /// The next chunk of data, or `None` after the last. When the data
    /// does not match its checksum, the last call is a
    /// [`ObjectError::Corrupt`] error instead of `None`.
    pub async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, ObjectError> {
        let left = self.meta.size - self.offset;
        if left == 0 {
            if self.crc != self.meta.crc32c {
                return Err(ObjectError::Corrupt {
                    path: self.meta.name.clone().into(),
                    reason: "data does not match its checksum".into(),
                });
            }
            return Ok(None);
        }
        let len = (left as usize).min(CHUNK);
        let (id, at) = (self.id, self.offset);
        let chunk = asked(self.owner.ask(|r| ObjectMsg::Read(id, at, len, r)).await)?;
        self.crc = crc32c::crc32c_append(self.crc, &chunk);
        self.offset += chunk.len() as u64;
        Ok(Some(chunk))
    }
}

impl Drop for ObjectReader {
    fn drop(&mut self) {
        let _ = self.owner.try_tell(ObjectMsg::CloseRead(self.id));
    }
}
