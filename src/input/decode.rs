//! Bytes → text: byte order marks, UTF-8, UTF-16, legacy 8-bit encodings, and HTML.
//!
//! A text file is decoded by the first rule that applies: a UTF-8 byte order mark (kept in the
//! text, so span offsets stay file offsets), a UTF-16 byte order mark (decoded), valid UTF-8, a
//! NUL byte (binary: skipped), and otherwise the encoding chardetng guesses from the bytes
//! (windows-1252, ISO-8859-x, Shift_JIS, GBK, ...), decoded with encoding_rs. The encoding
//! chosen is recorded with the document. For anything but UTF-8, span offsets are offsets into
//! the decoded UTF-8 text, not into the file.
//!
//! An HTML file is decoded the same way, except that a `<meta charset>` (or `http-equiv`
//! content type) in its first 1,024 bytes wins over the guess, as browsers do; its visible text
//! is then extracted with [`html_to_text`].

use encoding_rs::Encoding;

use crate::error::DecodeError;

/// Decoded text and the name of the encoding it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The encoding's WHATWG name (`UTF-8`, `UTF-16LE`, `windows-1252`, ...).
    pub encoding: &'static str,
}

/// Decodes the bytes of a text file.
///
/// # Errors
///
/// [`DecodeError::Binary`] for bytes with a NUL and no UTF-16 byte order mark.
pub fn decode_text(bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    decode(bytes, None)
}

/// Decodes the bytes of a text file, trying `declared` (an HTML `<meta charset>`) before
/// guessing.
fn decode(bytes: Vec<u8>, declared: Option<&'static Encoding>) -> Result<Decoded, DecodeError> {
    if bytes.starts_with(b"\xef\xbb\xbf") {
        if let Ok(text) = String::from_utf8(bytes.clone()) {
            return Ok(Decoded {
                text,
                encoding: "UTF-8",
            });
        }
    }
    if let Some((enc, _)) = Encoding::for_bom(&bytes) {
        if enc != encoding_rs::UTF_8 {
            let (text, _) = enc.decode_with_bom_removal(&bytes);
            return Ok(Decoded {
                text: text.into_owned(),
                encoding: enc.name(),
            });
        }
    }
    if let Some(offset) = bytes.iter().position(|&b| b == 0) {
        return Err(DecodeError::Binary { offset });
    }
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => {
            return Ok(Decoded {
                text,
                encoding: "UTF-8",
            });
        }
        Err(e) => e.into_bytes(),
    };
    let enc = declared
        .filter(|e| *e != encoding_rs::UTF_8)
        .unwrap_or_else(|| {
            let mut detector =
                chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
            detector.feed(&bytes, true);
            // Valid UTF-8 was taken above, so the guess is among legacy encodings.
            detector.guess(None, chardetng::Utf8Detection::Deny)
        });
    let (text, _) = enc.decode_without_bom_handling(&bytes);
    Ok(Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
    })
}

/// Decodes an HTML file (honouring `<meta charset>`) and extracts its visible text.
///
/// # Errors
///
/// As [`decode_text`].
pub fn decode_html(bytes: Vec<u8>) -> Result<Decoded, DecodeError> {
    let declared = meta_charset(&bytes[..bytes.len().min(1024)]);
    let decoded = decode(bytes, declared)?;
    Ok(Decoded {
        text: html_to_text(&decoded.text),
        encoding: decoded.encoding,
    })
}

/// The encoding named by a `<meta charset=...>` or `<meta http-equiv=... content="...;
/// charset=...">` in `head`, if any.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta") {
        let start = from + i;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset=") {
            let value: Vec<u8> = tag[c + 8..]
                .iter()
                .copied()
                .skip_while(|b| *b == b'"' || *b == b'\'' || *b == b' ')
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.'))
                .collect();
            if let Some(enc) = Encoding::for_label(&value) {
                // A page that says UTF-16 in ASCII is not UTF-16 (HTML spec).
                return Some(
                    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                        encoding_rs::UTF_8
                    } else {
                        enc
                    },
                );
            }
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Elements whose content is not visible text.
/// (`head` is not one: its end tag is often missing, and its only text is the title.)
const HIDDEN: [&str; 7] = [
    "script", "style", "noscript", "template", "svg", "iframe", "object",
];

/// Elements that start a new line (paragraph-level blocks get a blank line).
const BLOCKS: [&str; 38] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "tr",
    "ul",
];

/// The visible text of an HTML document: the title first, then the text with scripts, styles
/// and other hidden elements removed, each block element on its own line (blank lines around
/// paragraph-level blocks), whitespace collapsed as a browser would (except in `<pre>`),
/// character references decoded.
///
/// It runs the HTML5 tokenizer (html5ever) without building a tree: time is linear in the
/// input whatever the nesting depth, and malformed markup is handled as browsers tokenise it.
pub fn html_to_text(html: &str) -> String {
    use html5ever::tendril::StrTendril;
    use html5ever::tokenizer::{BufferQueue, Tokenizer, TokenizerOpts};

    let sink = TextSink::default();
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let state = tokenizer.sink.state.into_inner();
    let title = collapse(&state.title);
    let body = state.out.trim();
    match (title.is_empty(), body.is_empty()) {
        (true, _) => body.to_string(),
        (false, true) => title,
        (false, false) => format!("{title}\n\n{body}"),
    }
}

#[derive(Default)]
struct TextState {
    out: String,
    title: String,
    in_title: bool,
    hidden: usize,
    pre: usize,
}

#[derive(Default)]
struct TextSink {
    state: std::cell::RefCell<TextState>,
}

impl html5ever::tokenizer::TokenSink for TextSink {
    type Handle = ();

    fn process_token(
        &self,
        token: html5ever::tokenizer::Token,
        _line: u64,
    ) -> html5ever::tokenizer::TokenSinkResult<()> {
        use html5ever::tokenizer::states::RawKind;
        use html5ever::tokenizer::{TagKind, Token, TokenSinkResult};

        let mut s = self.state.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name: &str = &tag.name;
                let start = tag.kind == TagKind::StartTag;
                if name == "title" {
                    s.in_title = start;
                    return if start {
                        TokenSinkResult::RawData(RawKind::Rcdata)
                    } else {
                        TokenSinkResult::Continue
                    };
                }
                if HIDDEN.contains(&name) {
                    if start && !tag.self_closing {
                        s.hidden += 1;
                    } else if !start {
                        s.hidden = s.hidden.saturating_sub(1);
                    }
                } else if s.hidden == 0 {
                    if name == "pre" {
                        s.pre = if start {
                            s.pre + 1
                        } else {
                            s.pre.saturating_sub(1)
                        };
                    }
                    if name == "br" {
                        s.out.push('\n');
                    } else if BLOCKS.contains(&name) {
                        end_block(&mut s.out, paragraph_level(name));
                    }
                }
                if start && !tag.self_closing {
                    // The tokenizer needs to be told where raw text starts, as a tree builder would.
                    match name {
                        "script" => return TokenSinkResult::RawData(RawKind::ScriptData),
                        "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                            return TokenSinkResult::RawData(RawKind::Rawtext);
                        }
                        "textarea" => return TokenSinkResult::RawData(RawKind::Rcdata),
                        "plaintext" => return TokenSinkResult::Plaintext,
                        _ => {}
                    }
                }
            }
            Token::CharacterTokens(t) => {
                if s.in_title {
                    s.title.push_str(&t);
                } else if s.hidden == 0 {
                    if s.pre > 0 {
                        s.out.push_str(&t);
                    } else {
                        push_collapsed(&mut s.out, &t);
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

fn paragraph_level(name: &str) -> bool {
    !matches!(name, "li" | "td" | "th" | "tr" | "dt" | "dd" | "tbody")
}

/// Ends the current line (or paragraph), trimming trailing spaces.
fn end_block(out: &mut String, blank_line: bool) {
    while out.ends_with(' ') {
        out.pop();
    }
    if out.is_empty() {
        return;
    }
    let want = if blank_line { "\n\n" } else { "\n" };
    if !out.ends_with(want) {
        if out.ends_with('\n') && blank_line {
            out.push('\n');
        } else if !out.ends_with('\n') {
            out.push_str(want);
        }
    }
}

/// Appends text with runs of whitespace collapsed to one space, none at a line start.
fn push_collapsed(out: &mut String, text: &str) {
    for (i, part) in text.split(|c: char| c.is_ascii_whitespace()).enumerate() {
        if i > 0 && !out.is_empty() && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
        out.push_str(part);
    }
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        let d = decode_text(b"\xef\xbb\xbfcaf\xc3\xa9".to_vec()).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("\u{feff}café", "UTF-8"));
        assert_eq!(decode_text(b"plain".to_vec()).unwrap().encoding, "UTF-8");
    }

    #[test]
    fn utf16_with_bom() {
        let mut le = vec![0xff, 0xfe];
        le.extend("café".encode_utf16().flat_map(u16::to_le_bytes));
        let d = decode_text(le).unwrap();
        assert_eq!((d.text.as_str(), d.encoding), ("café", "UTF-16LE"));
        let mut be = vec![0xfe, 0xff];
        be.extend("naïve".encode_utf16().flat_map(u16::to_be_bytes));
        assert_eq!(decode_text(be).unwrap().text, "naïve");
    }

    #[test]
    fn legacy_8bit_is_detected() {
        let latin = b"Le caf\xe9 de la gare \xe9tait ferm\xe9 pendant les f\xeates de No\xebl, et les clients \xe9taient d\xe9\xe7us.".to_vec();
        let d = decode_text(latin).unwrap();
        assert!(
            d.text.contains("café") && d.text.contains("déçus"),
            "{}",
            d.text
        );
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn nul_bytes_are_binary() {
        assert_eq!(
            decode_text(b"ab\0cd".to_vec()),
            Err(DecodeError::Binary { offset: 2 })
        );
    }

    #[test]
    fn html_text_title_blocks_and_hidden_parts() {
        let html = "<html><head><title> The  Title </title><style>p{}</style><script>var x = 1;</script></head>\
            <body><nav><a>Home</a> | <a>News</a></nav><h1>Head line</h1><p>First   para\ngraph.</p>\
            <p>Second<br>line</p><ul><li>one</li><li>two</li></ul><pre>a  b\n c</pre><noscript>no</noscript></body></html>";
        assert_eq!(
            html_to_text(html),
            "The Title\n\nHome | News\n\nHead line\n\nFirst para graph.\n\nSecond\nline\n\none\ntwo\n\na  b\n c"
        );
    }

    #[test]
    fn html_meta_charset_is_honoured() {
        let html = b"<html><head><meta charset=\"iso-8859-1\"><title>Caf\xe9</title></head><body><p>Cr\xe8me br\xfbl\xe9e</p></body></html>".to_vec();
        let d = decode_html(html).unwrap();
        assert_eq!(d.encoding, "windows-1252");
        assert_eq!(d.text, "Café\n\nCrème brûlée");
        let http_equiv = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\"><p>\xf0\xf2\xe9\xf7\xe5\xf4</p>".to_vec();
        assert_eq!(decode_html(http_equiv).unwrap().encoding, "KOI8-R");
    }

    #[test]
    fn pathological_html_does_not_crash() {
        let deep = format!(
            "{}text{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        assert_eq!(html_to_text(&deep), "text");
        assert_eq!(
            html_to_text("<script>only()</script><style>x{}</style>"),
            ""
        );
        assert_eq!(
            html_to_text("<p>unclosed <b>tags <i>everywhere"),
            "unclosed tags everywhere"
        );
        assert_eq!(
            html_to_text("<html><head><title>T</title><body><p>x &amp; y"),
            "T\n\nx & y"
        );
        assert_eq!(
            html_to_text("<script>a = '</div>'; b = 1 < 2;</script>after"),
            "after"
        );
    }
}
