//! One partition of an object store: a directory of object files, an
//! in-memory index of their metadata, and the uploads and reads in
//! progress. Owned by one actor on one shard.
//!
//! A put streams into a hidden upload file; finishing it appends the
//! metadata, syncs the file, renames it over the object's file and syncs
//! the directory. A reader of the old object keeps its open file, so it
//! sees the old object whole; later readers see the new one whole.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::ObjectError;
use super::meta::{self, ObjectMeta, TRAILER};
use crate::file::{FileIo, OpenOptions, Storage};

/// Uploads are named `.upload-<id>`; leftovers are removed on open.
const UPLOAD_PREFIX: &str = ".upload-";

struct Upload<F> {
    file: F,
    path: PathBuf,
    name: String,
    content_type: String,
    user: BTreeMap<String, String>,
    size: u64,
    crc: u32,
}

pub(crate) struct Partition<S: Storage> {
    storage: S,
    dir: PathBuf,
    index: BTreeMap<String, ObjectMeta>,
    uploads: HashMap<u64, Upload<S::File>>,
    readers: HashMap<u64, S::File>,
    next_id: u64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl<S: Storage> Partition<S> {
    /// Opens the partition in `dir`: removes unfinished uploads and reads
    /// every object's metadata. A damaged object file fails the open.
    pub(crate) async fn open(storage: S, dir: &Path) -> Result<Self, ObjectError> {
        storage.create_dir_all(dir).await?;
        let mut index = BTreeMap::new();
        let mut removed = false;
        for path in storage.list(dir).await? {
            let file_name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            if file_name.starts_with(UPLOAD_PREFIX) {
                storage.remove(&path).await?;
                removed = true;
            } else if let Some(name) = meta::object_name(file_name) {
                let file = storage
                    .open(&path, &OpenOptions::new().read_only(true))
                    .await?;
                let meta = read_meta(&file, &path).await?;
                if meta.name != name {
                    return Err(corrupt(&path, "its metadata names another object"));
                }
                index.insert(name, meta);
            }
        }
        if removed {
            storage.sync_dir(dir).await?;
        }
        Ok(Partition {
            storage,
            dir: dir.to_path_buf(),
            index,
            uploads: HashMap::new(),
            readers: HashMap::new(),
            next_id: 1,
        })
    }

    fn path_of(&self, name: &str) -> Result<PathBuf, ObjectError> {
        meta::file_name(name)
            .map(|f| self.dir.join(f))
            .ok_or_else(|| ObjectError::Name(name.to_owned()))
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Starts an upload of `name`; returns its id.
    pub(crate) async fn begin(
        &mut self,
        name: String,
        content_type: String,
        user: BTreeMap<String, String>,
    ) -> Result<u64, ObjectError> {
        self.path_of(&name)?;
        let id = self.id();
        let path = self.dir.join(format!("{UPLOAD_PREFIX}{id}"));
        let file = self
            .storage
            .open(&path, &OpenOptions::new().create(true).truncate(true))
            .await?;
        self.uploads.insert(
            id,
            Upload {
                file,
                path,
                name,
                content_type,
                user,
                size: 0,
                crc: 0,
            },
        );
        Ok(id)
    }

    /// Appends `chunk` to upload `id`.
    pub(crate) async fn append(&mut self, id: u64, chunk: Vec<u8>) -> Result<(), ObjectError> {
        let up = self.uploads.get_mut(&id).ok_or(ObjectError::Stale(id))?;
        let mut buf = up.file.buffer(chunk.len());
        buf.extend_from_slice(&chunk);
        if let Err(e) = up.file.write_all_at(buf, up.size).await.0 {
            self.abort(id).await;
            return Err(e.into());
        }
        let up = self.uploads.get_mut(&id).ok_or(ObjectError::Stale(id))?;
        up.crc = crc32c::crc32c_append(up.crc, &chunk);
        up.size += chunk.len() as u64;
        Ok(())
    }

    /// Finishes upload `id`: the object replaces any old one atomically and
    /// durably.
    pub(crate) async fn finish(&mut self, id: u64) -> Result<ObjectMeta, ObjectError> {
        let up = self.uploads.remove(&id).ok_or(ObjectError::Stale(id))?;
        let target = self.path_of(&up.name)?;
        let meta = ObjectMeta {
            etag: meta::etag(up.crc, up.size),
            name: up.name,
            size: up.size,
            content_type: up.content_type,
            user: up.user,
            crc32c: up.crc,
            modified_ms: now_ms(),
        };
        let footer = meta::footer(&meta);
        let mut buf = up.file.buffer(footer.len());
        buf.extend_from_slice(&footer);
        let placed = async {
            up.file.write_durable_at(buf, up.size).await.0?;
            self.storage.rename(&up.path, &target).await
        };
        if let Err(e) = placed.await {
            let _ = self.storage.remove(&up.path).await;
            return Err(e.into());
        }
        // Renamed: readers now see the new object, so the index does too,
        // even if making the rename durable fails below.
        self.index.insert(meta.name.clone(), meta.clone());
        self.storage.sync_dir(&self.dir).await?;
        Ok(meta)
    }

    /// Drops upload `id` and its file.
    pub(crate) async fn abort(&mut self, id: u64) {
        if let Some(up) = self.uploads.remove(&id) {
            let _ = self.storage.remove(&up.path).await;
        }
    }

    /// The metadata of `name`.
    pub(crate) fn head(&self, name: &str) -> Result<ObjectMeta, ObjectError> {
        self.index
            .get(name)
            .cloned()
            .ok_or_else(|| ObjectError::NotFound(name.to_owned()))
    }

    /// Opens `name` for reading: the reader keeps this version of it.
    pub(crate) async fn open_read(&mut self, name: &str) -> Result<(u64, ObjectMeta), ObjectError> {
        let meta = self.head(name)?;
        let path = self.path_of(name)?;
        let file = self
            .storage
            .open(&path, &OpenOptions::new().read_only(true))
            .await?;
        // The file may have been replaced since the index was read.
        let meta = if read_meta(&file, &path).await? == meta {
            meta
        } else {
            return Err(corrupt(&path, "the file does not match its index entry"));
        };
        let id = self.id();
        self.readers.insert(id, file);
        Ok((id, meta))
    }

    /// Up to `len` bytes of read `id`'s object from `offset`.
    pub(crate) async fn read(
        &mut self,
        id: u64,
        offset: u64,
        len: usize,
    ) -> Result<Vec<u8>, ObjectError> {
        let file = self.readers.get(&id).ok_or(ObjectError::Stale(id))?;
        let buf = file.read_exact_at(len, offset).await?;
        Ok(buf.to_vec())
    }

    /// Closes read `id`.
    pub(crate) fn close_read(&mut self, id: u64) {
        self.readers.remove(&id);
    }

    /// Removes `name`; `false` when there was no such object.
    pub(crate) async fn delete(&mut self, name: &str) -> Result<bool, ObjectError> {
        if !self.index.contains_key(name) {
            return Ok(false);
        }
        let path = self.path_of(name)?;
        self.storage.remove(&path).await?;
        self.index.remove(name);
        self.storage.sync_dir(&self.dir).await?;
        Ok(true)
    }

    /// Up to `limit` objects whose names start with `prefix`, by name.
    pub(crate) fn list(&self, prefix: &str, limit: usize) -> Vec<ObjectMeta> {
        self.index
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .take(limit)
            .map(|(_, m)| m.clone())
            .collect()
    }
}

fn corrupt(path: &Path, reason: &str) -> ObjectError {
    ObjectError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.to_owned(),
    }
}

/// Reads the metadata at the end of an object file.
async fn read_meta<F: FileIo>(file: &F, path: &Path) -> Result<ObjectMeta, ObjectError> {
    let size = file.size().await?;
    if size < TRAILER as u64 {
        return Err(corrupt(path, "shorter than its trailer"));
    }
    let trailer = file.read_exact_at(TRAILER, size - TRAILER as u64).await?;
    let (len, crc) = meta::trailer_len(&trailer).ok_or_else(|| corrupt(path, "damaged trailer"))?;
    let start = (size - TRAILER as u64)
        .checked_sub(len as u64)
        .ok_or_else(|| corrupt(path, "metadata longer than the file"))?;
    let bytes = file.read_exact_at(len, start).await?;
    let meta = meta::decode_meta(&bytes, crc).ok_or_else(|| corrupt(path, "damaged metadata"))?;
    if meta.size != start {
        return Err(corrupt(path, "data size does not match its metadata"));
    }
    Ok(meta)
}
