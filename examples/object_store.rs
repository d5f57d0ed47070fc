//! Streams a large object into an `ObjectStore` and back out in 1 MiB
//! chunks (the data is generated as it is written and checked as it is
//! read, so it never sits in memory whole), checks its CRC32C and ETag,
//! lists by prefix, and replaces it atomically while a reader streams the
//! old version. Prints the throughput of each stream.
//!
//! ```text
//! cargo run --release -p examples --example object_store
//! ```
//!
//! The object is `PINION_OBJECT_MIB` MiB (default 64); the store lives in
//! a new directory under the system's temp dir, removed at the end.

use std::collections::BTreeMap;
use std::time::Instant;

use actor_core::Runtime;
use actor_storage::object::{ObjectMeta, ObjectReader, ObjectStore};

/// Bytes per chunk written.
const CHUNK: usize = 1 << 20;

/// Deterministic content: chunk `i` is a pseudo-random block made from the
/// seed, with `i` in its first 8 bytes so misplaced chunks show.
struct Content {
    seed: u64,
    block: Vec<u8>,
    chunks: u64,
}

impl Content {
    fn new(seed: u64, mib: u64) -> Self {
        let mut state = seed;
        let block = (0..CHUNK / 8)
            .flat_map(|_| splitmix64(&mut state).to_le_bytes())
            .collect();
        Content {
            seed,
            block,
            chunks: mib,
        }
    }

    fn size(&self) -> u64 {
        self.chunks * CHUNK as u64
    }

    /// Chunk `index`, freshly made.
    fn chunk(&self, index: u64) -> Vec<u8> {
        let mut chunk = self.block.clone();
        chunk[..8].copy_from_slice(&index.to_le_bytes());
        chunk
    }
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn main() -> std::process::ExitCode {
    match demo() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("object_store: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn demo() -> Result<(), Box<dyn std::error::Error>> {
    let mib: u64 = match std::env::var("PINION_OBJECT_MIB") {
        Ok(s) => s
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or("PINION_OBJECT_MIB: a positive number")?,
        Err(_) => 64,
    };
    let dir = std::env::temp_dir().join(format!("pinion-objects-{}", std::process::id()));
    // Reads PINION_PROFILE, PINION_SHARDS and PINION_DRIVER.
    let rt = Runtime::new()?;
    println!(
        "{} shards ({:?}), a {mib} MiB object in {}",
        rt.shards(),
        rt.driver(),
        dir.display()
    );
    let outcome = rt.block_on(run(rt.handle(), &dir, mib));
    rt.shutdown()?;
    std::fs::remove_dir_all(&dir)?;
    outcome?;
    println!("done");
    Ok(())
}

async fn run(
    handle: &actor_core::Handle,
    dir: &std::path::Path,
    mib: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    let store = ObjectStore::open(handle, dir).await?;
    let name = "videos/big.bin";
    let first = Content::new(1, mib);

    let meta = upload(&store, name, &first).await?;
    println!(
        "stored {name}: etag {}, crc32c {:08x}",
        meta.etag, meta.crc32c
    );
    let head = store.head(name).await?;
    check(head == meta, "head returns what the put made")?;

    let started = Instant::now();
    let reader = store.get(name).await?;
    check(reader.meta().etag == meta.etag, "a reader sees the ETag")?;
    download_and_verify(reader, &first).await?;
    report("get", first.size(), started);

    // A listing by prefix sees the object, not its neighbours elsewhere.
    store
        .put_bytes("videos/small.bin", "video/mp4", vec![7; 1000])
        .await?;
    store
        .put_bytes("notes/readme.txt", "text/plain", b"hello".to_vec())
        .await?;
    let listed: Vec<(String, u64)> = store
        .list("videos/", 10)
        .await?
        .into_iter()
        .map(|m| (m.name, m.size))
        .collect();
    println!("list videos/: {listed:?}");
    check(
        listed
            == [
                (name.to_owned(), first.size()),
                ("videos/small.bin".to_owned(), 1000),
            ],
        "the listing of videos/ is the two videos, by name",
    )?;

    // Replace it while a reader holds the old version: until the new put
    // finishes, head sees the old one; the old reader streams the old data
    // to the end whatever happens meanwhile.
    let second = Content::new(2, mib);
    let old_reader = store.get(name).await?;
    let replaced = {
        let mut put = store
            .put(name, "application/octet-stream", seed_meta(&second))
            .await?;
        for i in 0..second.chunks {
            put.write(second.chunk(i)).await?;
        }
        check(
            store.head(name).await?.etag == meta.etag,
            "an unfinished put leaves the old object in place",
        )?;
        put.finish().await?
    };
    println!("replaced {name}: etag {}", replaced.etag);
    check(replaced.etag != meta.etag, "new content, new ETag")?;
    check(
        store.head(name).await?.etag == replaced.etag,
        "once finished, head sees the new object",
    )?;
    download_and_verify(old_reader, &first).await?;
    download_and_verify(store.get(name).await?, &second).await?;

    check(store.delete("videos/small.bin").await?, "delete finds it")?;
    check(
        store.list("videos/", 10).await?.len() == 1,
        "one video left after the delete",
    )?;
    Ok(())
}

/// Streams `content` into `name`, checking the metadata against the
/// checksum computed on the way.
async fn upload(
    store: &ObjectStore,
    name: &str,
    content: &Content,
) -> Result<ObjectMeta, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let mut put = store
        .put(name, "application/octet-stream", seed_meta(content))
        .await?;
    let mut crc = 0;
    for i in 0..content.chunks {
        let chunk = content.chunk(i);
        crc = crc32c::crc32c_append(crc, &chunk);
        put.write(chunk).await?;
    }
    let meta = put.finish().await?;
    report("put", content.size(), started);
    check(meta.size == content.size(), "the stored size")?;
    check(meta.crc32c == crc, "the stored CRC32C is the one computed")?;
    check(
        meta.user.get("seed") == Some(&content.seed.to_string()),
        "the user metadata",
    )?;
    Ok(meta)
}

/// Streams `reader` to its end, comparing every byte with `content`; the
/// reader itself checks the CRC32C after the last chunk.
async fn download_and_verify(
    mut reader: ObjectReader,
    content: &Content,
) -> Result<(), Box<dyn std::error::Error>> {
    let (mut offset, mut expected, mut index) = (0usize, Vec::new(), 0u64);
    let mut read = 0u64;
    loop {
        // A checksum mismatch is an `ObjectError::Corrupt` here.
        let Some(chunk) = reader.next_chunk().await? else {
            break;
        };
        let mut rest = &chunk[..];
        while !rest.is_empty() {
            if offset == expected.len() {
                check(index < content.chunks, "no more data than was written")?;
                expected = content.chunk(index);
                index += 1;
                offset = 0;
            }
            let n = rest.len().min(expected.len() - offset);
            check(
                rest[..n] == expected[offset..offset + n],
                "the data read is the data written",
            )?;
            offset += n;
            rest = &rest[n..];
        }
        read += chunk.len() as u64;
    }
    check(read == content.size(), "all of the data comes back")
}

fn seed_meta(content: &Content) -> BTreeMap<String, String> {
    BTreeMap::from([("seed".to_owned(), content.seed.to_string())])
}

fn report(what: &str, bytes: u64, started: Instant) {
    let secs = started.elapsed().as_secs_f64();
    let mib = bytes as f64 / f64::from(1 << 20);
    println!(
        "{what:<4} {mib:.0} MiB in {:.0} ms: {:.0} MiB/s",
        secs * 1e3,
        mib / secs
    );
}

fn check(ok: bool, what: &str) -> Result<(), Box<dyn std::error::Error>> {
    if ok {
        Ok(())
    } else {
        Err(format!("check failed: {what}").into())
    }
}
