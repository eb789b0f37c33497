//! Where the catalog lives: tuples of catalog relations in heap pages,
//! read and written through the shared buffer cache, under MVCC, logged
//! in the WAL like every table page (and so recovered after a crash).
//!
//! Each database has one catalog relation (relation number = the
//! database's OID: `base/<dboid>`), and the cluster has one shared
//! catalog relation ([`SHARED_CATALOG_REL`], PostgreSQL's pg_database
//! number). A relation holds one *entry* per catalog object: the object's
//! lines of the catalog's text form (`Catalog::serialize_local` and
//! `serialize_shared`: a table's `table` line and its `column` lines, an
//! index's line, a comment's line, ...), keyed by the object's kind and
//! identifying numbers ([`EntryKey`]). An entry longer than a tuple may
//! be is stored as several chunk tuples (PostgreSQL would TOAST it).
//!
//! A DDL statement writes the entries that differ between the catalog it
//! started from and the one it made: the old versions' tuples get the
//! transaction's xmax, the new ones are inserted with its xid (that of
//! the savepoint level it runs in), so they commit, abort or roll back to
//! a savepoint with it. Readers see an entry's tuple when its inserting
//! transaction committed and its deleting one did not, by the commit log
//! alone (PostgreSQL's catalog snapshot: the latest committed state, not
//! the transaction's snapshot); a committing change holds the catalog
//! lock exclusively around its commit-log update, and readers hold it
//! shared while they scan, so a reader sees all of a change or none.
//!
//! The page access itself is the access layer's (it knows the heap page
//! format; this layer sits below it): it installs an [`EntryStore`] at
//! start, which this module reaches through [`store`].

use std::collections::BTreeMap;
use std::sync::OnceLock;

use shmem::Segment;

use crate::error::{sqlstate, PgError, PgResult};

/// The shared catalog's relation (pg_database's OID in PostgreSQL).
pub const SHARED_CATALOG_REL: u32 = 1262;

/// Who writes catalog tuples: the transaction's own xids, the xid the
/// tuples are stamped with (the current savepoint level's) and a command
/// number of the catalog's own, growing with each write in the
/// transaction (so that a write may delete what an earlier one inserted).
#[derive(Clone, Debug, Default)]
pub struct WriteCtx {
    pub top: u32,
    pub subs: Vec<u32>,
    pub xid: u32,
    pub cid: u32,
}

/// A tuple's address, packed (block << 16 | line pointer).
pub type Tid = u64;

/// Tuple access for catalog relations, implemented by the access layer.
pub trait EntryStore: Sync {
    /// Every tuple of `rel` whose inserting transaction committed and
    /// whose deleting transaction (if any) did not, with its address.
    fn scan_committed(&self, seg: &Segment, rel: u32) -> PgResult<Vec<(Tid, Vec<u8>)>>;
    /// Inserts a tuple stamped with the writer's xid.
    fn insert(&self, seg: &Segment, rel: u32, data: &[u8], w: &WriteCtx) -> PgResult<Tid>;
    /// Stamps the tuple at `tid` as deleted by the writer.
    fn delete(&self, seg: &Segment, rel: u32, tid: Tid, w: &WriteCtx) -> PgResult<()>;
    /// Removes the tuples no transaction can see any more from every
    /// page of `rel`, and points its inserts at the first page with
    /// room.
    fn vacuum(&self, seg: &Segment, rel: u32) -> PgResult<()>;
}

static STORE: OnceLock<&'static dyn EntryStore> = OnceLock::new();

/// Installs the tuple access (once per process; later calls keep the
/// first).
pub fn install(s: &'static dyn EntryStore) {
    let _ = STORE.set(s);
}

fn store() -> PgResult<&'static dyn EntryStore> {
    STORE
        .get()
        .copied()
        .ok_or_else(|| PgError::internal("the catalog's tuple access is not installed"))
}

/// One field of an entry's key: a number, or a word (an ACL's class).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyPart {
    Num(i64),
    Word(String),
}

/// An entry's key: the rank of its kind (the order of the text form)
/// and the numbers that identify the object among those of its kind.
/// Entries sorted by key give back the text form's order, objects of a
/// kind in OID order (their creation order).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct EntryKey {
    rank: usize,
    parts: Vec<KeyPart>,
}

/// The kinds of head lines, in the order of the text form, with the
/// number of fields after the kind that identify the object.
const HEADS: &[(&str, usize)] = &[
    ("next_oid", 0),
    ("namespace", 1),
    ("table", 1),
    ("index", 1),
    ("view", 1),
    ("matview", 1),
    ("sequence", 1),
    ("constraint", 1),
    ("enum", 1),
    ("domain", 1),
    ("coldomain", 2),
    ("comptype", 1),
    ("function", 1),
    ("trigger", 1),
    ("attrdef", 2),
    ("viewpath", 1),
    ("rule", 1),
    ("rowtype", 1),
    ("comment", 3),
    ("relnamespace", 1),
    ("owner", 1),
    ("role", 1),
    ("member", 2),
    ("acl", 2),
    ("database", 1),
    ("dbrolesetting", 2),
    ("shcomment", 2),
];

/// Lines that belong to the head line before them.
const CONTINUATIONS: &[&str] = &[
    "column",
    "viewcolumn",
    "viewdef",
    "viewupdate",
    "viewcheck",
    "viewdefault",
    "matviewdef",
    "enumlabel",
    "compattr",
    "funcarg",
];

fn corrupt(msg: String) -> PgError {
    PgError::new(sqlstate::DATA_CORRUPTED, msg)
}

impl EntryKey {
    /// The key of the entry a head line starts (None: not a head line).
    fn of_line(line: &str) -> Option<EntryKey> {
        let mut f = line.split(' ');
        let kind = f.next()?;
        let (rank, n) = HEADS
            .iter()
            .enumerate()
            .find(|(_, (k, _))| *k == kind)
            .map(|(i, (_, n))| (i, *n))?;
        let parts: Vec<KeyPart> = f
            .take(n)
            .map(|p| match p.parse::<i64>() {
                Ok(v) => KeyPart::Num(v),
                Err(_) => KeyPart::Word(p.to_owned()),
            })
            .collect();
        (parts.len() == n).then_some(EntryKey { rank, parts })
    }

    /// The entry of the OID counter (`next_oid`).
    pub fn is_oid_counter(&self) -> bool {
        self.rank == 0
    }

    /// The key's text (as stored in each of the entry's tuples).
    fn text(&self) -> String {
        let mut s = HEADS[self.rank].0.to_owned();
        for p in &self.parts {
            s.push(' ');
            match p {
                KeyPart::Num(v) => s += &v.to_string(),
                KeyPart::Word(w) => s += w,
            }
        }
        s
    }
}

/// Splits a catalog text form (without its header line) into entries.
pub fn split(body: &str) -> PgResult<BTreeMap<EntryKey, String>> {
    let mut out: BTreeMap<EntryKey, String> = BTreeMap::new();
    let mut current: Option<(EntryKey, String)> = None;
    for line in body.lines().filter(|l| !l.is_empty()) {
        let kind = line.split(' ').next().unwrap_or("");
        if CONTINUATIONS.contains(&kind) {
            let Some((_, text)) = current.as_mut() else {
                return Err(corrupt(format!(
                    "catalog line without its object: \"{line}\""
                )));
            };
            text.push_str(line);
            text.push('\n');
            continue;
        }
        let key = EntryKey::of_line(line)
            .ok_or_else(|| corrupt(format!("invalid catalog line: \"{line}\"")))?;
        if let Some((k, t)) = current.take() {
            out.insert(k, t);
        }
        if out.contains_key(&key) {
            return Err(corrupt(format!("catalog object listed twice: \"{line}\"")));
        }
        current = Some((key, format!("{line}\n")));
    }
    if let Some((k, t)) = current {
        out.insert(k, t);
    }
    Ok(out)
}

/// An entry as stored: its text and the tuples holding it, in chunk
/// order.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
    pub text: String,
    pub tids: Vec<Tid>,
}

/// The entries of one catalog relation.
pub type Entries = BTreeMap<EntryKey, Stored>;

/// Bytes of entry text per tuple (a tuple holds at most about 8 kB).
const CHUNK: usize = 7000;

/// A tuple: key text, NUL, chunk number and count (u16 LE each), bytes.
fn encode(key: &str, i: usize, n: usize, bytes: &[u8]) -> Vec<u8> {
    let mut t = Vec::with_capacity(key.len() + 5 + bytes.len());
    t.extend_from_slice(key.as_bytes());
    t.push(0);
    t.extend_from_slice(&(i as u16).to_le_bytes());
    t.extend_from_slice(&(n as u16).to_le_bytes());
    t.extend_from_slice(bytes);
    t
}

/// A tuple's key text, chunk number and count, and where its bytes start.
fn decode(t: &[u8]) -> Option<(&str, usize, usize, usize)> {
    let z = t.iter().position(|&b| b == 0)?;
    let key = std::str::from_utf8(&t[..z]).ok()?;
    let rest = t.get(z + 1..z + 5)?;
    let i = u16::from_le_bytes(rest[0..2].try_into().ok()?) as usize;
    let n = u16::from_le_bytes(rest[2..4].try_into().ok()?) as usize;
    Some((key, i, n, z + 5))
}

/// One chunk tuple of an entry: its address and bytes.
type Chunk = (Tid, Vec<u8>);

/// The committed entries of catalog relation `rel` (empty when it has no
/// file yet).
pub fn read(seg: &Segment, rel: u32) -> PgResult<Entries> {
    if !seg.data_dir().smgr().exists(rel).map_err(PgError::from)? {
        return Ok(Entries::new());
    }
    let mut chunks: BTreeMap<EntryKey, Vec<Option<Chunk>>> = BTreeMap::new();
    for (tid, mut data) in store()?.scan_committed(seg, rel)? {
        let bad = || corrupt(format!("invalid catalog tuple in relation base/{rel}"));
        let (key, i, n, start) = decode(&data).ok_or_else(bad)?;
        let key = EntryKey::of_line(key).ok_or_else(bad)?;
        let v = chunks.entry(key).or_insert_with(|| vec![None; n]);
        if v.len() != n || i >= n || v[i].is_some() {
            return Err(bad());
        }
        data.drain(..start);
        v[i] = Some((tid, data));
    }
    let mut out = Entries::new();
    for (key, parts) in chunks {
        let mut bytes = Vec::new();
        let mut tids = Vec::new();
        for p in parts {
            let (tid, b) = p.ok_or_else(|| {
                corrupt(format!(
                    "catalog entry \"{}\" of relation base/{rel} is missing a chunk",
                    key.text()
                ))
            })?;
            tids.push(tid);
            if bytes.is_empty() {
                bytes = b;
            } else {
                bytes.extend_from_slice(&b);
            }
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| corrupt(format!("catalog entry \"{}\" is not UTF-8", key.text())))?;
        out.insert(key, Stored { text, tids });
    }
    Ok(out)
}

/// Makes catalog relation `rel` hold `new` where it holds `old` (what the
/// last read or write returned): deletes the tuples of entries that
/// changed or went, inserts those that changed or came. Returns the new
/// entries with their tuples.
pub fn write(
    seg: &Segment,
    rel: u32,
    old: &Entries,
    new: BTreeMap<EntryKey, String>,
    w: &WriteCtx,
) -> PgResult<Entries> {
    let s = store()?;
    if old.is_empty() && !seg.data_dir().smgr().exists(rel).map_err(PgError::from)? {
        seg.buffer_pool()
            .create_relation(rel)
            .map_err(PgError::from)?;
    } else if needs_vacuum(seg, rel, old)? {
        s.vacuum(seg, rel)?;
    }
    for (key, stored) in old {
        if new.get(key) != Some(&stored.text) {
            for &tid in &stored.tids {
                s.delete(seg, rel, tid, w)?;
            }
        }
    }
    let mut out = Entries::new();
    for (key, text) in new {
        if let Some(stored) = old.get(&key).filter(|s| s.text == text) {
            out.insert(key, stored.clone());
            continue;
        }
        let k = key.text();
        let bytes = text.as_bytes();
        let n = bytes.len().div_ceil(CHUNK).max(1);
        if n > u16::MAX as usize {
            return Err(PgError::new(
                sqlstate::PROGRAM_LIMIT_EXCEEDED,
                format!("catalog entry \"{k}\" is too long"),
            ));
        }
        let mut tids = Vec::with_capacity(n);
        for i in 0..n {
            let part = &bytes[(i * CHUNK).min(bytes.len())..((i + 1) * CHUNK).min(bytes.len())];
            tids.push(s.insert(seg, rel, &encode(&k, i, n, part), w)?);
        }
        out.insert(key, Stored { text, tids });
    }
    Ok(out)
}

/// Whether `rel` has grown well past what its entries need: every change
/// leaves the old versions of the entries it rewrote, which only become
/// reusable space once pruned (catalog relations have no autovacuum).
/// Once vacuumed at some size, a relation is vacuumed again only when it
/// has grown by [`VACUUM_STEP`] pages more (what the vacuum could not
/// free is still visible to some transaction).
fn needs_vacuum(seg: &Segment, rel: u32, entries: &Entries) -> PgResult<bool> {
    let live: usize = entries.values().map(|e| e.text.len() + 64).sum();
    let pages = seg.buffer_pool().nblocks(rel).map_err(PgError::from)?;
    if (pages as usize) <= VACUUM_STEP as usize + 2 * live.div_ceil(shmem::buffer::BLCKSZ) {
        return Ok(false);
    }
    let mut last = LAST_VACUUM.lock().unwrap_or_else(|e| e.into_inner());
    let at = last.entry(rel).or_insert(0);
    if pages < *at + VACUUM_STEP {
        return Ok(false);
    }
    *at = pages;
    Ok(true)
}

/// Pages a catalog relation grows by between two vacuums (each
/// extension past the threshold: a vacuum reads every page, and catalog
/// relations are small).
const VACUUM_STEP: u32 = 1;

/// The size of each catalog relation at its last vacuum by this process
/// (process memory: a rough pacing, not shared state).
static LAST_VACUUM: std::sync::Mutex<BTreeMap<u32, u32>> = std::sync::Mutex::new(BTreeMap::new());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_groups_lines_and_orders_by_key() {
        let body = "next_oid 16400\ntable 16390 100 b\ncolumn x 23 -1 0 \\N\ntable 16384 100 a\ncolumn y 25 -1 0 \\N\ncolumn z 25 -1 0 \\N\nacl r 16384 10:10:arwdDxt:0\ncomment 1259 16384 0 hi\n";
        let e = split(body).unwrap();
        let texts: Vec<&str> = e.values().map(String::as_str).collect();
        assert_eq!(
            texts,
            vec![
                "next_oid 16400\n",
                "table 16384 100 a\ncolumn y 25 -1 0 \\N\ncolumn z 25 -1 0 \\N\n",
                "table 16390 100 b\ncolumn x 23 -1 0 \\N\n",
                "comment 1259 16384 0 hi\n",
                "acl r 16384 10:10:arwdDxt:0\n",
            ]
        );
        let keys: Vec<String> = e.keys().map(EntryKey::text).collect();
        assert_eq!(keys[1], "table 16384");
        assert_eq!(keys[4], "acl r 16384");
        assert!(split("column x 23 -1 0 \\N\n").is_err());
        assert!(split("nonsense 1\n").is_err());
        assert!(split("table 1 100 a\ntable 1 100 b\n").is_err());
    }

    #[test]
    fn tuples_round_trip() {
        let t = encode("table 16384", 2, 3, b"abc");
        let (key, i, n, start) = decode(&t).unwrap();
        assert_eq!((key, i, n, &t[start..]), ("table 16384", 2, 3, &b"abc"[..]));
        assert_eq!(decode(b"no nul"), None);
    }
}
