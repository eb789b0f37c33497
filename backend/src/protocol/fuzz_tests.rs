//! Property tests ("fuzzing") of the decoding of client input: arbitrary
//! and mutated byte streams go through the very path a backend uses —
//! `startup::read_startup` for the startup phase and `MessageReader::next`
//! (framing, length checks and pgwire's decoders) for regular messages —
//! over a real Unix socket pair. Every input must end, without a panic or
//! a hang, in decoded messages followed by end of file or by a clean FATAL
//! protocol error, and no claimed length may make the reader allocate it
//! before the bytes have arrived (checked with an allocator that records
//! the largest single allocation of the decoding thread).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::os::unix::net::UnixStream;
use std::thread::JoinHandle;
use std::time::Duration;

use pgwire::messages::PgWireFrontendMessage as Msg;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use shmem::segment::{Segment, SegmentConfig, SegmentOwner};

use super::reader::{MessageReader, ReadError, MAX_MESSAGE_LEN, MAX_STARTUP_LEN};
use super::startup::{read_startup, StartupRequest};
use super::stream::ClientStream;
use super::writer::MessageWriter;
use crate::error::sqlstate;

// ---------------------------------------------------------------------------
// Allocation tracking
// ---------------------------------------------------------------------------

/// The system allocator, noting the largest single allocation made by a
/// thread while that thread has tracking switched on.
struct TrackingAlloc;

thread_local! {
    static TRACKING: Cell<bool> = const { Cell::new(false) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn note_allocation(size: usize) {
    let _ = TRACKING.try_with(|on| {
        // pgwire's decoders panic on short bodies (the reader catches it);
        // what the panic hook allocates (a backtrace, with RUST_BACKTRACE
        // set) is not the decoder's doing.
        if on.get() && !std::thread::panicking() {
            let _ = LARGEST.try_with(|m| m.set(m.get().max(size)));
        }
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// bookkeeping only touches const-initialized thread-locals without
// destructors, which never allocate.
#[allow(unsafe_code)] // a counting global allocator for the memory-bound tests
unsafe impl GlobalAlloc for TrackingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        // SAFETY: the caller upholds GlobalAlloc's contract, passed on as is.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocation(layout.size());
        // SAFETY: the caller upholds GlobalAlloc's contract, passed on as is.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation(new_size);
        // SAFETY: the caller upholds GlobalAlloc's contract, passed on as is.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller upholds GlobalAlloc's contract, passed on as is.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: TrackingAlloc = TrackingAlloc;

/// Runs `f` and returns its result with the largest single allocation it
/// made on this thread.
fn largest_allocation<T>(f: impl FnOnce() -> T) -> (T, usize) {
    LARGEST.with(|m| m.set(0));
    TRACKING.with(|t| t.set(true));
    let r = f();
    TRACKING.with(|t| t.set(false));
    (r, LARGEST.with(|m| m.get()))
}

#[test]
fn allocation_tracking_sees_allocations() {
    let (v, largest) = largest_allocation(|| Vec::<u8>::with_capacity(3 << 20));
    assert!(largest >= v.capacity());
    let (_, outside) = largest_allocation(|| ());
    assert_eq!(outside, 0);
}

/// What decoding any input may allocate at once: the reader's read window
/// (at most 1 MiB beyond what it holds, grown by doubling), pgwire's
/// preallocation from a 16-bit element count (65535 parameters of 32
/// bytes: 2 MiB), and a few times the input itself. Far below the up to
/// 1 GiB a length word can claim.
fn allocation_bound(input_len: usize) -> usize {
    4 * (1 << 20) + 4 * input_len
}

// ---------------------------------------------------------------------------
// Feeding input through a socket
// ---------------------------------------------------------------------------

/// How long the decoding side waits for input: a decoder that wants more
/// bytes than the client sent and closed would see end of file at once,
/// so reaching this is a hang.
const HANG_TIMEOUT: Duration = Duration::from_secs(5);

/// A socket pair whose client side sends `input` cut at `cuts` (offsets
/// modulo the length, so each write is a separate chunk) from a thread,
/// then closes; returns the server side.
fn feed(input: Vec<u8>, cuts: Vec<usize>) -> (ClientStream, JoinHandle<()>) {
    let (server, mut client) = UnixStream::pair().expect("socketpair");
    server.set_read_timeout(Some(HANG_TIMEOUT)).unwrap();
    let writer = std::thread::spawn(move || {
        let mut offsets: Vec<usize> = cuts
            .into_iter()
            .map(|c| if input.is_empty() { 0 } else { c % input.len() })
            .collect();
        offsets.push(0);
        offsets.push(input.len());
        offsets.sort_unstable();
        offsets.dedup();
        for w in offsets.windows(2) {
            // The server may stop reading (and close) at a protocol error.
            if client.write_all(&input[w[0]..w[1]]).is_err() {
                return;
            }
        }
        let _ = client.shutdown(std::net::Shutdown::Write);
        // Keep the socket open until the server has finished with it, so
        // that its replies (SSL refusals) never fail with EPIPE.
        let mut sink = [0u8; 256];
        while matches!(std::io::Read::read(&mut client, &mut sink), Ok(n) if n > 0) {}
    });
    (ClientStream::Unix(server), writer)
}

/// How a stream of regular messages ended.
#[derive(Debug, PartialEq, Eq)]
enum End {
    Eof,
    /// A FATAL error with this SQLSTATE.
    Fatal(&'static str),
}

/// Reads regular messages until the input ends, as a session does; returns
/// the type bytes of the messages decoded and how it ended, or the test
/// failure (hang, I/O error, a non-FATAL or unexpected error).
fn read_messages(
    reader: &mut MessageReader,
    stream: &ClientStream,
    input_len: usize,
) -> Result<(Vec<u8>, End), TestCaseError> {
    let mut types = Vec::new();
    loop {
        match reader.next(stream) {
            Ok(m) => {
                types.push(type_byte(&m));
                // Each message consumes at least its 5-byte header.
                prop_assert!(types.len() <= input_len / 5, "more messages than input");
            }
            Err(ReadError::Eof) => return Ok((types, End::Eof)),
            Err(ReadError::Protocol(e)) => {
                prop_assert!(e.is_fatal(), "non-FATAL protocol error {e:?}");
                prop_assert_eq!(e.code, sqlstate::PROTOCOL_VIOLATION, "{:?}", e);
                return Ok((types, End::Fatal(e.code)));
            }
            Err(ReadError::Timeout) => {
                return Err(TestCaseError::fail("reader hung waiting for input"))
            }
            Err(ReadError::Io(e)) => return Err(TestCaseError::fail(format!("I/O error {e}"))),
            Err(ReadError::Terminate) => return Err(TestCaseError::fail("spurious Terminate")),
        }
    }
}

fn type_byte(m: &Msg) -> u8 {
    match m {
        Msg::Query(_) => b'Q',
        Msg::Parse(_) => b'P',
        Msg::Bind(_) => b'B',
        Msg::Describe(_) => b'D',
        Msg::Execute(_) => b'E',
        Msg::Close(_) => b'C',
        Msg::Flush(_) => b'H',
        Msg::Sync(_) => b'S',
        Msg::Terminate(_) => b'X',
        Msg::CopyData(_) => b'd',
        Msg::CopyDone(_) => b'c',
        Msg::CopyFail(_) => b'f',
        Msg::PasswordMessageFamily(_) => b'p',
        _ => 0,
    }
}

/// Feeds `input` through the regular-message path; checks memory.
fn run_messages(input: Vec<u8>, cuts: Vec<usize>) -> Result<(Vec<u8>, End), TestCaseError> {
    let len = input.len();
    let (stream, writer) = feed(input, cuts);
    let mut reader = MessageReader::new();
    let (res, largest) = largest_allocation(|| read_messages(&mut reader, &stream, len));
    drop(stream);
    let _ = writer.join();
    prop_assert!(
        largest <= allocation_bound(len),
        "decoding {} bytes allocated {} bytes at once",
        len,
        largest
    );
    res
}

// ---------------------------------------------------------------------------
// Generators: valid messages and their mutations
// ---------------------------------------------------------------------------

/// One encoded frontend message and, for Parse and Bind, the offset of an
/// element count that a mutation may make lie.
#[derive(Clone, Debug)]
struct Encoded {
    bytes: Vec<u8>,
    count_at: Option<usize>,
}

fn frame(ty: u8, body: &[u8], count_in_body: Option<usize>) -> Encoded {
    let mut bytes = vec![ty];
    bytes.extend_from_slice(&(body.len() as i32 + 4).to_be_bytes());
    bytes.extend_from_slice(body);
    Encoded {
        bytes,
        count_at: count_in_body.map(|c| c + 5),
    }
}

fn cstr(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

/// Text without NULs (which would end a C string early).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("SELECT 1".to_owned()),
        Just("SELECT $1::int4".to_owned()),
        "[a-z0-9 ]{0,12}",
        any::<String>().prop_map(|s| s.replace('\0', "")),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[a-z_]{1,8}"]
}

/// A well-formed frontend message of any type a session accepts.
fn valid_message() -> impl Strategy<Value = Encoded> {
    prop_oneof![
        text().prop_map(|q| {
            let mut b = Vec::new();
            cstr(&mut b, &q);
            frame(b'Q', &b, None)
        }),
        (name(), text(), prop::collection::vec(any::<u32>(), 0..4)).prop_map(|(n, q, oids)| {
            let mut b = Vec::new();
            cstr(&mut b, &n);
            cstr(&mut b, &q);
            let at = b.len();
            b.extend_from_slice(&(oids.len() as u16).to_be_bytes());
            for o in oids {
                b.extend_from_slice(&o.to_be_bytes());
            }
            frame(b'P', &b, Some(at))
        }),
        (
            name(),
            name(),
            prop::collection::vec(0i16..2, 0..3),
            prop::collection::vec(
                prop::option::of(prop::collection::vec(any::<u8>(), 0..8)),
                0..4
            ),
            prop::collection::vec(0i16..2, 0..3),
        )
            .prop_map(|(portal, stmt, pfmt, params, rfmt)| {
                let mut b = Vec::new();
                cstr(&mut b, &portal);
                cstr(&mut b, &stmt);
                b.extend_from_slice(&(pfmt.len() as u16).to_be_bytes());
                for f in pfmt {
                    b.extend_from_slice(&f.to_be_bytes());
                }
                let at = b.len();
                b.extend_from_slice(&(params.len() as u16).to_be_bytes());
                for p in params {
                    match p {
                        None => b.extend_from_slice(&(-1i32).to_be_bytes()),
                        Some(v) => {
                            b.extend_from_slice(&(v.len() as i32).to_be_bytes());
                            b.extend_from_slice(&v);
                        }
                    }
                }
                b.extend_from_slice(&(rfmt.len() as u16).to_be_bytes());
                for f in rfmt {
                    b.extend_from_slice(&f.to_be_bytes());
                }
                frame(b'B', &b, Some(at))
            }),
        (name(), any::<i32>()).prop_map(|(n, max)| {
            let mut b = Vec::new();
            cstr(&mut b, &n);
            b.extend_from_slice(&max.to_be_bytes());
            frame(b'E', &b, None)
        }),
        (
            prop_oneof![Just(b'D'), Just(b'C')],
            prop_oneof![Just(b'S'), Just(b'P')],
            name()
        )
            .prop_map(|(ty, target, n)| {
                let mut b = vec![target];
                cstr(&mut b, &n);
                frame(ty, &b, None)
            }),
        prop_oneof![Just(b'S'), Just(b'H'), Just(b'c'), Just(b'X')].prop_map(|ty| frame(
            ty,
            &[],
            None
        )),
        prop::collection::vec(any::<u8>(), 0..64).prop_map(|d| frame(b'd', &d, None)),
        text().prop_map(|m| {
            let mut b = Vec::new();
            cstr(&mut b, &m);
            frame(b'f', &b, None)
        }),
    ]
}

/// One way of breaking a message.
#[derive(Clone, Debug)]
enum Mutation {
    None,
    /// Replace the type byte.
    TypeByte(u8),
    /// Replace the length word.
    Length(i32),
    /// Add to the length word (a body longer or shorter than claimed).
    LengthDelta(i32),
    /// Cut the message at this offset (modulo its length).
    Truncate(usize),
    /// Turn every NUL of the body into 'x' (unterminated strings).
    StripNuls,
    /// Overwrite bytes of the body with invalid UTF-8.
    BadUtf8(usize),
    /// Replace one byte of the body.
    Flip(usize, u8),
    /// Make the Parse/Bind element count lie.
    Count(u16),
}

fn interesting_length() -> impl Strategy<Value = i32> {
    prop_oneof![
        Just(i32::MIN),
        Just(-1),
        0..5i32,
        Just(i32::MAX),
        Just(MAX_MESSAGE_LEN as i32),
        Just(MAX_MESSAGE_LEN as i32 + 1),
        Just(0x4000_0000),
        Just(MAX_STARTUP_LEN as i32),
        Just(MAX_STARTUP_LEN as i32 + 1),
        any::<i32>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => Just(Mutation::None),
        1 => any::<u8>().prop_map(Mutation::TypeByte),
        1 => interesting_length().prop_map(Mutation::Length),
        1 => (-8..9i32).prop_map(Mutation::LengthDelta),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => Just(Mutation::StripNuls),
        1 => any::<usize>().prop_map(Mutation::BadUtf8),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        1 => prop_oneof![Just(0xffffu16), Just(0x7fff), Just(0x8000), any::<u16>()]
            .prop_map(Mutation::Count),
    ]
}

/// Applies `m` to a message whose first `header` bytes are the type byte
/// (if any) and the length word.
fn mutate(e: &Encoded, m: &Mutation, header: usize) -> Vec<u8> {
    let mut b = e.bytes.clone();
    let len_at = header - 4;
    let body = header..b.len();
    match *m {
        Mutation::None => {}
        Mutation::TypeByte(t) => {
            if header == 5 {
                b[0] = t;
            }
        }
        Mutation::Length(l) => b[len_at..header].copy_from_slice(&l.to_be_bytes()),
        Mutation::LengthDelta(d) => {
            let l = i32::from_be_bytes(b[len_at..header].try_into().unwrap());
            b[len_at..header].copy_from_slice(&l.wrapping_add(d).to_be_bytes());
        }
        Mutation::Truncate(at) => b.truncate(at % b.len()),
        Mutation::StripNuls => {
            for x in &mut b[body] {
                if *x == 0 {
                    *x = b'x';
                }
            }
        }
        Mutation::BadUtf8(at) => {
            if !body.is_empty() {
                let i = header + at % body.len();
                for (j, byte) in [0xc3u8, 0x28, 0xff, 0xfe].into_iter().enumerate() {
                    if i + j < b.len() && b[i + j] != 0 {
                        b[i + j] = byte;
                    }
                }
            }
        }
        Mutation::Flip(at, v) => {
            if !body.is_empty() {
                b[header + at % body.len()] = v;
            }
        }
        Mutation::Count(c) => {
            if let Some(at) = e.count_at {
                b[at..at + 2].copy_from_slice(&c.to_be_bytes());
            }
        }
    }
    b
}

/// A packet of the startup phase (no type byte).
fn startup_packet() -> impl Strategy<Value = Encoded> {
    let packet = |code: u32, body: &[u8]| {
        let mut bytes = (body.len() as i32 + 8).to_be_bytes().to_vec();
        bytes.extend_from_slice(&code.to_be_bytes());
        bytes.extend_from_slice(body);
        Encoded {
            bytes,
            count_at: None,
        }
    };
    prop_oneof![
        4 => (prop::collection::vec((name(), text()), 0..4), 0u32..3).prop_map(move |(extra, minor)| {
            let mut b = Vec::new();
            cstr(&mut b, "user");
            cstr(&mut b, "fuzz");
            for (k, v) in extra {
                if !k.is_empty() {
                    cstr(&mut b, &k);
                    cstr(&mut b, &v);
                }
            }
            b.push(0);
            packet(3 << 16 | minor, &b)
        }),
        1 => Just(packet(80877103, &[])),
        1 => Just(packet(80877104, &[])),
        1 => (any::<i32>(), any::<i32>()).prop_map(move |(pid, key)| {
            let mut b = pid.to_be_bytes().to_vec();
            b.extend_from_slice(&key.to_be_bytes());
            packet(80877102, &b)
        }),
        1 => (any::<u32>(), prop::collection::vec(any::<u8>(), 0..32))
            .prop_map(move |(code, body)| packet(code, &body)),
    ]
}

fn cuts() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(any::<usize>(), 0..4)
}

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------
// Properties: regular messages
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(512))]

    /// Random bytes after startup: decoded messages, then EOF or 08P01.
    #[test]
    fn random_bytes_end_cleanly(
        input in prop::collection::vec(any::<u8>(), 0..2048),
        cuts in cuts(),
    ) {
        run_messages(input, cuts)?;
    }

    /// Well-formed messages decode one for one, whatever the chunking.
    #[test]
    fn valid_messages_decode(msgs in prop::collection::vec(valid_message(), 0..12), cuts in cuts()) {
        let expected: Vec<u8> = msgs.iter().map(|m| m.bytes[0]).collect();
        let input: Vec<u8> = msgs.iter().flat_map(|m| m.bytes.clone()).collect();
        let (types, end) = run_messages(input, cuts)?;
        prop_assert_eq!(end, End::Eof);
        prop_assert_eq!(types, expected);
    }
}

proptest! {
    #![proptest_config(config(512))]

    /// Valid messages with mutated type bytes, lengths, bodies and counts:
    /// the ones before the first mutation decode, and the stream ends in
    /// EOF or a clean 08P01.
    #[test]
    fn mutated_messages_end_cleanly(
        msgs in prop::collection::vec((valid_message(), mutation()), 1..8),
        cuts in cuts(),
    ) {
        let intact = msgs
            .iter()
            .take_while(|(_, m)| matches!(m, Mutation::None))
            .map(|(e, _)| e.bytes[0])
            .collect::<Vec<u8>>();
        let input: Vec<u8> = msgs.iter().flat_map(|(e, m)| mutate(e, m, 5)).collect();
        let (types, _) = run_messages(input, cuts)?;
        prop_assert!(types.len() >= intact.len());
        prop_assert_eq!(&types[..intact.len()], &intact[..]);
    }

    /// Any length word, with a short body behind it: rejected at once when
    /// out of range, otherwise EOF when the client gives up — and never an
    /// allocation of the claimed size.
    #[test]
    fn claimed_lengths_are_not_allocated(
        ty in prop_oneof![Just(b'Q'), Just(b'd'), Just(b'B'), any::<u8>()],
        len in interesting_length(),
        body in prop::collection::vec(any::<u8>(), 0..4096),
    ) {
        let mut input = vec![ty];
        input.extend_from_slice(&len.to_be_bytes());
        let short = (body.len() as i64) < len as i64 - 4;
        input.extend_from_slice(&body);
        let (_, end) = run_messages(input, vec![])?;
        if len < 4 || len as usize > MAX_MESSAGE_LEN {
            prop_assert_eq!(end, End::Fatal(sqlstate::PROTOCOL_VIOLATION));
        } else if short {
            prop_assert_eq!(end, End::Eof);
        }
    }
}

/// The largest message the protocol allows, claimed and then sent slowly
/// in part: the reader holds what arrived plus its read window, not 1 GiB.
#[test]
fn maximal_length_grows_with_the_data() {
    let mut input = vec![b'd'];
    input.extend_from_slice(&(MAX_MESSAGE_LEN as i32).to_be_bytes());
    input.extend_from_slice(&vec![7u8; 3 << 20]);
    let cuts = (1..48).map(|i| i * (64 << 10)).collect();
    let (_, end) = run_messages(input, cuts).unwrap();
    assert_eq!(end, End::Eof);
}

// ---------------------------------------------------------------------------
// Properties: the startup phase
// ---------------------------------------------------------------------------

/// A shared-memory segment for cancel requests to look backends up in.
fn test_segment(port: u16) -> (SegmentOwner, Segment) {
    // A context for a segment that touches no file: its directory is
    // removed at once.
    let (_dir, dd) = crate::access::test_data_dir();
    SegmentOwner::create(
        &SegmentConfig {
            port,
            max_backends: 2,
            shared_buffers: 0,
            mode: 0,
        },
        dd,
    )
    .expect("create test segment")
}

/// Runs startup then, for a session, the message loop, as `run_session`
/// does; returns how startup ended.
fn run_startup(
    segment: &Segment,
    input: Vec<u8>,
    cuts: Vec<usize>,
) -> Result<Result<StartupRequest, End>, TestCaseError> {
    let len = input.len();
    let (stream, writer_thread) = feed(input, cuts);
    let (res, largest) = largest_allocation(|| {
        let mut reader = MessageReader::new();
        let mut writer = MessageWriter::new();
        match read_startup(&stream, &mut reader, &mut writer, segment) {
            Ok(StartupRequest::Session(params)) => {
                prop_assert!(params.contains_key("user"));
                read_messages(&mut reader, &stream, len)?;
                Ok(Ok(StartupRequest::Session(params)))
            }
            Ok(StartupRequest::Cancel) => Ok(Ok(StartupRequest::Cancel)),
            // Never on a Unix socket, and no TLS is configured here.
            Ok(StartupRequest::StartTls(_)) => Err(TestCaseError::fail("TLS on a Unix socket")),
            Err(ReadError::Eof) => Ok(Err(End::Eof)),
            Err(ReadError::Protocol(e)) => {
                prop_assert!(e.is_fatal(), "non-FATAL startup error {e:?}");
                prop_assert!(
                    [
                        sqlstate::PROTOCOL_VIOLATION,
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        sqlstate::INVALID_AUTHORIZATION_SPECIFICATION,
                    ]
                    .contains(&e.code),
                    "unexpected startup error {e:?}"
                );
                Ok(Err(End::Fatal(e.code)))
            }
            Err(ReadError::Timeout) => Err(TestCaseError::fail("startup hung")),
            Err(e) => Err(TestCaseError::fail(format!("startup failed: {e:?}"))),
        }
    });
    drop(stream);
    let _ = writer_thread.join();
    prop_assert!(
        largest <= allocation_bound(len),
        "startup of {} bytes allocated {} bytes at once",
        len,
        largest
    );
    res
}

#[test]
fn startup_packets() {
    let (_owner, segment) = test_segment(62497);

    // Random bytes as the first thing on a connection.
    let mut runner = TestRunner::new(config(512));
    runner
        .run(
            &(prop::collection::vec(any::<u8>(), 0..512), cuts()),
            |(input, cuts)| run_startup(&segment, input, cuts).map(drop),
        )
        .unwrap();

    // Well-formed startup packets start a session with their parameters.
    let mut runner = TestRunner::new(config(256));
    runner
        .run(
            &(prop::collection::vec((name(), "[a-z]{0,6}"), 0..4), cuts()),
            |(extra, cuts)| {
                let mut want = std::collections::BTreeMap::new();
                want.insert("user".to_owned(), "fuzz".to_owned());
                let mut b = 196608i32.to_be_bytes().to_vec();
                cstr(&mut b, "user");
                cstr(&mut b, "fuzz");
                for (k, v) in extra {
                    if !k.is_empty() && k != "user" && !want.contains_key(&k) {
                        cstr(&mut b, &k);
                        cstr(&mut b, &v);
                        want.insert(k, v);
                    }
                }
                b.push(0);
                let mut input = (b.len() as i32 + 4).to_be_bytes().to_vec();
                input.extend_from_slice(&b);
                match run_startup(&segment, input, cuts)? {
                    Ok(StartupRequest::Session(params)) => prop_assert_eq!(params, want),
                    _ => return Err(TestCaseError::fail("valid startup packet refused")),
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn mutated_startup_then_messages() {
    let (_owner, segment) = test_segment(62498);
    let mut runner = TestRunner::new(config(512));
    let strategy = (
        prop::collection::vec((startup_packet(), mutation()), 1..4),
        prop::collection::vec((valid_message(), mutation()), 0..6),
        cuts(),
    );
    runner
        .run(&strategy, |(packets, msgs, cuts)| {
            let mut input: Vec<u8> = packets.iter().flat_map(|(e, m)| mutate(e, m, 4)).collect();
            input.extend(msgs.iter().flat_map(|(e, m)| mutate(e, m, 5)));
            run_startup(&segment, input, cuts).map(drop)
        })
        .unwrap();
}
