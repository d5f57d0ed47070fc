//! Point reads: what a lookup serves without I/O (absent keys, the log's
//! tail, the read cache), and file reads that fill the cache, one at a
//! time or many together.

use super::KvError;
use super::shard::KvShard;
use super::state::{Loc, Source, read_value};
use crate::file::Storage;
use crate::join::join_in_waves;

/// Values of several point reads, in the order of their keys.
pub(crate) type Values = Vec<Option<Vec<u8>>>;

/// What a point lookup found without I/O.
pub(crate) enum Lookup<F> {
    /// The answer, already in hand.
    Done(Result<Option<Vec<u8>>, KvError>),
    /// The value is in this file, at this place.
    Read(F, Loc),
}

impl<F> Lookup<F> {
    /// The answers of `plan` when none needs a file read; the plan back
    /// otherwise.
    pub(crate) fn all_done(plan: Vec<Lookup<F>>) -> Result<Result<Values, KvError>, Vec<Self>> {
        if plan.iter().any(|l| matches!(l, Lookup::Read(..))) {
            return Err(plan);
        }
        Ok(plan
            .into_iter()
            .map(|l| match l {
                Lookup::Done(out) => out,
                Lookup::Read(..) => unreachable!("checked above"),
            })
            .collect())
    }
}

impl<S: Storage> KvShard<S> {
    /// `key`'s value when it needs no file read (absent, in the log's
    /// tail, or in the read cache), or where to read it.
    pub(crate) fn lookup(&self, key: &[u8]) -> Lookup<S::File> {
        let mut st = self.state();
        if let Some(e) = &st.poisoned {
            return Lookup::Done(Err(KvError::Poisoned(e.duplicate())));
        }
        let Some(loc) = st.index.get(key) else {
            return Lookup::Done(Ok(None));
        };
        match st.source(loc) {
            Source::Ready(v) => Lookup::Done(Ok(Some(v))),
            Source::File(file, loc) => Lookup::Read(file, loc),
        }
    }

    /// Reads `key`'s value at `loc` from `file` and caches it, unless the
    /// key moved meanwhile (then the old place is not worth keeping).
    pub(crate) async fn read_and_cache(
        &self,
        key: &[u8],
        file: &S::File,
        loc: Loc,
    ) -> Result<Vec<u8>, KvError> {
        let value = read_value(file, loc).await?;
        let mut st = self.state();
        if st.index.get(key) == Some(loc) {
            st.cache.insert(&loc, &value);
        }
        Ok(value)
    }

    /// The values of `keys`, in order. Values that need a file read are
    /// read up to 64 at a time together (on io_uring, each wave submitted
    /// in one kernel entry).
    pub async fn get_many(&self, keys: &[Vec<u8>]) -> Result<Values, KvError> {
        let plan = self.lookup_all(keys);
        self.finish(keys, plan).await
    }

    /// The lookups of `keys`, with no I/O.
    pub(crate) fn lookup_all(&self, keys: &[Vec<u8>]) -> Vec<Lookup<S::File>> {
        keys.iter().map(|k| self.lookup(k)).collect()
    }

    /// Completes `plan` (the lookups of `keys`): its file reads run up to
    /// 64 at a time together; the first error wins.
    pub(crate) async fn finish(
        &self,
        keys: &[Vec<u8>],
        plan: Vec<Lookup<S::File>>,
    ) -> Result<Values, KvError> {
        let reads = plan.into_iter().zip(keys).map(|(l, key)| async move {
            match l {
                Lookup::Done(out) => out,
                Lookup::Read(file, loc) => self.read_and_cache(key, &file, loc).await.map(Some),
            }
        });
        join_in_waves(reads.collect()).await.into_iter().collect()
    }
}
