//! Event documents read from their JSON text without building a
//! `serde_json::Value`: one pass lays the document out as a flat list of
//! nodes pointing into the text (reused between events, so nothing is
//! allocated per event), the canonical form for the fingerprint is written
//! from those nodes, and the event's fields are read as slices of the text.
//!
//! Only the plain documents are read here: strings without escapes, numbers
//! without exponents, no repeated key, no deeper than [`MAX_DEPTH`], and
//! every CloudEvent field with its plain type (as `read_plain` in `events`
//! requires). Anything else returns `None` and the caller parses the text
//! with serde_json and takes the `Value` path, so the fingerprint, the event
//! and every error are exactly those of `apply_events` on the parsed document.

use std::borrow::Cow;

use super::events::{DataView, EventView, ReasonInput, sha256};
use crate::wire;

/// Deeper documents take the serde_json path (its own limit is 128).
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Null,
    True,
    False,
    /// Its text.
    Number,
    /// The text between the quotes (no escapes in it).
    String,
    /// An object member's key, followed by the value's nodes.
    Key,
    /// `len` items follow.
    Array,
    /// `len` members follow, each a `Key` node and then its value's nodes.
    Object,
}

/// One node: a value, or an object member's key. Positions are `u32` (texts of 4 GiB or more
/// take the serde_json path).
#[derive(Debug, Clone, Copy)]
struct Node {
    kind: Kind,
    /// Containers: the keys of an object are in strictly increasing byte order, and every
    /// container inside is sorted too.
    sorted: bool,
    /// Containers: no whitespace between the brackets.
    compact: bool,
    /// Byte range of the text: inside the quotes for strings and keys, the whole text for
    /// numbers, literals and containers (brackets included).
    start: u32,
    stop: u32,
    /// Containers: the number of items or members.
    len: u32,
    /// Containers: the index after the container's last node.
    end: u32,
    /// Keys: the first eight bytes as a big-endian number, zero-padded (orders as the bytes
    /// do, a tie deciding nothing).
    prefix: u64,
}

impl Node {
    fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.stop as usize
    }

    /// The value's text as it stands in the canonical form when the value is written whole:
    /// a string with its quotes (no escapes inside), anything else as it is.
    fn whole(&self) -> std::ops::Range<usize> {
        match self.kind {
            Kind::String | Kind::Key => self.start as usize - 1..self.stop as usize + 1,
            _ => self.range(),
        }
    }

    /// True when the value's text is already its canonical form.
    fn canonical(&self) -> bool {
        match self.kind {
            Kind::Array | Kind::Object => self.sorted && self.compact,
            _ => true,
        }
    }
}

/// The first eight bytes of the key at `start..stop` of `bytes` as a big-endian number,
/// zero-padded.
fn key_prefix(bytes: &[u8], start: usize, stop: usize) -> u64 {
    let len = stop - start;
    match bytes.get(start..).and_then(<[u8]>::first_chunk::<8>) {
        Some(word) if len >= 8 => u64::from_be_bytes(*word),
        Some(word) => u64::from_be_bytes(*word) & !(u64::MAX >> (8 * len)),
        None => {
            let mut head = [0u8; 8];
            head[..len.min(8)].copy_from_slice(&bytes[start..start + len.min(8)]);
            u64::from_be_bytes(head)
        }
    }
}

/// Reusable scratch space for reading event texts.
#[derive(Default)]
pub(crate) struct Scanner {
    nodes: Vec<Node>,
    /// Object members being written: (the key's first 8 bytes as a number, key node, value node).
    members: Vec<(u64, usize, usize)>,
    /// The top-level keys of the last event whose top level was sorted, and their order.
    top: TopKeys,
}

/// The top-level keys of an event, in the order given, and the order that sorts them. Events
/// from one producer repeat their attributes in one order, so the order found for one event
/// is checked and reused for the next instead of sorting again. Only keys of at most 16 bytes
/// are remembered, so that a key's length and two words are the whole of it.
#[derive(Default)]
struct TopKeys {
    /// Per key in the order given: its length and its first and next eight bytes as numbers.
    keys: Vec<(u32, u64, u64)>,
    /// The positions of the keys (in the order given) in sorted order.
    order: Vec<u32>,
}

impl TopKeys {
    /// A key as it is remembered; `None` when it is longer than 16 bytes.
    fn key(nodes: &[Node], bytes: &[u8], k: usize) -> Option<(u32, u64, u64)> {
        let key = &nodes[k];
        let len = key.stop - key.start;
        match len {
            0..=8 => Some((len, key.prefix, 0)),
            9..=16 => Some((len, key.prefix, key_prefix(bytes, key.start as usize + 8, key.stop as usize))),
            _ => None,
        }
    }

    /// True when `members` (in the order given) have the keys remembered, in the same order.
    fn same_keys(&self, nodes: &[Node], bytes: &[u8], members: &[(u64, usize, usize)]) -> bool {
        members.len() == self.keys.len()
            && members.iter().zip(&self.keys).all(|(&(prefix, k, _), &(len, known_prefix, known_tail))| {
                let key = &nodes[k];
                // The length and the first word first; the second word only for a longer key.
                prefix == known_prefix
                    && key.stop - key.start == len
                    && (len <= 8 || key_prefix(bytes, key.start as usize + 8, key.stop as usize) == known_tail)
            })
    }

    /// Remember the keys of `sorted` (an object's members, sorted, no key repeated) and the
    /// order that sorts them; or nothing, when a key is longer than 16 bytes.
    fn remember(&mut self, nodes: &[Node], bytes: &[u8], sorted: &[(u64, usize, usize)]) {
        // The order given is the order of the key nodes.
        let mut given: Vec<usize> = sorted.iter().map(|&(_, k, _)| k).collect();
        given.sort_unstable();
        self.keys.clear();
        self.order.clear();
        for &k in &given {
            let Some(key) = Self::key(nodes, bytes, k) else {
                self.keys.clear();
                return;
            };
            self.keys.push(key);
        }
        for &(_, k, _) in sorted {
            // Every key of `sorted` is in `given`.
            self.order.push(given.partition_point(|&g| g < k) as u32);
        }
    }
}

/// The cursor over one text.
struct Cursor<'t> {
    bytes: &'t [u8],
    pos: usize,
    /// Whitespace bytes skipped so far.
    spaces: usize,
}

impl Cursor<'_> {
    /// Skip whitespace. Compact texts have none, so the usual case is one comparison here and
    /// the loop is out of line.
    #[inline]
    fn ws(&mut self) {
        if let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.skip_ws();
        }
    }

    #[inline(never)]
    fn skip_ws(&mut self) {
        let from = self.pos;
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        self.spaces += self.pos - from;
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let found = self.bytes.get(self.pos..self.pos + word.len())?;
        (found == word).then(|| self.pos += word.len())
    }

    fn digits(&mut self) -> usize {
        let from = self.pos;
        while let Some(b'0'..=b'9') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
        self.pos - from
    }

    /// A string without escapes or control characters; the cursor is on its opening quote.
    fn string(&mut self) -> Option<(usize, usize)> {
        let start = self.pos + 1;
        let rest = self.bytes.get(start..)?;
        let at = first_special(rest)?;
        if rest[at] != b'"' {
            return None;
        }
        self.pos = start + at + 1;
        Some((start, start + at))
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?`; exponents take the serde_json path.
    fn number(&mut self) -> Option<(usize, usize)> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek()? {
            b'0' => self.pos += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            return None;
        }
        Some((start, self.pos))
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The position of the first quote, backslash or control character (below 0x20) in
/// `bytes`, looking at eight bytes at a time.
pub(crate) fn first_special(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(word) = bytes[at..].first_chunk::<8>() {
        let hits = special_bytes(u64::from_le_bytes(*word));
        if hits != 0 {
            return Some(at + (hits.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes[at..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20).map(|i| at + i)
}

/// The high bit of each byte of `word` (little-endian) that is a quote, a backslash or a
/// control character. Bytes above the first such byte may be marked falsely (a borrow runs
/// on), so only the lowest mark is exact; it is the only one read.
fn special_bytes(word: u64) -> u64 {
    let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGH;
    zero(word ^ (ONES * u64::from(b'"'))) | zero(word ^ (ONES * u64::from(b'\\'))) | below_space
}

/// An event read from its text: the borrowed event and its payload fingerprint.
pub(crate) struct ScannedEvent<'t> {
    pub event: EventView<'t>,
    pub specversion: &'t str,
    pub fingerprint: [u8; 32],
}

impl Scanner {
    /// Read `text` when it is a plain event document (see the module documentation);
    /// `None` otherwise. `buf` is scratch space for the canonical form.
    pub(crate) fn read<'t>(&mut self, text: &'t str, buf: &mut Vec<u8>) -> Option<ScannedEvent<'t>> {
        self.nodes.clear();
        if u32::try_from(text.len()).is_err() {
            return None;
        }
        let mut cursor = Cursor { bytes: text.as_bytes(), pos: 0, spaces: 0 };
        self.value(&mut cursor, 0)?;
        cursor.ws();
        if cursor.pos != text.len() || self.nodes.first()?.kind != Kind::Object {
            return None;
        }
        buf.clear();
        self.write_canonical(text, 0, buf)?;
        let fingerprint = sha256(buf);
        let (event, specversion) = self.fields(text)?;
        Some(ScannedEvent { event, specversion, fingerprint })
    }

    fn push(&mut self, kind: Kind, (start, stop): (usize, usize)) {
        // Positions fit: `read` takes only texts shorter than 4 GiB.
        let (start, stop) = (start as u32, stop as u32);
        self.nodes.push(Node { kind, sorted: true, compact: true, start, stop, len: 0, end: 0, prefix: 0 });
    }

    /// A value: a leaf is read here, a container by `container` (which calls this for its
    /// items, so the leaves of a container cost no call).
    #[inline(always)]
    fn value(&mut self, c: &mut Cursor, depth: usize) -> Option<()> {
        c.ws();
        let from = c.pos;
        match c.peek()? {
            b'{' | b'[' if depth >= MAX_DEPTH => None,
            b'{' | b'[' => self.container(c, depth),
            b'"' => {
                let range = c.string()?;
                self.push(Kind::String, range);
                Some(())
            }
            b't' => c.literal(b"true").map(|()| self.push(Kind::True, (from, c.pos))),
            b'f' => c.literal(b"false").map(|()| self.push(Kind::False, (from, c.pos))),
            b'n' => c.literal(b"null").map(|()| self.push(Kind::Null, (from, c.pos))),
            b'-' | b'0'..=b'9' => {
                let range = c.number()?;
                self.push(Kind::Number, range);
                Some(())
            }
            _ => None,
        }
    }

    /// An object or an array; the cursor is on its opening bracket.
    fn container(&mut self, c: &mut Cursor, depth: usize) -> Option<()> {
        let from = c.pos;
        match c.peek()? {
            open @ (b'{' | b'[') => {
                let object = open == b'{';
                let at = self.nodes.len();
                let spaces = c.spaces;
                self.push(if object { Kind::Object } else { Kind::Array }, (from, from));
                c.pos += 1;
                c.ws();
                let close = if object { b'}' } else { b']' };
                let (mut len, mut sorted) = (0, true);
                let mut previous: Option<usize> = None;
                if c.peek() == Some(close) {
                    c.pos += 1;
                } else {
                    loop {
                        if object {
                            c.ws();
                            if c.peek()? != b'"' {
                                return None;
                            }
                            let (start, stop) = c.string()?;
                            let key = self.nodes.len();
                            self.push(Kind::Key, (start, stop));
                            self.nodes[key].prefix = key_prefix(c.bytes, start, stop);
                            if let Some(p) = previous {
                                let (a, b) = (&self.nodes[p], &self.nodes[key]);
                                let order =
                                    a.prefix.cmp(&b.prefix).then_with(|| c.bytes[a.range()].cmp(&c.bytes[b.range()]));
                                sorted &= order.is_lt();
                            }
                            previous = Some(key);
                            c.ws();
                            if c.peek()? != b':' {
                                return None;
                            }
                            c.pos += 1;
                        }
                        let child = self.nodes.len();
                        self.value(c, depth + 1)?;
                        sorted &= self.nodes[child].sorted;
                        len += 1;
                        c.ws();
                        match c.peek()? {
                            b',' => c.pos += 1,
                            b if b == close => {
                                c.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                let end = self.nodes.len();
                let node = &mut self.nodes[at];
                node.len = len;
                node.end = end as u32;
                node.stop = c.pos as u32;
                node.sorted = sorted;
                node.compact = c.spaces == spaces;
                Some(())
            }
            _ => None,
        }
    }

    /// The index after the value at `i` and its nodes.
    fn after(&self, i: usize) -> usize {
        match self.nodes[i].kind {
            Kind::Array | Kind::Object => self.nodes[i].end as usize,
            _ => i + 1,
        }
    }

    /// The members of the object at `i`: (key node, value node).
    fn members(&self, i: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        let mut j = i + 1;
        (0..self.nodes[i].len).map(move |_| {
            let member = (j, j + 1);
            j = self.after(j + 1);
            member
        })
    }

    fn text<'t>(&self, text: &'t str, i: usize) -> &'t str {
        &text[self.nodes[i].range()]
    }

    /// The canonical form of the value at `i`, as `write_canonical_json` writes the parsed
    /// document (keys sorted by their bytes, no whitespace, number text as given). `None`
    /// when an object repeats a key (serde_json keeps the last value; that path decides).
    ///
    /// A value whose text is already canonical (a leaf, or a container without whitespace
    /// whose keys are in order all the way down) is copied whole; so is an object member
    /// whose value is, when its object has no whitespace.
    fn write_canonical(&mut self, text: &str, i: usize, out: &mut Vec<u8>) -> Option<()> {
        let bytes = text.as_bytes();
        let node = self.nodes[i];
        if node.canonical() {
            out.extend_from_slice(&bytes[node.whole()]);
            return Some(());
        }
        match node.kind {
            Kind::Array => {
                out.push(b'[');
                let mut j = i + 1;
                for k in 0..node.len {
                    if k > 0 {
                        out.push(b',');
                    }
                    self.write_canonical(text, j, out)?;
                    j = self.after(j);
                }
                out.push(b']');
            }
            Kind::Object => {
                // The members go on a shared stack; nested objects push above this one's.
                let base = self.members.len();
                let mut j = i + 1;
                for _ in 0..node.len {
                    self.members.push((self.nodes[j].prefix, j, j + 1));
                    j = self.after(j + 1);
                }
                if !node.sorted {
                    if i == 0 && self.top.same_keys(&self.nodes, bytes, &self.members[base..]) {
                        // The keys of the last event, in the same order: sorted the same way
                        // (the sorted members are put after the given ones, then moved down).
                        let len = node.len as usize;
                        for &p in &self.top.order {
                            let m = self.members[base + p as usize];
                            self.members.push(m);
                        }
                        self.members.copy_within(base + len.., base);
                        self.members.truncate(base + len);
                    } else {
                        let nodes = &self.nodes;
                        let key = |k: usize| &bytes[nodes[k].range()];
                        let members = &mut self.members[base..];
                        members.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key(a.1).cmp(key(b.1))));
                        if members.windows(2).any(|w| w[0].0 == w[1].0 && key(w[0].1) == key(w[1].1)) {
                            self.members.truncate(base);
                            return None;
                        }
                        if i == 0 {
                            self.top.remember(&self.nodes, bytes, &self.members[base..]);
                        }
                    }
                }
                out.push(b'{');
                for m in base..base + node.len as usize {
                    if m > base {
                        out.push(b',');
                    }
                    let (_, k, v) = self.members[m];
                    let (key, value) = (self.nodes[k], self.nodes[v]);
                    if node.compact && value.canonical() {
                        // `"key":value` with nothing between: the member's text as it is.
                        out.extend_from_slice(&bytes[key.whole().start..value.whole().end]);
                    } else {
                        out.extend_from_slice(&bytes[key.whole()]);
                        out.push(b':');
                        self.write_canonical(text, v, out)?;
                    }
                }
                out.push(b'}');
                self.members.truncate(base);
            }
            // Leaves are canonical.
            _ => out.extend_from_slice(&bytes[node.whole()]),
        }
        Some(())
    }

    /// A string, or null (`Some(None)`); `None` for any other type.
    fn opt_str<'t>(&self, text: &'t str, i: usize) -> Option<Option<&'t str>> {
        match self.nodes[i].kind {
            Kind::Null => Some(None),
            Kind::String => Some(Some(self.text(text, i))),
            _ => None,
        }
    }

    /// Which of `names` the key at `k` is. A name is at most 16 bytes, so its length, its
    /// first eight bytes (the node's prefix) and the next eight (zero-padded) are the whole of
    /// it: three integer comparisons a name.
    #[inline(always)]
    fn key_of<const N: usize>(&self, text: &str, k: usize, names: &[Name; N]) -> Option<usize> {
        let key = &self.nodes[k];
        let len = key.stop - key.start;
        if len > 16 {
            return None;
        }
        let tail = if len > 8 { key_prefix(text.as_bytes(), key.start as usize + 8, key.stop as usize) } else { 0 };
        names.iter().position(|n| n.prefix == key.prefix && n.tail == tail && n.len == len)
    }

    /// The event's fields, each with its plain type (the rules of `read_plain`).
    fn fields<'t>(&self, text: &'t str) -> Option<(EventView<'t>, &'t str)> {
        let mut attrs: [Option<&'t str>; 6] = [None; 6];
        let mut correlationid = None;
        let mut data = DataView::default();
        for (k, v) in self.members(0) {
            match self.key_of(text, k, &EVENT_KEYS) {
                // specversion, id, source, type, subject, time
                Some(slot @ 0..=5) => {
                    if self.nodes[v].kind != Kind::String {
                        return None;
                    }
                    attrs[slot] = Some(self.text(text, v));
                }
                Some(CORRELATIONID) => correlationid = self.opt_str(text, v)?,
                Some(_data) => match self.nodes[v].kind {
                    Kind::Null => {}
                    Kind::Object => self.data(text, v, &mut data)?,
                    _ => return None,
                },
                None => {}
            }
        }
        let [specversion, id, source, event_type, subject, time] = attrs;
        let event = EventView {
            id: id?,
            source: source?,
            event_type: event_type?,
            subject: subject?,
            time: wire::parse_instant(time?).ok()?,
            correlationid,
            data,
        };
        Some((event, specversion?))
    }

    fn data<'t>(&self, text: &'t str, i: usize, event: &mut DataView<'t>) -> Option<()> {
        for (k, v) in self.members(i) {
            let Some(field) = self.key_of(text, k, &DATA_KEYS) else { continue };
            match field {
                EXPECTED_VERSION => match self.nodes[v].kind {
                    Kind::Null => {}
                    Kind::Number => {
                        let digits = self.text(text, v);
                        if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                            return None;
                        }
                        event.expected_version = Some(digits.parse().ok()?);
                    }
                    _ => return None,
                },
                REASONS => {
                    if self.nodes[v].kind != Kind::Array {
                        return None;
                    }
                    let mut reasons = Vec::with_capacity(self.nodes[v].len as usize);
                    for j in v + 1..self.nodes[v].end as usize {
                        if self.nodes[j].kind != Kind::String {
                            return None;
                        }
                        reasons.push(ReasonInput::Code(self.text(text, j).to_string()));
                    }
                    event.reasons = Cow::Owned(reasons);
                }
                _ => {
                    let slot = match field {
                        ACTOR => &mut event.actor,
                        WORKER_ID => &mut event.worker_id,
                        PROJECT_ID => &mut event.project_id,
                        _ => &mut event.approver_id,
                    };
                    *slot = self.opt_str(text, v)?;
                }
            }
        }
        Some(())
    }
}

/// A key the reader looks for (at most 16 bytes), with its first eight bytes and the next
/// eight as [`key_prefix`] gives them.
struct Name {
    #[cfg(test)]
    text: &'static str,
    prefix: u64,
    tail: u64,
    len: u32,
}

impl Name {
    const fn new(text: &'static str) -> Self {
        let bytes = text.as_bytes();
        assert!(bytes.len() <= 16, "a name is at most 16 bytes");
        let mut words = [[0u8; 8]; 2];
        let mut i = 0;
        while i < bytes.len() {
            words[i / 8][i % 8] = bytes[i];
            i += 1;
        }
        Name {
            #[cfg(test)]
            text,
            prefix: u64::from_be_bytes(words[0]),
            tail: u64::from_be_bytes(words[1]),
            len: bytes.len() as u32,
        }
    }
}

/// The event's attributes that are read, in the order of `fields`' slots.
const EVENT_KEYS: [Name; 8] = [
    Name::new("specversion"),
    Name::new("id"),
    Name::new("source"),
    Name::new("type"),
    Name::new("subject"),
    Name::new("time"),
    Name::new("correlationid"),
    Name::new("data"),
];
const CORRELATIONID: usize = 6;

/// The `data` fields that are read.
const DATA_KEYS: [Name; 6] = [
    Name::new("expected_version"),
    Name::new("actor"),
    Name::new("worker_id"),
    Name::new("project_id"),
    Name::new("approver_id"),
    Name::new("reasons"),
];
const EXPECTED_VERSION: usize = 0;
const ACTOR: usize = 1;
const WORKER_ID: usize = 2;
const PROJECT_ID: usize = 3;
const REASONS: usize = 5;

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::sync::fingerprint;

    const EVENT: &str = r#""specversion":"1.0","id":"e1","source":"psa","type":"record.posted","subject":"ts-1","time":"2026-03-02T09:00:00+01:00""#;

    /// The word-at-a-time search finds what a byte-at-a-time search finds, wherever the byte
    /// falls in a word, next to multi-byte characters and bytes above 0x7f.
    #[test]
    fn first_special_agrees_with_a_byte_search() {
        let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
        let fill = "aé€𝄞~ \x7f".as_bytes();
        for len in 0..40 {
            let base: Vec<u8> = fill.iter().copied().cycle().take(len).collect();
            assert_eq!(first_special(&base), naive(&base));
            for at in 0..len {
                for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
                    let mut b = base.clone();
                    b[at] = special;
                    assert_eq!(first_special(&b), naive(&b), "{b:?}");
                    // A second special byte after the first never hides it.
                    if at + 1 < len {
                        b[at + 1] = b'"';
                        assert_eq!(first_special(&b), Some(at));
                    }
                }
            }
        }
    }

    /// The top-level order remembered from one event is reused only for the same keys in the
    /// same order: events that differ in one key's length, first eight bytes, later bytes or
    /// order each get the fingerprint of their parsed document, whatever came before.
    #[test]
    fn the_remembered_top_level_order_fits_only_the_same_keys() {
        let texts = [
            format!(r#"{{{EVENT},"correlationid":"c","data":{{"b":1,"a":2}}}}"#),
            format!(r#"{{{EVENT},"correlationid":"d","data":{{"a":1}}}}"#),
            format!(r#"{{{EVENT},"correlationix":"c","data":null}}"#),
            format!(r#"{{{EVENT},"correlationidd":"c","data":null}}"#),
            format!(r#"{{{EVENT},"data":null,"correlationid":"c"}}"#),
            format!(r#"{{{EVENT},"Correlationid":"c","data":null}}"#),
            format!(r#"{{{EVENT},"data":null}}"#),
            format!(r#"{{{EVENT},"data":null,"zz":1}}"#),
            format!(r#"{{{EVENT},"data":null,"aa":1}}"#),
        ];
        let (mut scanner, mut buf) = (Scanner::default(), Vec::new());
        // Every text after every other, and each one twice in a row.
        for first in &texts {
            for then in &texts {
                for text in [first, then, then] {
                    let scanned = scanner.read(text, &mut buf).unwrap_or_else(|| panic!("not read: {text}"));
                    let value: Value = serde_json::from_str(text).unwrap();
                    assert_eq!(
                        crate::sync::Digest::from_bytes(scanned.fingerprint).to_string(),
                        fingerprint(&value, &mut Vec::new()),
                        "{first} then {text}"
                    );
                }
            }
        }
    }

    /// A key is one of the names exactly when its text is: near misses that share the length,
    /// the first eight bytes or a prefix are none of them.
    #[test]
    fn keys_are_named_by_their_whole_text() {
        let keys = [
            "specversion",
            "specversioN",
            "specversion2",
            "specvers",
            "specversio",
            "id",
            "i",
            "id2",
            "ID",
            "type",
            "typ",
            "types",
            "time",
            "data",
            "dat",
            "correlationid",
            "correlationiD",
            "correlation",
            "subject",
            "subjects",
            "source",
            "",
            "expected_version",
            "expected_versions",
            "expected_versioN",
            "actor",
            "worker_id",
            "worker_i",
            "project_id",
            "approver_id",
            "approver_iD",
            "reasons",
            "reason",
            "expected_version_",
            "expected_versio",
            "xpected_version",
        ];
        let mut scanner = Scanner::default();
        for key in keys {
            // The key last in the text, so that its tail is read up to the text's end.
            let text = format!(r#"{{"{key}""#);
            scanner.nodes.clear();
            let (start, stop) = (2, 2 + key.len());
            scanner.push(Kind::Key, (start, stop));
            scanner.nodes[0].prefix = key_prefix(text.as_bytes(), start, stop);
            let expected = |names: &[Name]| names.iter().position(|n| n.text == key);
            assert_eq!(scanner.key_of(&text, 0, &EVENT_KEYS), expected(&EVENT_KEYS), "{key}");
            assert_eq!(scanner.key_of(&text, 0, &DATA_KEYS), expected(&DATA_KEYS), "{key}");
        }
    }

    /// The fast reader's fingerprint is the one of the parsed document, for every plain
    /// document; and what it does not read (escapes, exponents, repeated keys, non-plain field
    /// types, invalid JSON) it leaves to serde_json.
    #[test]
    fn fingerprints_agree_with_the_parsed_document() {
        let read = [
            format!("{{{EVENT}}}"),
            format!(" {{ {EVENT} , \"data\" : {{ \"expected_version\" : 1 , \"x\" : [ ] , \"y\" : {{ }} }} }}\n"),
            format!(r#"{{{EVENT},"data":{{"expected_version":7,"n":[-0,1.50,0.0,12345678901234567890123,-3.25]}}}}"#),
            format!(r#"{{"é":"ü","z":[true,false,null,{{"b":1,"a":[{{"d":2,"c":3}}]}}],{EVENT},"data":null}}"#),
            format!(
                r#"{{{EVENT},"correlationid":null,"data":{{"expected_version":null,"actor":null,"reasons":["a","b"]}}}}"#
            ),
            // Already canonical, written whole: keys in order, no whitespace, at every level.
            r#"{"data":{"a":[1,{"b":true,"c":null}],"expected_version":2},"id":"e1","source":"psa","specversion":"1.0","subject":"ts-1","time":"2026-03-02T09:00:00+01:00","type":"record.posted"}"#.to_string(),
            // In order but with whitespace inside one object; in order outside, not inside.
            r#"{"data":{"b":1, "a":2},"id":"e1","source":"psa","specversion":"1.0","subject":"ts-1","time":"2026-03-02T09:00:00+01:00","type":"record.posted"}"#.to_string(),
            format!(r#"{{{EVENT},"data":{{"z":[{{"y":1,"x":2}},{{"a":1}}],"m":{{ "b" : [ ] }}}}}}"#),
            // Keys sharing their first eight bytes or more, a key that is a prefix of another,
            // the empty key, and a short key at the very end of the text.
            format!(
                r#"{{{EVENT},"data":{{"abcdefgh1":1,"abcdefgh":2,"abcdefgh0":3,"correlation":4,"":5,"abcdefgi":6}},"k":7}}"#
            ),
        ];
        let fallback = [
            format!(r#"{{{EVENT},"x":"a\"b"}}"#),
            format!(r#"{{{EVENT},"x":1e5}}"#),
            format!(r#"{{{EVENT},"x":1,"x":2}}"#),
            format!(r#"{{{EVENT},"data":{{"abcdefgh1":1,"abcdefgh1":2}}}}"#),
            format!(r#"{{"a":1,"a":1,{EVENT}}}"#),
            format!(r#"{{{EVENT},"data":{{"expected_version":"1"}}}}"#),
            format!(r#"{{{EVENT},"data":{{"expected_version":1.0}}}}"#),
            format!(r#"{{{EVENT},"data":{{"reasons":[{{"code":"x"}}]}}}}"#),
            format!(r#"{{{EVENT},"correlationid":5}}"#),
            r#"{"specversion":"1.0","id":"e1"}"#.to_string(),
            format!(r#"{{{EVENT},}}"#),
            format!(r#"{{{EVENT},"x":01}}"#),
            format!(r#"{{{EVENT}}} x"#),
            "[1,2]".to_string(),
        ];
        let (mut scanner, mut buf) = (Scanner::default(), Vec::new());
        for text in &read {
            let scanned = scanner.read(text, &mut buf).unwrap_or_else(|| panic!("not read: {text}"));
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                crate::sync::Digest::from_bytes(scanned.fingerprint).to_string(),
                fingerprint(&value, &mut Vec::new()),
                "{text}"
            );
            assert_eq!((scanned.event.id, scanned.event.subject, scanned.specversion), ("e1", "ts-1", "1.0"));
        }
        for text in &fallback {
            assert!(scanner.read(text, &mut buf).is_none(), "read: {text}");
        }
    }
}
