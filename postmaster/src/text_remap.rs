//! Keeping the server's code mapped in forked backends.
//!
//! fork() copies the page-table entries of anonymous memory, but not those
//! of file-backed read-only mappings such as the executable's code and
//! constants: the kernel lets the child fault them in again, page by page
//! (64 kB at a time with fault-around). A new backend touches megabytes of
//! code on its first query (protocol, parser, planner, executor), so each
//! forked backend pays on the order of a hundred page faults before it
//! answers — a large part of process mode's connection cost.
//!
//! `anonymize_executable` copies the executable's read-only segments into
//! anonymous memory and moves the copies over the originals with mremap(),
//! at the same addresses and with the same protections. The bytes are
//! identical, so the code keeps running; from then on fork() copies those
//! page-table entries and a backend starts with its code already mapped.
//! The price is one copy of the code (shared copy-on-write by every
//! backend, never written) and profilers seeing it as anonymous memory:
//! run with `--keep-file-text` when profiling with perf.

use std::fs;

const HUGE: usize = 2 << 20;

/// A read-only segment of the executable: address range and protection.
struct Segment {
    start: usize,
    end: usize,
    exec: bool,
}

fn executable_segments() -> Vec<Segment> {
    let exe = match fs::read_link("/proc/self/exe") {
        Ok(p) => p,
        Err(_) => return Vec::new(),
    };
    let exe = exe.to_string_lossy().into_owned();
    let maps = fs::read_to_string("/proc/self/maps").unwrap_or_default();
    maps.lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let range = f.next()?;
            let perms = f.next()?;
            let path = f.nth(3)?;
            if path != exe || !(perms == "r-xp" || perms == "r--p") {
                return None;
            }
            let (a, b) = range.split_once('-')?;
            Some(Segment {
                start: usize::from_str_radix(a, 16).ok()?,
                end: usize::from_str_radix(b, 16).ok()?,
                exec: perms == "r-xp",
            })
        })
        .collect()
}

/// Replaces the executable's read-only file mappings by anonymous copies.
/// Returns how many bytes were moved. Must run while the process has a
/// single thread (at postmaster start), since the code being replaced is
/// the code running.
pub fn anonymize_executable() -> std::io::Result<usize> {
    let mut moved = 0;
    for seg in executable_segments() {
        let len = seg.end - seg.start;
        // SAFETY: we map fresh anonymous memory, copy `len` readable bytes
        // from a mapping that /proc/self/maps just listed as readable,
        // give the copy the original's protection, and mremap it exactly
        // over the original range. The content at every address is
        // unchanged before and after, and no other thread exists that
        // could observe the switch.
        unsafe {
            // Over-allocate so that the copy can sit at the same offset
            // within a 2 MB page as the original: transparent huge pages
            // then survive the move, and fork() copies a few PMD entries
            // instead of one entry per 4 kB page.
            let raw = libc::mmap(
                std::ptr::null_mut(),
                len + HUGE,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            );
            if raw == libc::MAP_FAILED {
                return Err(std::io::Error::last_os_error());
            }
            let raw_addr = raw as usize;
            let want = seg.start % HUGE;
            let tmp_addr = raw_addr + (want + HUGE - raw_addr % HUGE) % HUGE;
            let head = tmp_addr - raw_addr;
            if head > 0 {
                libc::munmap(raw, head);
            }
            let tail = HUGE - head;
            if tail > 0 {
                libc::munmap((tmp_addr + len) as *mut libc::c_void, tail);
            }
            let tmp = tmp_addr as *mut libc::c_void;
            libc::madvise(tmp, len, libc::MADV_HUGEPAGE);
            std::ptr::copy_nonoverlapping(seg.start as *const u8, tmp as *mut u8, len);
            let prot = if seg.exec {
                libc::PROT_READ | libc::PROT_EXEC
            } else {
                libc::PROT_READ
            };
            if libc::mprotect(tmp, len, prot) != 0 {
                let e = std::io::Error::last_os_error();
                libc::munmap(tmp, len);
                return Err(e);
            }
            let r = libc::mremap(
                tmp,
                len,
                len,
                libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                seg.start as *mut libc::c_void,
            );
            if r == libc::MAP_FAILED {
                let e = std::io::Error::last_os_error();
                libc::munmap(tmp, len);
                return Err(e);
            }
        }
        moved += len;
    }
    Ok(moved)
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_code_segment() {
        let segs = super::executable_segments();
        let here = finds_the_code_segment as *const () as usize;
        assert!(segs
            .iter()
            .any(|s| s.exec && s.start <= here && here < s.end));
    }
}
