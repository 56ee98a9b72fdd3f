//! JSON Lines → documents, one per line.
//!
//! Each non-blank line must be a JSON object; its text field (default `text`) must be a
//! string, and its id field (default `id`), when present, a string or a number. Without an
//! id, a document is named `FILE:LINE`. A UTF-8 byte order mark at the start of the file and
//! CRLF line endings are accepted; blank lines are skipped; the last line needs no newline.
//!
//! A bad line is an error for that line only, and reading goes on with the next:
//! invalid JSON, a line that is an array, a number or a string, a missing text field, a text
//! that is null or a number, a lone surrogate, nesting deeper than serde_json's limit (128).
//! A line longer than `max_doc_bytes` is skipped without being held in memory.
//!
//! Only the two named fields are decoded; every other field is skipped without allocating.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufRead};
use std::path::Path;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

use crate::document::{Document, Source};
use crate::error::{Error, RecordError};

/// Field names and limits for reading JSON Lines.
#[derive(Debug, Clone)]
pub struct JsonlOptions {
    /// The field holding the text.
    pub text_field: String,
    /// The field holding the id.
    pub id_field: String,
    /// Longest line accepted, in bytes.
    pub max_doc_bytes: u64,
}

impl Default for JsonlOptions {
    fn default() -> JsonlOptions {
        JsonlOptions {
            text_field: "text".to_string(),
            id_field: "id".to_string(),
            max_doc_bytes: 64 << 20,
        }
    }
}

/// One line of a JSON Lines stream, read but not parsed.
#[derive(Debug, Clone, Copy)]
pub struct RawLine<'a> {
    /// Line number, from 1.
    pub line: u64,
    /// Where the line starts in the stream.
    pub offset: u64,
    /// The line without its `\n`, or `None` when it was longer than the limit.
    pub bytes: Option<&'a [u8]>,
}

/// Reads the lines of a JSON Lines stream in blocks of about `block_bytes` (the first ones
/// smaller, from 64 KiB, doubling), handing
/// `on_block` the lines of each (in order; a line longer than `max_doc_bytes` as
/// [`RawLine::bytes`] `None`, consumed without being held).
///
/// The stream is read in large reads into one buffer, lines are found with `memchr` and lent
/// out of it: no allocation or copy per line. The buffer holds a block plus the longest line
/// (at most `max_doc_bytes`).
pub fn read_line_blocks(
    reader: &mut dyn io::Read,
    max_doc_bytes: u64,
    block_bytes: usize,
    mut on_block: impl FnMut(&[RawLine<'_>]),
) -> io::Result<()> {
    let max = usize::try_from(max_doc_bytes).unwrap_or(usize::MAX);
    let block_bytes = block_bytes.clamp(1, 1 << 30);
    // `buf[..filled]` holds bytes read and not yet handed out.
    let mut buf: Vec<u8> = Vec::new();
    let mut filled = 0usize;
    let mut block = block_bytes.min(64 << 10);
    // Lines as (line, offset, range in `buf` or `None` when too long).
    let mut spans: Vec<(u64, u64, Option<std::ops::Range<usize>>)> = Vec::new();
    let mut line: u64 = 0;
    // Stream offset of `buf[0]`.
    let mut base: u64 = 0;
    // Skipping the rest of a line too long to hold: its number and offset.
    let mut skipping: Option<(u64, u64)> = None;
    let mut eof = false;
    while !eof {
        // Fill the buffer to a block (past any partial line carried over). Its bytes are
        // zeroed only when it grows, not on every fill, and blocks start small so that a
        // small file costs a small buffer.
        let want = filled + block;
        block = (2 * block).min(block_bytes);
        if buf.len() < want {
            buf.resize(want, 0);
        }
        while filled < want {
            match reader.read(&mut buf[filled..want]) {
                Ok(0) => {
                    eof = true;
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        let data = &buf[..filled];
        spans.clear();
        let mut start = 0usize;
        if let Some((n, offset)) = skipping {
            match memchr::memchr(b'\n', data) {
                Some(i) => {
                    spans.push((n, offset, None));
                    skipping = None;
                    start = i + 1;
                }
                None => {
                    // All of it belongs to the line being skipped.
                    start = filled;
                    if eof {
                        spans.push((n, offset, None));
                    }
                }
            }
        }
        if skipping.is_none() {
            let from = start;
            for nl in memchr::memchr_iter(b'\n', &data[from..]) {
                let end = from + nl;
                line += 1;
                let range = (end - start <= max).then_some(start..end);
                spans.push((line, base + start as u64, range));
                start = end + 1;
            }
            let rest = filled - start;
            if eof && rest > 0 {
                line += 1;
                let range = (rest <= max).then_some(start..filled);
                spans.push((line, base + start as u64, range));
                start = filled;
            } else if rest > max {
                // An unfinished line already over the limit: drop what was read of it.
                line += 1;
                skipping = Some((line, base + start as u64));
                start = filled;
            }
        }
        if !spans.is_empty() {
            let lines: Vec<RawLine<'_>> = spans
                .iter()
                .map(|(line, offset, range)| RawLine {
                    line: *line,
                    offset: *offset,
                    bytes: range.clone().map(|r| &data[r]),
                })
                .collect();
            on_block(&lines);
        }
        // Carry the unfinished line to the front.
        buf.copy_within(start..filled, 0);
        filled -= start;
        base += start as u64;
    }
    Ok(())
}

/// Reads the lines of a JSON Lines stream one at a time (see [`read_line_blocks`]).
pub fn read_lines(
    reader: &mut dyn io::Read,
    max_doc_bytes: u64,
    mut on_line: impl FnMut(RawLine<'_>),
) -> io::Result<()> {
    read_line_blocks(reader, max_doc_bytes, 1 << 20, |lines| {
        lines.iter().for_each(|&l| on_line(l))
    })
}

/// The document of one line: `None` for a blank line. `seekable` says whether the line can
/// be read again at its offset (a plain file), which the source records.
pub fn parse_line(
    raw: &RawLine<'_>,
    path: &Path,
    options: &JsonlOptions,
    seekable: bool,
) -> Option<crate::Result<Document>> {
    let bad = |reason| Error::Record {
        path: path.to_path_buf(),
        line: raw.line,
        reason,
    };
    let Some(bytes) = raw.bytes else {
        return Some(Err(bad(RecordError::TooLong(options.max_doc_bytes))));
    };
    let bytes = record_bytes(bytes, raw.line)?;
    Some(match parse_record(bytes, options) {
        Ok((id, text)) => Ok(Document {
            id: id.unwrap_or_else(|| format!("{}:{}", crate::document::path_id(path), raw.line)),
            text,
            source: Source::Line {
                path: path.to_path_buf(),
                line: raw.line,
                offset: seekable.then_some(raw.offset),
            },
            encoding: "UTF-8",
        }),
        Err(reason) => Err(bad(reason)),
    })
}

/// A line's JSON: without a byte order mark (on line 1) or a trailing `\r`; `None` when blank.
fn record_bytes(bytes: &[u8], line: u64) -> Option<&[u8]> {
    let mut bytes = bytes;
    if line == 1 {
        bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    }
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    (!bytes.iter().all(u8::is_ascii_whitespace)).then_some(bytes)
}

/// Reads every record of a JSON Lines stream. `path` names the file in ids and errors.
/// `on_record` gets each document, or the error of each bad line, in order. An `io::Error`
/// (a truncated compressed stream, a read failure) ends the file and is returned. Sources
/// carry no offset (the stream is read once).
pub fn read_records(
    reader: &mut dyn BufRead,
    path: &Path,
    options: &JsonlOptions,
    mut on_record: impl FnMut(crate::Result<Document>),
) -> io::Result<()> {
    read_lines(reader as &mut dyn io::Read, options.max_doc_bytes, |raw| {
        if let Some(r) = parse_line(&raw, path, options, false) {
            on_record(r);
        }
    })
}

/// The text of the record at `offset` of a plain JSON Lines file (line `line`), read again.
/// `hint` is about how long the line is (the text's length will do): the line is read with
/// positioned reads of about that size, not through a buffer of the rest of the file, and each
/// thread keeps its last file open, since the records read again mostly come from a few files.
pub fn reread_text(
    path: &Path,
    line: u64,
    offset: u64,
    hint: usize,
    options: &JsonlOptions,
) -> Result<String, String> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<(std::path::PathBuf, std::fs::File)>> =
            const { std::cell::RefCell::new(None) };
    }
    let buf = LAST.with(|last| -> io::Result<Vec<u8>> {
        let mut last = last.borrow_mut();
        if last.as_ref().is_none_or(|(p, _)| p != path) {
            *last = Some((path.to_path_buf(), std::fs::File::open(path)?));
        }
        let (_, file) = last.as_ref().expect("opened above");
        read_line_at(file, offset, hint, options.max_doc_bytes)
    });
    let buf = buf.map_err(|e| format!("line {line}: {e}"))?;
    let bytes = record_bytes(&buf, line).ok_or_else(|| format!("line {line} is blank now"))?;
    parse_record(bytes, options)
        .map(|(_, text)| text)
        .map_err(|e| format!("line {line}: {e}"))
}

/// The line starting at `offset` (without its `\n`), read in chunks from `hint` bytes on.
fn read_line_at(file: &std::fs::File, offset: u64, hint: usize, max: u64) -> io::Result<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = hint + hint / 4 + 256;
    loop {
        let start = buf.len();
        buf.resize(start + chunk, 0);
        let n = read_at(file, &mut buf[start..], offset + start as u64)?;
        buf.truncate(start + n);
        if let Some(end) = memchr::memchr(b'\n', &buf[start..]) {
            buf.truncate(start + end);
            return Ok(buf);
        }
        if n == 0 {
            if buf.is_empty() {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the line is gone",
                ));
            }
            return Ok(buf);
        }
        if buf.len() as u64 > max {
            return Err(io::Error::other(
                "the line is longer than --max-doc-bytes now",
            ));
        }
        chunk = chunk.max(buf.len());
    }
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::os::unix::fs::FileExt;
    let mut done = 0;
    while done < buf.len() {
        match file.read_at(&mut buf[done..], offset + done as u64) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

#[cfg(not(unix))]
fn read_at(file: &std::fs::File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file;
    file.seek(SeekFrom::Start(offset))?;
    let mut done = 0;
    while done < buf.len() {
        match file.read(&mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Parses one line into `(id, text)`: records of the usual shape by [`fast::record`], any
/// other by serde_json.
fn parse_record(
    bytes: &[u8],
    options: &JsonlOptions,
) -> Result<(Option<String>, String), RecordError> {
    match fast::record(bytes, options) {
        Some(record) => Ok(record),
        None => parse_record_serde(bytes, options),
    }
}

/// [`parse_record`] by serde_json alone.
fn parse_record_serde(
    bytes: &[u8],
    options: &JsonlOptions,
) -> Result<(Option<String>, String), RecordError> {
    let parse = |raw_text| -> Result<Parsed, RecordError> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let record = RecordSeed { options, raw_text }
            .deserialize(&mut de)
            .map_err(RecordError::Json)?;
        de.end().map_err(RecordError::Json)?;
        Ok(record)
    };
    let record = match parse(true)? {
        Parsed::Redo => parse(false)?,
        record => record,
    };
    match record {
        Parsed::Redo => unreachable!("a record parsed without raw text is never redone"),
        Parsed::NotObject(kind) => Err(RecordError::NotAnObject(kind)),
        Parsed::Object { id, text } => match text {
            None => Err(RecordError::MissingText(options.text_field.clone())),
            Some(Err(found)) => Err(RecordError::TextNotString {
                field: options.text_field.clone(),
                found,
            }),
            Some(Ok(text)) => Ok((id, text)),
        },
    }
}

enum Parsed {
    NotObject(&'static str),
    /// The raw text could not be decided on without serde_json's own string parsing.
    Redo,
    Object {
        id: Option<String>,
        text: Option<Result<String, &'static str>>,
    },
}

struct RecordSeed<'a> {
    options: &'a JsonlOptions,
    /// Take the text as a raw JSON value and unescape it here ([`string_of`]).
    raw_text: bool,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = Parsed;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Parsed, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_bool<E>(self, _: bool) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("a boolean"))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("a number"))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("a number"))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("a number"))
    }
    fn visit_str<E>(self, _: &str) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("a string"))
    }
    fn visit_unit<E>(self) -> Result<Parsed, E> {
        Ok(Parsed::NotObject("null"))
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Parsed::NotObject("an array"))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let (mut id, mut text, mut redo) = (None, None, false);
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == self.options.text_field {
                // Taken raw and unescaped here, into a string allocated once: serde_json
                // unescaped it into a buffer that grew by doubling (a new one per line),
                // then copied it out.
                if !self.raw_text {
                    text = Some(match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::String(s) => Ok(s),
                        other => Err(kind(&other)),
                    });
                    continue;
                }
                let raw = map.next_value::<&'de RawValue>()?.get();
                text = match string_of(raw) {
                    Some(s) => Some(Ok(s)),
                    None if raw.starts_with('"') => {
                        // A lone surrogate escape: the record is parsed again the usual way,
                        // so that it gets serde_json's own verdict and message.
                        redo = true;
                        None
                    }
                    None => match serde_json::from_str::<serde_json::Value>(raw) {
                        Ok(other) => Some(Err(kind(&other))),
                        Err(_) => {
                            redo = true;
                            None
                        }
                    },
                };
            } else if key == self.options.id_field {
                id = match map.next_value::<serde_json::Value>()? {
                    serde_json::Value::String(s) => Some(s),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    _ => None,
                };
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(if redo {
            Parsed::Redo
        } else {
            Parsed::Object { id, text }
        })
    }
}

/// The string a JSON string literal stands for (`literal` is one as serde_json validated
/// it: quotes, valid escapes, no control characters, UTF-8), or `None` when it is not a
/// string or holds a surrogate escape outside a pair, which serde_json then decides on.
fn string_of(literal: &str) -> Option<String> {
    let body = literal.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(i) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        let escape = rest.as_bytes().get(i + 1)?;
        rest = &rest[i + 2..];
        out.push(match escape {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = hex4(rest)?;
                rest = &rest[4..];
                match unit {
                    0xd800..0xdc00 => {
                        let low = hex4(rest.strip_prefix("\\u")?)?;
                        if !(0xdc00..0xe000).contains(&low) {
                            return None;
                        }
                        rest = &rest[6..];
                        char::from_u32(0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00))?
                    }
                    _ => char::from_u32(unit)?,
                }
            }
            _ => return None,
        });
    }
    out.push_str(rest);
    Some(out)
}

/// Records of the usual shape, `{"id": "...", "text": "...", ...}`, read in one pass over
/// their bytes. serde_json scans a string eight bytes at a time and then checks its UTF-8 in
/// a second pass; the text field is most of a line's bytes, and reading it was a twentieth
/// of a scan's time.
mod fast {
    use super::JsonlOptions;

    /// `(id, text)` of a record that is one object whose members' values are all strings,
    /// with keys holding no escapes, and a text field; `None` for anything else, and for
    /// what this does not check the way serde_json does (a `\u` escape of a surrogate):
    /// serde_json then decides, with its own messages for what is wrong. Where this gives a
    /// record, serde_json gives the same one (a proptest compares them).
    pub(super) fn record(bytes: &[u8], options: &JsonlOptions) -> Option<(Option<String>, String)> {
        let mut at = skip_space(bytes, 0);
        if bytes.get(at) != Some(&b'{') {
            return None;
        }
        at = skip_space(bytes, at + 1);
        let (mut id, mut text) = (None, None);
        loop {
            let (key, escaped, end) = string_at(bytes, at)?;
            if escaped {
                return None;
            }
            let key = std::str::from_utf8(key).ok()?;
            at = skip_space(bytes, end);
            if bytes.get(at) != Some(&b':') {
                return None;
            }
            at = skip_space(bytes, at + 1);
            let (raw, escaped, end) = string_at(bytes, at)?;
            // Every value is checked as serde_json would check it; only the two fields are
            // kept, the text field first, as serde_json's visitor takes them, and the last
            // of a repeated key stands.
            let keep = key == options.text_field || key == options.id_field;
            let mut value = keep.then(|| String::with_capacity(raw.len()));
            unescape(raw, escaped, value.as_mut())?;
            if key == options.text_field {
                text = value;
            } else if key == options.id_field {
                id = value;
            }
            at = skip_space(bytes, end);
            match bytes.get(at) {
                Some(b',') => at = skip_space(bytes, at + 1),
                Some(b'}') => break,
                _ => return None,
            }
        }
        (skip_space(bytes, at + 1) == bytes.len()).then_some((id, text?))
    }

    /// Past JSON's whitespace from `at`.
    fn skip_space(bytes: &[u8], mut at: usize) -> usize {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = bytes.get(at) {
            at += 1;
        }
        at
    }

    /// The string literal at `at`: its bytes between the quotes, whether it holds escapes,
    /// and where it ends (past the closing quote); `None` when there is none there or it
    /// holds a control character or no end.
    fn string_at(bytes: &[u8], at: usize) -> Option<(&[u8], bool, usize)> {
        if bytes.get(at) != Some(&b'"') {
            return None;
        }
        let (start, mut i, mut escaped) = (at + 1, at + 1, false);
        loop {
            i = next_special(bytes, i)?;
            match bytes[i] {
                b'"' => return Some((&bytes[start..i], escaped, i + 1)),
                b'\\' => {
                    // What follows is checked when unescaped; here it is only stepped over
                    // (it may be a quote).
                    escaped = true;
                    i += 2;
                }
                _ => return None,
            }
        }
    }

    /// Where the first quote, backslash or control character (below 0x20) at or after `i`
    /// is, sixteen bytes at a time.
    fn next_special(bytes: &[u8], mut i: usize) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        while let Some(chunk) = bytes.get(i..i + 16) {
            // SAFETY: SSE2 is in the x86-64 baseline, so every x86-64 processor has it.
            let found = unsafe { sse2::specials(chunk.try_into().expect("sixteen bytes")) };
            if found != 0 {
                return Some(i + found.trailing_zeros() as usize);
            }
            i += 16;
        }
        let rest = bytes.get(i..)?;
        rest.iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .map(|k| i + k)
    }

    /// Checks that a literal's bytes stand for a string, and writes it to `out` if given;
    /// `None` when they are not UTF-8, hold an escape JSON does not have, or a `\u` escape
    /// of a surrogate (left to serde_json).
    fn unescape(raw: &[u8], escaped: bool, mut out: Option<&mut String>) -> Option<()> {
        // Escapes are ASCII, so the literal is UTF-8 exactly when the pieces between them are.
        let raw = std::str::from_utf8(raw).ok()?;
        let mut push = |s: &str| {
            if let Some(out) = out.as_deref_mut() {
                out.push_str(s);
            }
        };
        if !escaped {
            push(raw);
            return Some(());
        }
        let mut rest = raw;
        while let Some(i) = memchr::memchr(b'\\', rest.as_bytes()) {
            push(&rest[..i]);
            // The escape's letter is checked before the text is cut after it: anything but
            // an ASCII letter of an escape (a character of several bytes, say) is refused.
            let (c, len) = match *rest.as_bytes().get(i + 1)? {
                b'"' => ('"', 2),
                b'\\' => ('\\', 2),
                b'/' => ('/', 2),
                b'b' => ('\u{8}', 2),
                b'f' => ('\u{c}', 2),
                b'n' => ('\n', 2),
                b'r' => ('\r', 2),
                b't' => ('\t', 2),
                b'u' => (char::from_u32(super::hex4(&rest[i + 2..])?)?, 6),
                _ => return None,
            };
            push(c.encode_utf8(&mut [0; 4]));
            rest = &rest[i + len..];
        }
        push(rest);
        Some(())
    }

    #[cfg(target_arch = "x86_64")]
    mod sse2 {
        use std::arch::x86_64::{
            _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8, _mm_setzero_si128,
        };

        /// Bit `k` set when byte `k` is a quote, a backslash or below 0x20.
        #[target_feature(enable = "sse2")]
        pub(super) fn specials(bytes: &[u8; 16]) -> u32 {
            // SAFETY: the 16 bytes read are `bytes`; the load has no alignment requirement.
            let v = unsafe { _mm_loadu_si128(bytes.as_ptr().cast()) };
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            // Below 0x20: none of the top three bits set.
            let control = _mm_cmpeq_epi8(
                _mm_and_si128(v, _mm_set1_epi8(0xe0u8 as i8)),
                _mm_setzero_si128(),
            );
            _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), control)) as u32
        }
    }
}

/// The value of four hex digits at the start of `s`.
fn hex4(s: &str) -> Option<u32> {
    let digits = s.get(..4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader handing out at most `chunk` bytes per read.
    struct Trickle<'a> {
        data: &'a [u8],
        chunk: usize,
    }

    impl io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.chunk.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// A JSON string literal for `units` (UTF-16 code units, lone surrogates allowed): each
    /// unit as a `\\u` escape or, where `raw` says and it is a character needing no escape,
    /// as itself; with the short escapes for the characters that have one.
    fn literal(units: &[(u16, bool)]) -> String {
        let mut out = String::from("\"");
        for &(u, raw) in units {
            match char::from_u32(u32::from(u)) {
                Some('"') if raw => out.push_str("\\\""),
                Some('\\') if raw => out.push_str("\\\\"),
                Some('\n') if raw => out.push_str("\\n"),
                Some('/') if raw => out.push_str("\\/"),
                Some(c) if raw && c >= ' ' => out.push(c),
                _ => out.push_str(&format!("\\u{u:04X}")),
            }
        }
        out.push('"');
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]
        /// Unescaping a string literal here gives what serde_json gives, and where it
        /// declines (a surrogate escape outside a pair), serde_json's way decides.
        #[test]
        fn string_literals_unescape_as_serde_json_does(
            pieces in proptest::collection::vec(
                (proptest::prop_oneof![
                    // Mostly characters (ASCII most), as one unit or a surrogate pair...
                    8 => proptest::strategy::Strategy::prop_map(proptest::char::range('\0', '\u{7f}'), Some),
                    4 => proptest::strategy::Strategy::prop_map(proptest::char::any(), Some),
                    // ...and now and then a code unit of its own, a lone surrogate perhaps.
                    1 => proptest::strategy::Strategy::prop_map(proptest::num::u16::ANY, |_| None),
                ], proptest::num::u16::ANY, proptest::bool::ANY),
                0..40,
            ),
        ) {
            let units: Vec<(u16, bool)> = pieces
                .iter()
                .flat_map(|&(c, unit, raw)| match c {
                    Some(c) => c.encode_utf16(&mut [0; 2]).iter().map(|&u| (u, raw)).collect(),
                    None => vec![(unit, raw)],
                })
                .collect();
            let lit = literal(&units);
            let theirs = serde_json::from_str::<String>(&lit).ok();
            match string_of(&lit) {
                Some(ours) => proptest::prop_assert_eq!(Some(ours), theirs),
                None => proptest::prop_assert!(
                    units.iter().any(|&(u, _)| (0xd800..0xe000).contains(&u)),
                    "declined {}", lit
                ),
            }
            // And whole records read the same either way.
            let line = format!(r#"{{"id":"x","text":{lit},"n":1}}"#);
            let options = JsonlOptions::default();
            let redone = |raw_text| {
                let mut de = serde_json::Deserializer::from_slice(line.as_bytes());
                RecordSeed { options: &options, raw_text }.deserialize(&mut de).map(|p| match p {
                    Parsed::Object { id, text } => format!("{id:?} {text:?}"),
                    Parsed::NotObject(k) => k.to_string(),
                    Parsed::Redo => "redo".to_string(),
                }).map_err(|e| e.to_string())
            };
            let plain = redone(false);
            let fast = parse_record(line.as_bytes(), &options)
                .map(|(id, text)| format!("{id:?} {:?}", Some(Ok::<String, &str>(text))))
                .map_err(|e| match e {
                    RecordError::Json(e) => e.to_string(),
                    other => format!("{other:?}"),
                });
            proptest::prop_assert_eq!(fast, plain);
        }
    }

    /// What serde_json alone makes of a line, to compare with.
    fn by_serde(line: &[u8]) -> Result<(Option<String>, String), String> {
        parse_record_serde(line, &JsonlOptions::default()).map_err(|e| format!("{e:?}"))
    }

    #[test]
    fn usual_records_take_the_fast_way() {
        let options = JsonlOptions::default();
        for line in [
            r#"{"id":"doc-1","text":"One line.\nAnother, \"quoted\" \u00e9t\u00E9."}"#,
            " { \"text\" : \"caf\u{e9} \\/ tab\\t\" , \"id\":\"x\", \"url\": \"http://a\" } \t",
            r#"{"title":"no id","text":"plain"}"#,
        ] {
            let fast = fast::record(line.as_bytes(), &options);
            assert!(fast.is_some(), "{line}");
            assert_eq!(fast.map(Ok), Some(by_serde(line.as_bytes())), "{line}");
        }
        // Left to serde_json: a number, nesting, a surrogate escape, a key with an escape,
        // a missing text, a trailing comma.
        for line in [
            r#"{"id":7,"text":"a"}"#,
            r#"{"id":"a","meta":{},"text":"a"}"#,
            r#"{"id":"a","text":"\ud83d\ude00"}"#,
            r#"{"t\u0065xt":"a"}"#,
            r#"{"id":"a"}"#,
            r#"{"id":"a","text":"b",}"#,
        ] {
            assert_eq!(fast::record(line.as_bytes(), &options), None, "{line}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        /// Whatever line the fast way reads, serde_json reads the same: records made of
        /// pieces of JSON and of what breaks it (control characters, bad escapes, bytes that
        /// are not UTF-8, stray quotes), at every length around the sixteen-byte steps.
        #[test]
        fn fast_records_are_serde_json_records(
            fields in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["id", "text", "title", "te", "t\\u0065xt"]),
                    proptest::collection::vec(
                        proptest::prop_oneof![
                            6 => proptest::strategy::Strategy::prop_map(proptest::sample::select(vec![
                                "a", "bc", " ", "0123456789abcdef", "\u{e9}", "\u{1f600}",
                                "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\u0041",
                            ]), |s: &str| s.as_bytes().to_vec()),
                            1 => proptest::strategy::Strategy::prop_map(proptest::sample::select(vec![
                                "\"", "\\", "\\x", "\\u12", "\\ud800", "\u{1}", "\t", "\n",
                            ]), |s: &str| s.as_bytes().to_vec()),
                            1 => proptest::collection::vec(proptest::num::u8::ANY, 1..3),
                        ],
                        0..12,
                    ),
                ),
                0..4,
            ),
            gaps in proptest::sample::select(vec!["", " ", "\t", " \r\n "]),
            tail in proptest::sample::select(vec!["", " ", "x", ",", "}"]),
        ) {
            let mut line = format!("{gaps}{{").into_bytes();
            for (k, (key, pieces)) in fields.iter().enumerate() {
                if k > 0 {
                    line.extend_from_slice(gaps.as_bytes());
                    line.push(b',');
                }
                line.extend_from_slice(format!("{gaps}\"{key}\"{gaps}:{gaps}\"").as_bytes());
                pieces.iter().for_each(|p| line.extend_from_slice(p));
                line.push(b'"');
            }
            line.extend_from_slice(format!("{gaps}}}{gaps}{tail}").as_bytes());
            if let Some(record) = fast::record(&line, &JsonlOptions::default()) {
                proptest::prop_assert_eq!(Ok(record), by_serde(&line), "{:?}", String::from_utf8_lossy(&line));
            }
        }
    }

    proptest::proptest! {
        /// Blocks give the lines a plain split gives, with their numbers and offsets, the
        /// lines over the limit as too long, whatever the block and read sizes.
        #[test]
        fn line_blocks_split_like_a_plain_split(
            text in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b'b', b'\n', b'\r', b'{']), 0..300),
            block in 1usize..40,
            chunk in 1usize..50,
            max in 0u64..30,
        ) {
            let mut want = Vec::new();
            let mut offset = 0u64;
            let mut pieces: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
            if text.last() == Some(&b'\n') || text.is_empty() {
                pieces.pop();
            }
            for (i, piece) in pieces.iter().enumerate() {
                let bytes = (piece.len() as u64 <= max).then(|| piece.to_vec());
                want.push((i as u64 + 1, offset, bytes));
                offset += piece.len() as u64 + 1;
            }
            let mut got = Vec::new();
            let mut reader = Trickle { data: &text, chunk };
            read_line_blocks(&mut reader, max, block, |lines| {
                got.extend(lines.iter().map(|l| (l.line, l.offset, l.bytes.map(<[u8]>::to_vec))));
            })
            .unwrap();
            proptest::prop_assert_eq!(got, want);
        }
    }

    fn read(input: &[u8], options: &JsonlOptions) -> (Vec<Document>, Vec<String>) {
        let (mut docs, mut errs) = (Vec::new(), Vec::new());
        let mut r = input;
        read_records(&mut r, Path::new("s.jsonl"), options, |rec| match rec {
            Ok(d) => docs.push(d),
            Err(e) => errs.push(e.to_string()),
        })
        .unwrap();
        (docs, errs)
    }

    #[test]
    fn reads_ids_texts_and_fallback_ids() {
        let (docs, errs) = read(
            b"{\"id\":\"a\",\"text\":\"hello\"}\n{\"id\":7,\"text\":\"x\",\"meta\":{\"deep\":[1,2]}}\n{\"text\":\"no id\"}",
            &JsonlOptions::default(),
        );
        assert!(errs.is_empty(), "{errs:?}");
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["a", "7", "s.jsonl:3"]);
        assert_eq!(
            docs[2].source,
            Source::Line {
                path: "s.jsonl".into(),
                line: 3,
                offset: None,
            }
        );
    }

    #[test]
    fn bom_crlf_and_blank_lines() {
        let (docs, errs) = read(
            b"\xef\xbb\xbf{\"text\":\"one\"}\r\n\r\n   \n{\"text\":\"two\"}\r\n",
            &JsonlOptions::default(),
        );
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(
            docs.iter().map(|d| d.text.as_str()).collect::<Vec<_>>(),
            ["one", "two"]
        );
        assert_eq!(docs[1].id, "s.jsonl:4");
    }

    #[test]
    fn bad_lines_are_errors_and_reading_goes_on() {
        let input = b"{\"text\":\"ok1\"}\n{bad json\n[1,2]\n42\n{\"title\":\"no text\"}\n{\"text\":null}\n{\"text\":3}\n{\"text\":\"\\ud800\"}\n{\"text\":\"ok2\"}\n";
        let (docs, errs) = read(input, &JsonlOptions::default());
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].text, "ok2");
        assert_eq!(errs.len(), 7, "{errs:?}");
        assert!(
            errs[0].starts_with("reading s.jsonl line 2: invalid JSON: "),
            "{}",
            errs[0]
        );
        assert_eq!(
            errs[1],
            "reading s.jsonl line 3: not a JSON object (found an array)"
        );
        assert_eq!(
            errs[2],
            "reading s.jsonl line 4: not a JSON object (found a number)"
        );
        assert_eq!(errs[3], "reading s.jsonl line 5: no \"text\" field");
        assert_eq!(
            errs[4],
            "reading s.jsonl line 6: \"text\" is null, not a string"
        );
        assert_eq!(
            errs[5],
            "reading s.jsonl line 7: \"text\" is a number, not a string"
        );
        assert!(
            errs[6].starts_with("reading s.jsonl line 8: invalid JSON: "),
            "{}",
            errs[6]
        );
    }

    #[test]
    fn deep_nesting_never_crashes() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        // Deep nesting in a field we skip is skipped.
        let line = format!("{{\"text\":\"t\",\"x\":{}}}", nested(100_000));
        let (docs, errs) = read(line.as_bytes(), &JsonlOptions::default());
        assert_eq!((docs.len(), errs.len()), (1, 0));
        // In the text field it is an error for that line.
        let line = format!("{{\"text\":{}}}\n{{\"text\":\"ok\"}}", nested(100_000));
        let (docs, errs) = read(line.as_bytes(), &JsonlOptions::default());
        assert_eq!(docs.len(), 1);
        assert!(errs[0].contains("recursion limit"), "{errs:?}");
    }

    #[test]
    fn long_lines_are_skipped_without_holding_them() {
        let options = JsonlOptions {
            max_doc_bytes: 32,
            ..JsonlOptions::default()
        };
        let long = format!("{{\"text\":\"{}\"}}", "x".repeat(1000));
        let input = format!("{{\"text\":\"short\"}}\n{long}\n{{\"text\":\"after\"}}");
        let (docs, errs) = read(input.as_bytes(), &options);
        assert_eq!(docs.len(), 2);
        assert_eq!(
            errs,
            ["reading s.jsonl line 2: line longer than --max-doc-bytes (32 bytes), skipped"]
        );
    }

    #[test]
    fn custom_field_names() {
        let options = JsonlOptions {
            text_field: "content".into(),
            id_field: "url".into(),
            ..JsonlOptions::default()
        };
        let (docs, errs) = read(b"{\"url\":\"u1\",\"content\":\"c\",\"text\":5}", &options);
        assert!(errs.is_empty());
        assert_eq!((docs[0].id.as_str(), docs[0].text.as_str()), ("u1", "c"));
    }
}
