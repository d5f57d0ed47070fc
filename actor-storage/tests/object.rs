//! The object store: streaming puts and gets, metadata, listing, atomic
//! replacement, aborted and crashed uploads, corruption.

mod common;

use std::collections::BTreeMap;

use actor_storage::object::{ObjectError, ObjectStore};
use common::runtime;

fn body(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(seed).wrapping_add(seed))
        .collect()
}

async fn read_all(store: &ObjectStore, name: &str) -> Result<Vec<u8>, ObjectError> {
    let mut get = store.get(name).await?;
    let mut out = Vec::new();
    while let Some(chunk) = get.next_chunk().await? {
        assert!(chunk.len() <= 1 << 20, "chunks stay small");
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[test]
fn objects_stream_in_and_out_with_their_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(2);
    let data = body(3 << 20, 7);
    rt.block_on(async {
        let store = ObjectStore::open(rt.handle(), dir.path()).await.unwrap();
        let user: BTreeMap<_, _> = [("owner".to_owned(), "ada".to_owned())].into();
        let mut put = store
            .put("photos/2026/cat.jpg", "image/jpeg", user.clone())
            .await
            .unwrap();
        for chunk in data.chunks(256 << 10) {
            put.write(chunk.to_vec()).await.unwrap();
        }
        let meta = put.finish().await.unwrap();
        assert_eq!(meta.size, data.len() as u64);
        assert_eq!(meta.crc32c, crc32c::crc32c(&data));
        assert_eq!(
            (meta.content_type.as_str(), &meta.user),
            ("image/jpeg", &user)
        );
        assert_eq!(store.head("photos/2026/cat.jpg").await.unwrap(), meta);
        assert_eq!(read_all(&store, "photos/2026/cat.jpg").await.unwrap(), data);

        for name in [
            "photos/dog",
            "photos/ünïcode ✓",
            "docs/readme",
            "photos/a b/c",
        ] {
            store
                .put_bytes(name, "", name.as_bytes().to_vec())
                .await
                .unwrap();
        }
        let etag_before = store.head("photos/dog").await.unwrap().etag;
        store
            .put_bytes("photos/dog", "text/plain", b"woof".to_vec())
            .await
            .unwrap();
        let dog = store.head("photos/dog").await.unwrap();
        assert_ne!(dog.etag, etag_before);
        assert_eq!(dog.content_type, "text/plain");
        let names: Vec<_> = store
            .list("photos/", 10)
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.name)
            .collect();
        assert_eq!(
            names,
            [
                "photos/2026/cat.jpg",
                "photos/a b/c",
                "photos/dog",
                "photos/ünïcode ✓"
            ]
        );
        assert_eq!(store.list("photos/", 2).await.unwrap().len(), 2);
        assert!(store.delete("docs/readme").await.unwrap());
        assert!(!store.delete("docs/readme").await.unwrap());
        assert!(matches!(
            store.head("docs/readme").await,
            Err(ObjectError::NotFound(_))
        ));
        assert!(matches!(
            store.get("nothing").await,
            Err(ObjectError::NotFound(_))
        ));
        assert!(matches!(
            store.put("", "", BTreeMap::new()).await,
            Err(ObjectError::Name(_))
        ));
        let long = "x".repeat(200);
        assert!(matches!(
            store.put(&long, "", BTreeMap::new()).await,
            Err(ObjectError::Name(_))
        ));
    });
    rt.shutdown().unwrap();

    let rt = runtime(2);
    rt.block_on(async {
        let store = ObjectStore::open(rt.handle(), dir.path()).await.unwrap();
        assert_eq!(read_all(&store, "photos/2026/cat.jpg").await.unwrap(), data);
        assert_eq!(read_all(&store, "photos/dog").await.unwrap(), b"woof");
        assert_eq!(store.list("", 100).await.unwrap().len(), 4);
    });
    rt.shutdown().unwrap();
    let rt = runtime(1);
    let other = rt.block_on(ObjectStore::open(rt.handle(), dir.path()));
    assert!(matches!(other, Err(ObjectError::Layout { .. })));
    rt.shutdown().unwrap();
}

#[test]
fn a_reader_sees_the_old_object_or_the_new_one_never_a_mix() {
    let dir = tempfile::tempdir().unwrap();
    let rt = runtime(1);
    let (old, new) = (body(3 << 20, 3), body(3 << 20, 5));
    rt.block_on(async {
        let store = ObjectStore::open(rt.handle(), dir.path()).await.unwrap();
        store.put_bytes("o", "", old.clone()).await.unwrap();
        let mut get = store.get("o").await.unwrap();
        let mut seen = get.next_chunk().await.unwrap().unwrap();
        // Replaced while the first reader is half-way.
        let mut put = store.put("o", "", BTreeMap::new()).await.unwrap();
        put.write(new[..1000].to_vec()).await.unwrap();
        assert_eq!(
            read_all(&store, "o").await.unwrap(),
            old,
            "unfinished: still the old one"
        );
        put.write(new[1000..].to_vec()).await.unwrap();
        put.finish().await.unwrap();
        while let Some(chunk) = get.next_chunk().await.unwrap() {
            seen.extend_from_slice(&chunk);
        }
        assert_eq!(seen, old);
        assert_eq!(read_all(&store, "o").await.unwrap(), new);
    });
    rt.shutdown().unwrap();
}

#[test]
fn unfinished_uploads_leave_the_old_object_and_no_files() {
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("partition-000");
    let rt = runtime(1);
    rt.block_on(async {
        let store = ObjectStore::open(rt.handle(), dir.path()).await.unwrap();
        store.put_bytes("keep", "", b"v1".to_vec()).await.unwrap();
        let mut put = store.put("keep", "", BTreeMap::new()).await.unwrap();
        put.write(b"v2 that never finishes".to_vec()).await.unwrap();
        drop(put);
        assert_eq!(read_all(&store, "keep").await.unwrap(), b"v1");
    });
    let files = std::fs::read_dir(&part).unwrap().count();
    assert_eq!(files, 1, "the aborted upload's file is gone");
    rt.shutdown().unwrap();
    // A crash mid-upload leaves an upload file; the next open removes it.
    std::fs::write(part.join(".upload-99"), b"half an object").unwrap();
    let rt = runtime(1);
    rt.block_on(async {
        let store = ObjectStore::open(rt.handle(), dir.path()).await.unwrap();
        assert_eq!(read_all(&store, "keep").await.unwrap(), b"v1");
    });
    assert!(!part.join(".upload-99").exists());
    rt.shutdown().unwrap();
}

#[test]
fn corrupt_data_and_corrupt_metadata_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("partition-000").join("obj.obj");
    let rt = runtime(1);
    rt.block_on(async {
        let store = ObjectStore::open(rt.handle(), dir.path()).await.unwrap();
        store.put_bytes("obj", "", body(5000, 9)).await.unwrap();
    });
    rt.shutdown().unwrap();
    let pristine = std::fs::read(&file).unwrap();
    let mut bytes = pristine.clone();
    bytes[1234] ^= 0x40;
    std::fs::write(&file, &bytes).unwrap();
    let rt = runtime(1);
    rt.block_on(async {
        let store = ObjectStore::open(rt.handle(), dir.path()).await.unwrap();
        assert!(matches!(
            read_all(&store, "obj").await,
            Err(ObjectError::Corrupt { .. })
        ));
    });
    rt.shutdown().unwrap();
    let mut bytes = pristine;
    let meta_byte = bytes.len() - 20;
    bytes[meta_byte] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    let rt = runtime(1);
    let e = rt
        .block_on(ObjectStore::open(rt.handle(), dir.path()))
        .unwrap_err();
    assert!(
        matches!(&e, ObjectError::Corrupt { path, .. } if *path == file),
        "{e}"
    );
    rt.shutdown().unwrap();
}
