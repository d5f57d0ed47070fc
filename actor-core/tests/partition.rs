//! Properties of `actor_core::partition`: spread, stability, movement on
//! resize, exact range edges, exact rotation, and closure reduction.

use std::sync::Arc;

use actor_core::partition::{
    ConsistentHash, Custom, HashPartitioner, PartitionError, Partitioner, RangePartitioner,
    Rendezvous, RoundRobin, stable_hash,
};
use proptest::prelude::*;

const KEYS: u64 = 100_000;
const SPREAD_COUNTS: [usize; 5] = [2, 3, 7, 16, 64];

/// The upper 99.9% point of chi-square with `df` degrees of freedom, by the
/// Wilson–Hilferty approximation.
fn chi_square_critical_999(df: usize) -> f64 {
    const Z_999: f64 = 3.090_232_306_167_813;
    let k = df as f64;
    let a = 2.0 / (9.0 * k);
    k * (1.0 - a + Z_999 * a.sqrt()).powi(3)
}

/// Pearson's statistic against a uniform spread.
fn chi_square(counts: &[u64]) -> f64 {
    let total: u64 = counts.iter().sum();
    let expected = total as f64 / counts.len() as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

/// Counts per partition of `place(i)` for `i` in `0..KEYS`.
fn spread(n: usize, place: impl Fn(u64) -> usize) -> Vec<u64> {
    let mut counts = vec![0; n];
    for i in 0..KEYS {
        counts[place(i)] += 1;
    }
    counts
}

fn assert_uniform(what: &str, counts: &[u64]) {
    let stat = chi_square(counts);
    let bound = chi_square_critical_999(counts.len() - 1);
    assert!(
        stat < bound,
        "{what} over {} partitions: chi-square {stat:.2} >= {bound:.2}; counts {counts:?}",
        counts.len()
    );
}

#[test]
fn wilson_hilferty_is_close_to_the_tables() {
    // Exact 99.9% points from the chi-square table.
    for (df, exact) in [
        (1, 10.828),
        (2, 13.816),
        (6, 22.458),
        (15, 37.697),
        (63, 103.442),
    ] {
        let approx = chi_square_critical_999(df);
        assert!(
            (approx - exact).abs() / exact < 0.04,
            "df {df}: {approx} vs {exact}"
        );
    }
}

#[test]
fn chi_square_bound_rejects_a_skewed_spread() {
    // 10% extra load on one of 16 partitions must be caught at this size.
    let mut counts = vec![6_250; 16];
    counts[3] += 625;
    counts[4] -= 625;
    assert!(chi_square(&counts) > chi_square_critical_999(15));
}

#[test]
fn hash_spreads_sequential_u64_keys_evenly() {
    for n in SPREAD_COUNTS {
        assert_uniform("u64 i", &spread(n, |i| HashPartitioner.partition(&i, n)));
    }
}

#[test]
fn hash_spreads_keys_differing_only_in_high_bits_evenly() {
    for n in SPREAD_COUNTS {
        let counts = spread(n, |i| HashPartitioner.partition(&(i << 40), n));
        assert_uniform("u64 i << 40", &counts);
    }
}

#[test]
fn hash_spreads_string_keys_evenly() {
    for n in SPREAD_COUNTS {
        let counts = spread(n, |i| HashPartitioner.partition(&format!("actor-{i}"), n));
        assert_uniform("String actor-i", &counts);
    }
}

#[test]
fn stable_hash_golden_values() {
    // Any change to the hash function moves every key: these must never change.
    assert_eq!(stable_hash(&42u64), 0x5e18_397c_240a_21ca);
    assert_eq!(stable_hash("pinion"), 0x144a_3101_6f50_fa40);
    assert_eq!(stable_hash(&(7u32, "shard", -1i64)), 0xc297_fabd_1619_4b75);
    assert_eq!(
        stable_hash(&[1u8, 2, 3, 4, 5, 6, 7, 8, 9][..]),
        0x38f0_525c_ec6f_bc83
    );
    assert_eq!(HashPartitioner.partition(&42u64, 16), 5);
    assert_eq!(ConsistentHash.partition(&42u64, 16), 4);
    // Checked against a transcription of the paper's C++ reference code.
    assert_eq!(ConsistentHash::jump(0x1234_5678_9abc_def0, 1000), 399);
    assert_eq!(ConsistentHash::jump(1, 1000), 549);
    assert_eq!(ConsistentHash::jump(0xdead_beef, 1 << 20), 479_362);
}

#[test]
fn stable_hash_is_independent_of_integer_width_and_string_type() {
    assert_eq!(stable_hash(&5usize), stable_hash(&5u64));
    assert_eq!(stable_hash(&-1isize), stable_hash(&-1i64));
    assert_eq!(stable_hash("pinion"), stable_hash(&String::from("pinion")));
    // Zero-padding of the byte tail must not collide with a longer input.
    assert_ne!(stable_hash(&[1u8][..]), stable_hash(&[1u8, 0][..]));
}

#[test]
fn zero_partitions_give_zero() {
    assert_eq!(HashPartitioner.partition(&1u64, 0), 0);
    assert_eq!(ConsistentHash.partition(&1u64, 0), 0);
    assert_eq!(Rendezvous::new(vec!["a", "b"]).partition(&1u64, 0), 0);
    assert_eq!(RangePartitioner::new(vec![0]).unwrap().partition(&5, 0), 0);
    assert_eq!(RoundRobin::new().partition(&(), 0), 0);
    assert_eq!(
        Custom::new(|_: &u64, _| -> usize { unreachable!() }).partition(&1, 0),
        0
    );
}

#[test]
fn range_partitioner_places_borrowed_keys() {
    let p = RangePartitioner::new(vec!["g".to_string(), "p".to_string()]).unwrap();
    assert_eq!(p.partition("apple", 3), 0);
    assert_eq!(p.partition("g", 3), 1);
    assert_eq!(p.partition("zebra", 3), 2);
}

#[test]
fn partitioners_are_send_sync_and_work_as_trait_objects() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<HashPartitioner>();
    assert_send_sync::<ConsistentHash>();
    assert_send_sync::<Rendezvous<String>>();
    assert_send_sync::<RangePartitioner<u64>>();
    assert_send_sync::<RoundRobin>();
    let shared: Arc<dyn Partitioner<u64>> = Arc::new(RoundRobin::new());
    assert_eq!(
        (0..3).map(|_| shared.partition(&0, 2)).collect::<Vec<_>>(),
        [0, 1, 0]
    );
}

/// Owners of `0..keys` (after mixing with `seed`) under `place`.
fn owners(seed: u64, keys: u64, place: impl Fn(u64) -> usize) -> Vec<usize> {
    (0..keys).map(|i| place(stable_hash(&(seed, i)))).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn consistent_hash_moves_few_keys_and_only_to_the_new_partition(
        n in 1usize..64,
        seed in any::<u64>(),
    ) {
        let before = owners(seed, KEYS, |k| ConsistentHash.partition(&k, n));
        let after = owners(seed, KEYS, |k| ConsistentHash.partition(&k, n + 1));
        let mut moved = 0u64;
        for (&b, &a) in before.iter().zip(&after) {
            prop_assert!(b < n && a <= n);
            if a != b {
                prop_assert_eq!(a, n, "key moved between old partitions {} -> {}", b, a);
                moved += 1;
            }
        }
        let fraction = moved as f64 / KEYS as f64;
        prop_assert!(fraction <= 1.2 / (n + 1) as f64, "moved {fraction} at n = {n}");
    }

    #[test]
    fn rendezvous_moves_only_the_changed_nodes_keys(
        nodes in 2usize..24,
        removed in any::<prop::sample::Index>(),
        seed in any::<u64>(),
    ) {
        const RKEYS: u64 = 20_000;
        let names: Vec<String> = (0..nodes).map(|i| format!("node-{i}")).collect();
        let mut ring = Rendezvous::new(names.clone());
        let owner_of = |ring: &Rendezvous<String>, k: u64| ring.owner(&k).unwrap().clone();
        let before: Vec<String> = (0..RKEYS).map(|i| owner_of(&ring, stable_hash(&(seed, i)))).collect();

        let gone = names[removed.index(nodes)].clone();
        prop_assert_eq!(ring.remove(&gone), Some(gone.clone()));
        let mut moved = 0u64;
        for (i, b) in before.iter().enumerate() {
            let a = owner_of(&ring, stable_hash(&(seed, i as u64)));
            if &a != b {
                prop_assert_eq!(b, &gone, "key moved off a node that stayed");
                moved += 1;
            }
        }
        let fraction = moved as f64 / RKEYS as f64;
        prop_assert!(fraction <= 1.3 / nodes as f64, "removal moved {fraction} of {nodes}");

        ring.add(gone.clone());
        for (i, b) in before.iter().enumerate() {
            // Adding the node back restores the original placement exactly.
            prop_assert_eq!(&owner_of(&ring, stable_hash(&(seed, i as u64))), b);
        }
    }

    #[test]
    fn hash_partitioners_are_in_range_and_deterministic(key in any::<String>(), n in 1usize..10_000) {
        let h = HashPartitioner.partition(key.as_str(), n);
        let c = ConsistentHash.partition(key.as_str(), n);
        prop_assert!(h < n && c < n);
        prop_assert_eq!(h, HashPartitioner.partition(&key, n));
        prop_assert_eq!(c, ConsistentHash.partition(&key, n));
    }
}

proptest! {
    #[test]
    fn range_edges_are_exact(set in prop::collection::btree_set(-1_000_000i64..1_000_000, 1..32)) {
        let boundaries: Vec<i64> = set.iter().copied().collect();
        let p = RangePartitioner::new(boundaries.clone()).unwrap();
        let n = p.partitions();
        prop_assert_eq!(n, boundaries.len() + 1);
        prop_assert_eq!(p.partition(&i64::MIN, n), 0);
        prop_assert_eq!(p.partition(&i64::MAX, n), n - 1);
        for (i, &b) in boundaries.iter().enumerate() {
            prop_assert_eq!(p.partition(&b, n), i + 1, "key == boundary {} goes up", b);
            prop_assert_eq!(p.partition(&(b - 1), n), i, "key just below boundary {}", b);
        }
    }

    #[test]
    fn range_clamps_to_the_partitions_given(
        set in prop::collection::btree_set(-1_000i64..1_000, 1..16),
        key in -1_100i64..1_100,
        given in 1usize..20,
    ) {
        let p = RangePartitioner::new(set.into_iter().collect::<Vec<_>>()).unwrap();
        let full = p.partition(&key, p.partitions());
        prop_assert_eq!(p.partition(&key, given), full.min(given - 1));
    }

    #[test]
    fn range_rejects_boundaries_that_do_not_increase(boundaries in prop::collection::vec(-4i64..4, 0..8)) {
        let first_bad = (1..boundaries.len()).find(|&i| boundaries[i] <= boundaries[i - 1]);
        match (RangePartitioner::new(boundaries.clone()), first_bad) {
            (Ok(p), None) => prop_assert_eq!(p.boundaries(), &boundaries[..]),
            (Err(e), Some(index)) => {
                prop_assert_eq!(e, PartitionError::NotStrictlyIncreasing { index });
            }
            (got, want) => prop_assert!(false, "{boundaries:?}: got {got:?}, want error at {want:?}"),
        }
    }

    #[test]
    fn round_robin_rotates_exactly(n in 1usize..100) {
        let rr = RoundRobin::new();
        for i in 0..3 * n {
            prop_assert_eq!(rr.partition("ignored", n), i % n);
        }
    }

    #[test]
    fn round_robin_is_exactly_even_across_threads(n in 1usize..16, rounds in 1usize..50) {
        const THREADS: usize = 4;
        let rr = RoundRobin::new();
        let per_thread = rounds * n;
        let counts: Vec<Vec<usize>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| s.spawn(|| {
                    let mut counts = vec![0; n];
                    for _ in 0..per_thread {
                        counts[rr.partition(&0u64, n)] += 1;
                    }
                    counts
                }))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for p in 0..n {
            let total: usize = counts.iter().map(|c| c[p]).sum();
            prop_assert_eq!(total, THREADS * rounds, "partition {}", p);
        }
    }

    #[test]
    fn custom_honours_the_closure_and_reduces_into_range(key in any::<u64>(), n in 1usize..1_000) {
        let in_range = Custom::new(|k: &u64, n| (*k as usize) % n);
        prop_assert_eq!(in_range.partition(&key, n), key as usize % n);
        let raw = Custom::new(|k: &u64, _| *k as usize);
        prop_assert_eq!(raw.partition(&key, n), key as usize % n);
        let fixed = Custom::new(|_: &u64, n| n - 1);
        prop_assert_eq!(fixed.partition(&key, n), n - 1);
        let beyond = Custom::new(|_: &u64, n| n + 2);
        prop_assert_eq!(beyond.partition(&key, n), 2 % n);
    }
}
