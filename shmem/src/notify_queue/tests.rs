//! Unit tests of the NOTIFY queue in one process: delivery order, the
//! LISTEN horizon, wrap-around with fillers, the full queue, wake-ups.

use super::*;
use crate::segment::{Segment, SegmentOwner};

fn setup(port: u16, n: usize) -> (SegmentOwner, Segment) {
    SegmentOwner::create(
        &SegmentConfig {
            port,
            max_backends: n,
            shared_buffers: 0,
            mode: 1,
        },
        crate::datadir::testing::scratch(),
    )
    .unwrap()
}

fn items(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(c, p)| (c.to_string(), p.to_string()))
        .collect()
}

#[test]
fn delivers_in_order_to_listeners_only_after_listen() {
    let (_o, seg) = setup(62710, 3);
    let q = seg.notify_queue();
    assert!(q.append(1, &items(&[("a", "lost")]), 0).unwrap().is_empty());
    q.listen(1);
    assert!(!q.has_pending(1));
    assert_eq!(
        q.append(7, &items(&[("a", "1"), ("b", "2")]), 0).unwrap(),
        vec![1]
    );
    // Already signalled: not again until it reads.
    assert!(q.append(8, &items(&[("a", "3")]), 0).unwrap().is_empty());
    assert!(q.has_pending(1));
    let got = q.read(1);
    let got: Vec<_> = got
        .iter()
        .map(|n| (n.sender_pid, n.channel.as_str(), n.payload.as_str()))
        .collect();
    assert_eq!(got, vec![(7, "a", "1"), (7, "b", "2"), (8, "a", "3")]);
    assert!(!q.has_pending(1));
    assert!(q.read(2).is_empty());
    q.unlisten(1);
    assert_eq!(q.usage(), 0.0);
}

#[test]
fn wraps_around_and_refuses_when_full() {
    let (_o, seg) = setup(62711, 2);
    let q = seg.notify_queue();
    q.listen(0);
    q.listen(1);
    let payload = "x".repeat(7000);
    let batch = items(&[("ch", &payload)]);
    let per = entry_len("ch", &payload);
    let fit = RING_BYTES / per;
    for _ in 0..fit {
        q.append(5, &batch, 0).unwrap();
        assert_eq!(q.read(0).len(), 1);
    }
    // Slot 1 has read nothing: the ring is as full as it gets.
    assert!(q.usage() > 0.99);
    assert_eq!(q.append(5, &batch, 0), Err(QueueError::Full));
    // Once it reads, the ring wraps (a filler, then the entry at 0).
    assert_eq!(q.read(1).len() as u64, fit);
    for i in 0..fit {
        q.append(5, &items(&[("ch", &format!("{i}{payload}"))]), 0)
            .unwrap();
        let got = q.read(1);
        assert_eq!(got.len(), 1);
        assert!(got[0].payload.starts_with(&i.to_string()));
        assert_eq!(q.read(0).len(), 1);
    }
    // A listener that leaves frees what it held.
    q.append(5, &batch, 0).unwrap();
    q.unlisten(1);
    q.read(0);
    assert_eq!(q.usage(), 0.0);
}
