//! Cross-process rows: ping-pong between the parent and a forked child over a
//! Unix socket pair, two pipes, a futex word or a spinning word in MAP_SHARED
//! memory, and file-descriptor passing with the sendfd crate.

use std::fs::File;
use std::hint::spin_loop;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU32, Ordering};

use sendfd::{RecvWithFd, SendWithFd};
use shmem::futex;

use super::thread::{Word, W_MAIN, W_PEER, W_STOP};
use super::{byte_echo, byte_round_trip, finish, RowCtx, PING, STOP};
use crate::affinity;
use crate::child::{fork_child, peer_gone};
use crate::measure::{run_loop, Measurement};
use crate::shm::SharedBox;

/// Mask of the spin count: check that the child is still alive every 2^20 spins.
const SPIN_CHECK_MASK: u32 = (1 << 20) - 1;

/// `process-uds-roundtrip[-samecore]`: 1-byte ping-pong over a socket pair.
pub fn uds_roundtrip(ctx: &RowCtx) -> io::Result<Measurement> {
    let _pin = affinity::pin_scoped(ctx.cores.main)?;
    let (a, b) = UnixStream::pair()?;
    let child = fork_child(ctx.cores.peer, move || byte_echo(&mut &b, &mut &b))?;
    let m = run_loop(&ctx.plan, ctx.timing, || byte_round_trip(&mut &a, &mut &a));
    let stop = (&a).write_all(&[STOP]);
    finish(m, stop.and(child.wait()))
}

/// `process-pipe-roundtrip`: 1-byte ping-pong over a pipe each way.
pub fn pipe_roundtrip(ctx: &RowCtx) -> io::Result<Measurement> {
    let _pin = affinity::pin_scoped(ctx.cores.main)?;
    let (down_r, down_w) = nix::unistd::pipe()?;
    let (up_r, up_w) = nix::unistd::pipe()?;
    let (mut down_r, mut up_w) = (File::from(down_r), File::from(up_w));
    let child = fork_child(ctx.cores.peer, move || byte_echo(&mut down_r, &mut up_w))?;
    let (mut down_w, mut up_r) = (File::from(down_w), File::from(up_r));
    let m = run_loop(&ctx.plan, ctx.timing, || {
        byte_round_trip(&mut down_w, &mut up_r)
    });
    let stop = down_w.write_all(&[STOP]);
    finish(m, stop.and(child.wait()))
}

/// `process-shm-futex-roundtrip[-samecore]`: the parent sets the shared word
/// to "peer's turn" and futex-wakes; the child, asleep in futex_wait, sets it
/// back and wakes the parent, asleep in futex_wait in turn. Wakes are issued
/// unconditionally (no waiter tracking), as the simplest futex protocol.
pub fn shm_futex_roundtrip(ctx: &RowCtx) -> io::Result<Measurement> {
    let _pin = affinity::pin_scoped(ctx.cores.main)?;
    let shared = SharedBox::new(Word(AtomicU32::new(W_MAIN)))?;
    let w: &AtomicU32 = &shared.0;
    let child = fork_child(ctx.cores.peer, || loop {
        match w.load(Ordering::Acquire) {
            W_STOP => return Ok(()),
            W_PEER => {
                w.store(W_MAIN, Ordering::Release);
                futex::wake(w, 1);
            }
            v => futex::wait(w, v, None),
        }
    })?;
    let m = run_loop(&ctx.plan, ctx.timing, || {
        w.store(W_PEER, Ordering::Release);
        futex::wake(w, 1);
        loop {
            let v = w.load(Ordering::Acquire);
            if v == W_MAIN {
                return Ok(());
            }
            futex::wait(w, v, None);
        }
    });
    w.store(W_STOP, Ordering::Release);
    futex::wake(w, 1);
    finish(m, child.wait())
}

/// `process-shm-spin-roundtrip`: as the futex row, but both sides busy-poll
/// the shared word and nobody enters the kernel.
pub fn shm_spin_roundtrip(ctx: &RowCtx) -> io::Result<Measurement> {
    let _pin = affinity::pin_scoped(ctx.cores.main)?;
    let shared = SharedBox::new(Word(AtomicU32::new(W_MAIN)))?;
    let w: &AtomicU32 = &shared.0;
    let mut child = fork_child(ctx.cores.peer, || loop {
        match w.load(Ordering::Acquire) {
            W_STOP => return Ok(()),
            W_PEER => w.store(W_MAIN, Ordering::Release),
            _ => spin_loop(),
        }
    })?;
    let m = run_loop(&ctx.plan, ctx.timing, || {
        w.store(W_PEER, Ordering::Release);
        let mut spins = 0u32;
        while w.load(Ordering::Acquire) != W_MAIN {
            spin_loop();
            spins = spins.wrapping_add(1);
            if spins & SPIN_CHECK_MASK == 0 && child.has_exited() {
                return Err(peer_gone());
            }
        }
        Ok(())
    });
    w.store(W_STOP, Ordering::Release);
    finish(m, child.wait())
}

/// Receives one byte and at most one descriptor, taking ownership of it.
fn recv_fd(s: &UnixStream) -> io::Result<(u8, Option<OwnedFd>)> {
    let mut b = [0u8];
    let mut fds: [RawFd; 1] = [-1];
    let (n, nfds) = s.recv_with_fd(&mut b, &mut fds)?;
    // SAFETY: when nfds == 1 the kernel just installed fds[0] in our table
    // for us, and nothing else owns it.
    let fd = (nfds == 1).then(|| unsafe { OwnedFd::from_raw_fd(fds[0]) });
    Ok((if n == 0 { STOP } else { b[0] }, fd))
}

/// `fd-pass-sendfd`: the parent sends a descriptor (of /dev/null) with one
/// byte over a socket pair; the child receives it, sends it back and closes
/// its copy; the parent receives it and closes that copy. One operation is
/// two descriptor passes.
pub fn fd_pass_roundtrip(ctx: &RowCtx) -> io::Result<Measurement> {
    let _pin = affinity::pin_scoped(ctx.cores.main)?;
    let file = File::open("/dev/null")?;
    let (a, b) = UnixStream::pair()?;
    let child = fork_child(ctx.cores.peer, move || loop {
        match recv_fd(&b)? {
            (PING, Some(fd)) => {
                b.send_with_fd(&[PING], &[fd.as_raw_fd()])?;
            }
            (PING, None) => return Err(io::Error::other("ping without a descriptor")),
            _ => return Ok(()),
        }
    })?;
    let m = run_loop(&ctx.plan, ctx.timing, || {
        a.send_with_fd(&[PING], &[file.as_raw_fd()])?;
        match recv_fd(&a)? {
            (PING, Some(_fd)) => Ok(()),
            _ => Err(io::Error::other("descriptor did not come back")),
        }
    });
    let stop = (&a).write_all(&[STOP]);
    finish(m, stop.and(child.wait()))
}
