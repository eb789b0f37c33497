//! The few epoll(7) and eventfd(2) calls pool mode needs, through libc,
//! each behind a safe function: an epoll set of client sockets (one-shot,
//! so that a readable socket is reported once and its session taken up by
//! exactly one carrier), and eventfds that wake a carrier waiting in that
//! set or the I/O thread.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// An epoll instance.
pub struct Epoll {
    fd: OwnedFd,
}

/// What `epoll_pwait` returned.
pub enum Waited {
    /// This many events were filled in.
    Events(usize),
    /// A signal arrived (SIGUSR1: an interrupt or a notification for a
    /// session without a carrier).
    Interrupted,
}

impl Epoll {
    pub fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 has no memory preconditions.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just created and is owned by nobody else.
        Ok(Epoll {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    fn ctl(&self, op: i32, fd: RawFd, events: u32, token: u64) -> io::Result<()> {
        let mut ev = libc::epoll_event { events, u64: token };
        // SAFETY: `ev` is a valid epoll_event for the duration of the call.
        let r = unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), op, fd, &mut ev) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Watches `fd` for input once (EPOLLONESHOT), adding it to the set
    /// the first time (`added` false) and re-arming it afterwards. Both
    /// look at the socket as they arm it: input that came before is
    /// reported at once (the pool relies on it when it parks a session
    /// without looking for input first).
    pub fn arm_once(&self, fd: RawFd, token: u64, added: bool) -> io::Result<()> {
        let events = (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLONESHOT) as u32;
        let op = if added {
            libc::EPOLL_CTL_MOD
        } else {
            libc::EPOLL_CTL_ADD
        };
        self.ctl(op, fd, events, token)
    }

    /// Watches `fd` for input for good (the I/O thread's eventfd).
    pub fn add(&self, fd: RawFd, token: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, libc::EPOLLIN as u32, token)
    }

    /// Watches `fd` for each new input (edge-triggered): every write to
    /// an eventfd added so wakes one waiter, once (the carriers' eventfd).
    pub fn add_edge(&self, fd: RawFd, token: u64) -> io::Result<()> {
        let events = (libc::EPOLLIN | libc::EPOLLET) as u32;
        self.ctl(libc::EPOLL_CTL_ADD, fd, events, token)
    }

    /// Removes `fd` from the set.
    pub fn remove(&self, fd: RawFd) {
        let _ = self.ctl(libc::EPOLL_CTL_DEL, fd, 0, 0);
    }

    /// Waits up to `timeout_ms` (-1: for ever) with the signal mask
    /// `mask` in force during the wait (atomically, as ppoll), filling
    /// `events`.
    pub fn pwait(
        &self,
        events: &mut [libc::epoll_event],
        timeout_ms: i32,
        mask: &libc::sigset_t,
    ) -> io::Result<Waited> {
        self.wait_masked(events, timeout_ms, mask)
    }

    /// Waits up to `timeout_ms` (-1: for ever; 0: only looks), filling
    /// `events`; a signal ends the wait with no event. Several threads
    /// may wait at once: the kernel wakes one of them per event (its
    /// waiters are exclusive), so a carrier waiting for one event is not
    /// woken for another carrier's.
    pub fn wait(&self, events: &mut [libc::epoll_event], timeout_ms: i32) -> io::Result<usize> {
        match self.wait_masked(events, timeout_ms, std::ptr::null())? {
            Waited::Events(n) => Ok(n),
            Waited::Interrupted => Ok(0),
        }
    }

    /// epoll_pwait(2); a null `mask` leaves the thread's mask as it is
    /// (epoll_wait).
    fn wait_masked(
        &self,
        events: &mut [libc::epoll_event],
        timeout_ms: i32,
        mask: *const libc::sigset_t,
    ) -> io::Result<Waited> {
        // SAFETY: `events` is writable for its length; `mask` is null or
        // a valid signal set borrowed for the call.
        let n = unsafe {
            libc::epoll_pwait(
                self.fd.as_raw_fd(),
                events.as_mut_ptr(),
                events.len() as i32,
                timeout_ms,
                mask,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return Ok(Waited::Interrupted);
            }
            return Err(e);
        }
        Ok(Waited::Events(n as usize))
    }
}

/// An eventfd: any thread may wake a waiter of an epoll set with it.
pub struct EventFd {
    fd: OwnedFd,
}

impl EventFd {
    pub fn new() -> io::Result<EventFd> {
        // SAFETY: eventfd has no memory preconditions.
        let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just created and is owned by nobody else.
        Ok(EventFd {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Makes the eventfd readable.
    pub fn wake(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a local u64.
        unsafe {
            libc::write(self.fd.as_raw_fd(), (&one as *const u64).cast(), 8);
        }
    }

    /// Makes it unreadable again.
    pub fn drain(&self) {
        let mut v: u64 = 0;
        // SAFETY: reads at most 8 bytes into a local u64.
        unsafe {
            libc::read(self.fd.as_raw_fd(), (&mut v as *mut u64).cast(), 8);
        }
    }
}

/// The calling thread's signal mask without SIGUSR1 (for [`Epoll::pwait`]),
/// after blocking SIGUSR1 in the calling thread.
pub fn block_usr1() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data, initialized by sigemptyset before use;
    // pthread_sigmask only reads and writes the given sets.
    unsafe {
        let mut usr1: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut usr1);
        libc::sigaddset(&mut usr1, libc::SIGUSR1);
        let mut old: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &usr1, &mut old);
        libc::sigdelset(&mut old, libc::SIGUSR1);
        old
    }
}
