//! A fast, non-cryptographic hasher for backend-local hash maps on the
//! per-query path (open relation files, pending relation statistics, the
//! session's prepared statements and portals, plan caches).
//!
//! std's default `SipHash-1-3` costs ~100 instructions for a short key;
//! this is the multiply-rotate hash rustc uses (`FxHasher`), a few
//! instructions per 8 bytes. It gives no protection against keys chosen to
//! collide, so it is only for maps whose keys come from the server itself
//! or from one session's own client (who could only slow its own session).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The hasher: `hash = (hash.rotate_left(5) ^ word) * SEED` per word.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, mut bytes: &[u8]) {
        while bytes.len() >= 8 {
            let (word, rest) = bytes.split_at(8);
            self.add(u64::from_le_bytes(word.try_into().expect("8 bytes")));
            bytes = rest;
        }
        if bytes.len() >= 4 {
            let (word, rest) = bytes.split_at(4);
            self.add(u32::from_le_bytes(word.try_into().expect("4 bytes")) as u64);
            bytes = rest;
        }
        for &b in bytes {
            self.add(b as u64);
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(i as u64);
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Builds [`FxHasher`]s (no per-map random state).
pub type FxBuildHasher = BuildHasherDefault<FxHasher>;

/// A `HashMap` hashed with [`FxHasher`]; make one with `default()`.
pub type FxHashMap<K, V> = HashMap<K, V, FxBuildHasher>;

/// A `HashSet` hashed with [`FxHasher`]; make one with `default()`.
pub type FxHashSet<K> = HashSet<K, FxBuildHasher>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash<T: Hash>(t: &T) -> u64 {
        FxBuildHasher::default().hash_one(t)
    }

    #[test]
    fn equal_keys_hash_equal_and_different_keys_differ() {
        assert_eq!(hash(&"P0_1"), hash(&String::from("P0_1")));
        assert_ne!(hash(&"P0_1"), hash(&"P0_2"));
        assert_ne!(hash(&""), hash(&"a"));
        // Every tail length (8-byte words, a 4-byte word, single bytes).
        let s = "abcdefghijklmnopq";
        let all: HashSet<u64> = (0..=s.len()).map(|n| hash(&&s[..n])).collect();
        assert_eq!(all.len(), s.len() + 1);
        assert_ne!(hash(&1u32), hash(&2u32));
    }

    #[test]
    fn maps_work_with_it() {
        let mut m: FxHashMap<String, u32> = FxHashMap::default();
        for i in 0..1000 {
            m.insert(format!("stmt{i}"), i);
        }
        assert!((0..1000).all(|i| m[&format!("stmt{i}")] == i));
    }
}
