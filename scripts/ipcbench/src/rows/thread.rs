//! In-process rows: a std Mutex on one thread, and ping-pong between two
//! threads through a Condvar, a spinning atomic, an mpsc channel and a Unix
//! socket pair.

use std::hint::{black_box, spin_loop};
use std::io::{self, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, Condvar, Mutex, MutexGuard};

use super::{byte_echo, byte_round_trip, finish, with_peer_thread, RowCtx, STOP};
use crate::affinity;
use crate::measure::{run_loop, Measurement};

/// `mutex-uncontended`: lock and unlock a std Mutex nobody else touches.
pub fn mutex_uncontended(ctx: &RowCtx) -> io::Result<Measurement> {
    let _pin = affinity::pin_scoped(ctx.cores.main)?;
    let m = Mutex::new(0u64);
    run_loop(&ctx.plan, ctx.timing, || {
        *black_box(&m).lock().unwrap_or_else(|e| e.into_inner()) += 1;
        Ok(())
    })
}

const MAIN_TURN: u8 = 0;
const PEER_TURN: u8 = 1;
const STOPPED: u8 = 2;

struct Turns {
    turn: Mutex<u8>,
    to_peer: Condvar,
    to_main: Condvar,
}

impl Turns {
    fn lock(&self) -> MutexGuard<'_, u8> {
        self.turn.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// `thread-condvar-roundtrip`: hand the turn over under a Mutex, signal the
/// peer's Condvar, sleep on ours until it hands the turn back.
pub fn condvar_roundtrip(ctx: &RowCtx) -> io::Result<Measurement> {
    let t = Turns {
        turn: Mutex::new(MAIN_TURN),
        to_peer: Condvar::new(),
        to_main: Condvar::new(),
    };
    let peer = || {
        let mut g = t.lock();
        loop {
            while *g == MAIN_TURN {
                g = t.to_peer.wait(g).unwrap_or_else(|e| e.into_inner());
            }
            if *g == STOPPED {
                return Ok(());
            }
            *g = MAIN_TURN;
            t.to_main.notify_one();
        }
    };
    with_peer_thread(ctx.cores, peer, || {
        let m = run_loop(&ctx.plan, ctx.timing, || {
            let mut g = t.lock();
            *g = PEER_TURN;
            t.to_peer.notify_one();
            while *g != MAIN_TURN {
                g = t.to_main.wait(g).unwrap_or_else(|e| e.into_inner());
            }
            Ok(())
        });
        *t.lock() = STOPPED;
        t.to_peer.notify_one();
        m
    })
}

/// A word alone on its cache line (two lines, against adjacent prefetch).
#[repr(C, align(128))]
pub struct Word(pub AtomicU32);

pub const W_MAIN: u32 = 0;
pub const W_PEER: u32 = 1;
pub const W_STOP: u32 = 2;

/// `thread-spin-roundtrip`: flip one atomic word back and forth, each side
/// busy-polling for its turn.
pub fn spin_roundtrip(ctx: &RowCtx) -> io::Result<Measurement> {
    let w = Word(AtomicU32::new(W_MAIN));
    let peer = || loop {
        let v = w.0.load(Ordering::Acquire);
        if v == W_STOP {
            return Ok(());
        }
        if v == W_PEER {
            w.0.store(W_MAIN, Ordering::Release);
        } else {
            spin_loop();
        }
    };
    with_peer_thread(ctx.cores, peer, || {
        let m = run_loop(&ctx.plan, ctx.timing, || {
            w.0.store(W_PEER, Ordering::Release);
            while w.0.load(Ordering::Acquire) != W_MAIN {
                spin_loop();
            }
            Ok(())
        });
        w.0.store(W_STOP, Ordering::Release);
        m
    })
}

/// `thread-channel-roundtrip`: send a unit on one mpsc channel, receive the
/// reply on another.
pub fn channel_roundtrip(ctx: &RowCtx) -> io::Result<Measurement> {
    let (to_peer, from_main) = mpsc::channel::<()>();
    let (to_main, from_peer) = mpsc::channel::<()>();
    let peer = move || {
        while from_main.recv().is_ok() {
            if to_main.send(()).is_err() {
                break;
            }
        }
        Ok(())
    };
    with_peer_thread(ctx.cores, peer, move || {
        let m = run_loop(&ctx.plan, ctx.timing, || {
            to_peer
                .send(())
                .map_err(|_| io::Error::other("channel peer gone"))?;
            from_peer
                .recv()
                .map_err(|_| io::Error::other("channel peer gone"))
        });
        // Dropping the sender ends the peer's loop.
        drop(to_peer);
        m
    })
}

/// `thread-uds-roundtrip[-samecore]`: 1-byte ping-pong over a socket pair.
pub fn uds_roundtrip(ctx: &RowCtx) -> io::Result<Measurement> {
    let (a, b) = UnixStream::pair()?;
    let peer = move || byte_echo(&mut &b, &mut &b);
    with_peer_thread(ctx.cores, peer, || {
        let m = run_loop(&ctx.plan, ctx.timing, || byte_round_trip(&mut &a, &mut &a));
        finish(m, (&a).write_all(&[STOP]))
    })
}
