//! Cross-process test of the NOTIFY queue: forked children append
//! batches concurrently while another child listens; the listener, woken
//! by SIGUSR1 from a blocking sleep, sees every batch whole and each
//! notifier's entries in its own order.

use std::sync::atomic::Ordering;
use std::time::Duration;

use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult};
use shmem::notify_queue::signal_slot;
use shmem::segment::{SegmentConfig, SegmentOwner};
use shmem::ExecMode;

extern "C" fn on_usr1(_: libc::c_int) {}

#[test]
fn notifiers_and_a_listener_in_processes() {
    let (_owner, seg) = SegmentOwner::create(
        &SegmentConfig {
            port: 62712,
            max_backends: 4,
            shared_buffers: 0,
            mode: 0,
        },
        shmem::DataDir::open(tempfile::tempdir().unwrap().path()).unwrap(),
    )
    .unwrap();
    let table = seg.backend_table();
    let listener = table.alloc(ExecMode::Process).unwrap();
    seg.notify_queue().listen(listener);
    const PER: usize = 300;
    // SAFETY: the child only uses the segment and its own memory and
    // leaves with _exit.
    let lpid = match unsafe { fork() }.unwrap() {
        ForkResult::Child => {
            // SAFETY: installs a handler that does nothing.
            unsafe { libc::signal(libc::SIGUSR1, on_usr1 as *const () as libc::sighandler_t) };
            table
                .slot(listener)
                .pid
                .store(std::process::id() as i32, Ordering::Release);
            let q = seg.notify_queue();
            let mut next = [0usize; 2];
            let mut ok = true;
            while next.iter().sum::<usize>() < 2 * PER * 2 {
                if !q.has_pending(listener) {
                    // Woken early by the notifiers' SIGUSR1.
                    std::thread::sleep(Duration::from_millis(200));
                    continue;
                }
                for n in q.read(listener) {
                    let who = n.channel.parse::<usize>().unwrap();
                    let want = format!("{}", next[who] / 2);
                    ok &= n.payload == want;
                    next[who] += 1;
                }
            }
            // SAFETY: _exit skips the parent's destructors.
            unsafe { libc::_exit(if ok { 0 } else { 3 }) };
        }
        ForkResult::Parent { child } => child,
    };
    while table.slot(listener).pid.load(Ordering::Acquire) == 0 {
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut kids = Vec::new();
    for who in 0..2usize {
        let me = table.alloc(ExecMode::Process).unwrap();
        // SAFETY: as above.
        match unsafe { fork() }.unwrap() {
            ForkResult::Child => {
                let q = seg.notify_queue();
                for i in 0..PER {
                    let c = who.to_string();
                    let batch = vec![(c.clone(), i.to_string()), (c, i.to_string())];
                    loop {
                        match q.append(100 + who as i32, &batch, me) {
                            Ok(wake) => {
                                for s in wake {
                                    signal_slot(table.slot(s));
                                }
                                break;
                            }
                            Err(_) => std::thread::sleep(Duration::from_millis(1)),
                        }
                    }
                }
                // SAFETY: _exit skips the parent's destructors.
                unsafe { libc::_exit(0) };
            }
            ForkResult::Parent { child } => kids.push(child),
        }
    }
    for k in kids {
        assert_eq!(waitpid(k, None).unwrap(), WaitStatus::Exited(k, 0));
    }
    assert_eq!(waitpid(lpid, None).unwrap(), WaitStatus::Exited(lpid, 0));
}
