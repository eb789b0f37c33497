//! WAL segment files and the control file.
//!
//! The stream is cut into [`SEG_SIZE`] files, `DATADIR/pg_wal/<segment
//! number, 16 hex digits>`; position `p` is at offset `p % SEG_SIZE` of
//! segment `p / SEG_SIZE`. A segment is created whole, zero-filled and
//! fsynced (so that fdatasync after a write never has to change the file's
//! size), under a temporary name and then linked in place, which fails
//! rather than replaces if the segment exists. After a checkpoint, segments
//! wholly before its redo point are renamed to future segment numbers for
//! reuse (their stale records carry other positions, so a reader rejects
//! them).
//!
//! `DATADIR/global/pg_control` records the last checkpoint: written to a
//! temporary file, fsynced, renamed, the directory fsynced.
//!
//! [`WalFiles`] is one data directory's, part of the server's
//! [`DataDir`](crate::datadir::DataDir). Open segment files are cached in
//! it per process (process-local memory, so `std::sync` is right here);
//! the postmaster forks with no other thread inside this module.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Lsn, WalError, SEG_SIZE};

/// Recycled segments kept for reuse, beyond which old ones are removed.
const KEEP_RECYCLED: usize = 8;

/// The WAL segment files of one data directory, and this process's open
/// descriptors of the few around the write position. Part of the server's
/// [`DataDir`](crate::datadir::DataDir); the [`Wal`](super::Wal) handle
/// reaches it through the segment.
pub struct WalFiles {
    /// `DATADIR`.
    data_dir: PathBuf,
    /// `DATADIR/pg_wal`.
    dir: PathBuf,
    open: Mutex<BTreeMap<u64, Arc<File>>>,
}

fn mkdir(p: &Path) -> Result<(), WalError> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(p)
        .map_err(|e| WalError::io(format!("could not create directory \"{}\"", p.display()), e))
}

pub fn seg_name(seg: u64) -> String {
    format!("{seg:016X}")
}

fn display(seg: u64) -> String {
    format!("pg_wal/{}", seg_name(seg))
}

/// Creates (or empties) a file only the server's user may read.
fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

fn fsync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// Creates segment `seg`, zero-filled and durable, unless it exists.
fn create_segment(dir: &Path, seg: u64) -> Result<(), WalError> {
    let path = dir.join(seg_name(seg));
    if path.exists() {
        return Ok(());
    }
    // Unique per process and call: threads of one process (the WAL writer
    // and a backend in thread mode) may create the same segment at once.
    static TMP: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = TMP.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!("xlogtemp.{}.{n}", std::process::id()));
    let err = |e| WalError::io(format!("could not create file \"{}\"", display(seg)), e);
    let mut f = create_private(&tmp).map_err(err)?;
    let zeros = vec![0u8; 1 << 20];
    let r = (|| {
        for _ in 0..SEG_SIZE / zeros.len() as u64 {
            f.write_all(&zeros)?;
        }
        f.sync_all()
    })();
    if let Err(e) = r {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    drop(f);
    let linked = std::fs::hard_link(&tmp, &path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(err(e)),
    }
    fsync_dir(dir).map_err(err)
}

fn segments(dir: &Path) -> Result<Vec<u64>, WalError> {
    let rd = std::fs::read_dir(dir)
        .map_err(|e| WalError::io(format!("could not open directory \"{}\"", dir.display()), e))?;
    let mut v: Vec<u64> = rd
        .flatten()
        .filter_map(|e| {
            let n = e.file_name();
            let n = n.to_str()?;
            (n.len() == 16)
                .then(|| u64::from_str_radix(n, 16).ok())
                .flatten()
        })
        .collect();
    v.sort_unstable();
    Ok(v)
}

impl WalFiles {
    /// The WAL files of `data_dir` (nothing is created before [`Self::reset`]).
    pub(crate) fn new(data_dir: &Path) -> WalFiles {
        WalFiles {
            data_dir: data_dir.to_path_buf(),
            dir: data_dir.join("pg_wal"),
            open: Mutex::new(BTreeMap::new()),
        }
    }

    fn files(&self) -> MutexGuard<'_, BTreeMap<u64, Arc<File>>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// At start-up and after a crash reset: creates `pg_wal/` and `global/`
    /// if missing, and closes every segment this process has open.
    pub fn reset(&self) -> Result<(), WalError> {
        mkdir(&self.dir)?;
        mkdir(&self.data_dir.join("global"))?;
        self.files().clear();
        Ok(())
    }

    /// The open file of segment `seg`, created if missing.
    fn segment(&self, seg: u64) -> Result<Arc<File>, WalError> {
        if let Some(f) = self.files().get(&seg) {
            return Ok(f.clone());
        }
        let dir = &self.dir;
        create_segment(dir, seg)?;
        let f = OpenOptions::new()
            .read(true)
            .write(true)
            .open(dir.join(seg_name(seg)))
            .map_err(|e| WalError::io(format!("could not open file \"{}\"", display(seg)), e))?;
        let f = Arc::new(f);
        let mut fs = self.files();
        // Keep the few segments around the write position open.
        while fs.len() >= 4 {
            fs.pop_first();
        }
        fs.insert(seg, f.clone());
        Ok(f)
    }

    /// Writes `bytes` at position `pos` (within one segment).
    pub(crate) fn write(&self, pos: Lsn, bytes: &[u8]) -> Result<(), WalError> {
        let seg = pos / SEG_SIZE;
        debug_assert!((pos % SEG_SIZE) as usize + bytes.len() <= SEG_SIZE as usize);
        self.segment(seg)?
            .write_all_at(bytes, pos % SEG_SIZE)
            .map_err(|e| {
                WalError::io(
                    format!(
                        "could not write to file \"{}\" at offset {}",
                        display(seg),
                        pos % SEG_SIZE
                    ),
                    e,
                )
            })
    }

    /// fdatasync of the segments holding [from, to).
    pub(crate) fn sync_range(&self, from: Lsn, to: Lsn) -> Result<(), WalError> {
        if to <= from {
            return Ok(());
        }
        for seg in from / SEG_SIZE..=(to - 1) / SEG_SIZE {
            self.segment(seg)?.sync_data().map_err(|e| {
                WalError::io(format!("could not fsync file \"{}\"", display(seg)), e)
            })?;
        }
        Ok(())
    }

    /// Creates the segment after the one holding `pos` ahead of need, so that
    /// a committer rarely waits for a segment to be zero-filled.
    pub fn prepare_next(&self, pos: Lsn) -> Result<(), WalError> {
        create_segment(&self.dir, pos / SEG_SIZE + 1)
    }

    /// Reads up to `buf.len()` bytes at `pos` (for recovery; stops at the end
    /// of the segment). 0 means the segment does not exist.
    pub fn read_at(&self, pos: Lsn, buf: &mut [u8]) -> Result<usize, WalError> {
        let seg = pos / SEG_SIZE;
        let path = self.dir.join(seg_name(seg));
        let f = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
            Err(e) => {
                return Err(WalError::io(
                    format!("could not open file \"{}\"", display(seg)),
                    e,
                ))
            }
        };
        let n = buf.len().min((SEG_SIZE - pos % SEG_SIZE) as usize);
        let mut done = 0;
        while done < n {
            match f.read_at(&mut buf[done..n], pos % SEG_SIZE + done as u64) {
                Ok(0) => break,
                Ok(k) => done += k,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(WalError::io(
                        format!("could not read file \"{}\"", display(seg)),
                        e,
                    ))
                }
            }
        }
        Ok(done)
    }

    /// After a checkpoint with redo point `redo`: segments wholly before it are
    /// renamed to future numbers for reuse (a few) or removed. Returns
    /// (recycled, removed).
    pub fn recycle_before(&self, redo: Lsn) -> Result<(usize, usize), WalError> {
        let dir = &self.dir;
        let all = segments(dir)?;
        let cutoff = redo / SEG_SIZE;
        let mut next_free = all.last().map_or(cutoff, |&s| s.max(cutoff)) + 1;
        let future = all.iter().filter(|&&s| s > cutoff).count();
        let (mut recycled, mut removed) = (0, 0);
        for &seg in all.iter().filter(|&&s| s < cutoff) {
            let from = dir.join(seg_name(seg));
            self.files().remove(&seg);
            if future + recycled < KEEP_RECYCLED
                && std::fs::hard_link(&from, dir.join(seg_name(next_free))).is_ok()
            {
                next_free += 1;
                recycled += 1;
            } else {
                removed += 1;
            }
            std::fs::remove_file(&from).map_err(|e| {
                WalError::io(format!("could not remove file \"{}\"", display(seg)), e)
            })?;
        }
        fsync_dir(dir).map_err(|e| WalError::io("could not fsync pg_wal", e))?;
        Ok((recycled, removed))
    }

    /// At the end of recovery, where the valid WAL ends at `end`: zeroes the
    /// rest of its segment and removes later segments, so that nothing written
    /// before the crash past the end can ever be read as valid again.
    pub fn truncate_after(&self, end: Lsn) -> Result<(), WalError> {
        let dir = &self.dir;
        let seg = end / SEG_SIZE;
        self.files().clear();
        let f = self.segment(seg)?;
        let off = end % SEG_SIZE;
        let zeros = vec![0u8; 1 << 20];
        let mut at = off;
        while at < SEG_SIZE {
            let n = (SEG_SIZE - at).min(zeros.len() as u64) as usize;
            f.write_all_at(&zeros[..n], at).map_err(|e| {
                WalError::io(format!("could not write file \"{}\"", display(seg)), e)
            })?;
            at += n as u64;
        }
        f.sync_data()
            .map_err(|e| WalError::io(format!("could not fsync file \"{}\"", display(seg)), e))?;
        for s in segments(dir)?.into_iter().filter(|&s| s > seg) {
            std::fs::remove_file(dir.join(seg_name(s))).map_err(|e| {
                WalError::io(format!("could not remove file \"{}\"", display(s)), e)
            })?;
        }
        fsync_dir(dir).map_err(|e| WalError::io("could not fsync pg_wal", e))
    }
}

/// The cluster's state as the control file records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbState {
    /// Shut down cleanly: the last checkpoint is the end of the WAL.
    ShutDown = 1,
    /// Running (or crashed while running).
    InProduction = 2,
    /// Recovery was under way (and crashed, if still so at start-up).
    InCrashRecovery = 3,
}

/// `global/pg_control`: where recovery starts.
#[derive(Clone, Copy, Debug)]
pub struct ControlFile {
    pub state: DbState,
    /// The last checkpoint record.
    pub checkpoint: Lsn,
    /// Its redo point: replay starts here.
    pub redo: Lsn,
    pub next_xid: u32,
    pub time_us: u64,
}

const CONTROL_MAGIC: u64 = 0x314C_5254_4346_4750; // "PGFCTRL1"
const CONTROL_LEN: usize = 48;

impl ControlFile {
    fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("global").join("pg_control")
    }

    fn encode(&self) -> [u8; CONTROL_LEN] {
        let mut b = [0u8; CONTROL_LEN];
        b[0..8].copy_from_slice(&CONTROL_MAGIC.to_le_bytes());
        b[8..12].copy_from_slice(&(self.state as u32).to_le_bytes());
        b[12..16].copy_from_slice(&self.next_xid.to_le_bytes());
        b[16..24].copy_from_slice(&self.checkpoint.to_le_bytes());
        b[24..32].copy_from_slice(&self.redo.to_le_bytes());
        b[32..40].copy_from_slice(&self.time_us.to_le_bytes());
        let crc = crc32fast::hash(&b[..40]);
        b[40..44].copy_from_slice(&crc.to_le_bytes());
        b
    }

    /// The control file of `data_dir`; `None` if there is none (a new
    /// cluster).
    pub fn read(data_dir: &Path) -> Result<Option<ControlFile>, WalError> {
        let path = Self::path(data_dir);
        let b = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(WalError::io(
                    format!("could not read file \"{}\"", path.display()),
                    e,
                ))
            }
        };
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().unwrap_or_default());
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().unwrap_or_default());
        if b.len() != CONTROL_LEN
            || u64_at(0) != CONTROL_MAGIC
            || crc32fast::hash(&b[..40]) != u32_at(40)
        {
            return Err(WalError::Corrupt(format!(
                "control file \"{}\" is corrupt (bad length, magic or CRC)",
                path.display()
            )));
        }
        let state = match u32_at(8) {
            1 => DbState::ShutDown,
            2 => DbState::InProduction,
            3 => DbState::InCrashRecovery,
            s => {
                return Err(WalError::Corrupt(format!(
                    "control file has an unknown state {s}"
                )))
            }
        };
        Ok(Some(ControlFile {
            state,
            next_xid: u32_at(12),
            checkpoint: u64_at(16),
            redo: u64_at(24),
            time_us: u64_at(32),
        }))
    }

    /// Writes the control file durably.
    pub fn write(&self, data_dir: &Path) -> Result<(), WalError> {
        let path = Self::path(data_dir);
        let tmp = path.with_extension("tmp");
        let err = |e| WalError::io(format!("could not write file \"{}\"", path.display()), e);
        let mut f = create_private(&tmp).map_err(err)?;
        f.write_all(&self.encode()).map_err(err)?;
        f.sync_all().map_err(err)?;
        std::fs::rename(&tmp, &path).map_err(err)?;
        fsync_dir(path.parent().unwrap_or(data_dir)).map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_file_roundtrip_and_corruption() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("global")).unwrap();
        assert!(ControlFile::read(dir.path()).unwrap().is_none());
        let c = ControlFile {
            state: DbState::InProduction,
            checkpoint: 0x1_0000_0040,
            redo: 0x1_0000_0000,
            next_xid: 77,
            time_us: 5,
        };
        c.write(dir.path()).unwrap();
        let back = ControlFile::read(dir.path()).unwrap().unwrap();
        assert_eq!(
            (back.state, back.checkpoint, back.redo, back.next_xid),
            (DbState::InProduction, c.checkpoint, c.redo, 77)
        );
        let p = dir.path().join("global/pg_control");
        let mut b = std::fs::read(&p).unwrap();
        b[20] ^= 0xff;
        std::fs::write(&p, b).unwrap();
        assert!(ControlFile::read(dir.path()).is_err());
    }
}
