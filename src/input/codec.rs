//! Compressed or plain: the codec of a file, sniffed from its first bytes.
//!
//! gzip (`1f 8b`) and zstd (`28 b5 2f fd`) are recognised by their magic bytes whatever the
//! file is called, so a `.gz` that is really plain text is read as plain text, and a
//! compressed file without the usual suffix is still decompressed. Every gzip member and every
//! zstd frame is read; a stream cut short is an error for that file, never a quiet end.
//! Reads are capped: past `limit` decompressed bytes the reader fails with
//! [`LimitExceeded`], which stops a decompression bomb before it fills memory.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// A file's compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// Not compressed.
    Plain,
    /// gzip (one or more members).
    Gzip,
    /// Zstandard (one or more frames).
    Zstd,
}

impl Codec {
    /// The codec whose magic bytes start `head`.
    pub fn sniff(head: &[u8]) -> Codec {
        if head.starts_with(&[0x1f, 0x8b]) {
            Codec::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Codec::Zstd
        } else {
            Codec::Plain
        }
    }
}

/// The error a [`open`] reader returns past its limit (wrapped in an `io::Error` of kind
/// `Other`).
#[derive(Debug, thiserror::Error)]
#[error("more than {0} bytes")]
pub struct LimitExceeded(pub u64);

/// Opens `path`, sniffs its codec, and returns a buffered reader of the decoded bytes that
/// fails after `limit` of them.
pub fn open(path: &Path, limit: u64) -> io::Result<(Codec, Box<dyn BufRead + Send>)> {
    wrap(BufReader::with_capacity(1 << 16, File::open(path)?), limit)
}

/// [`open`] for a caller that streams the file rather than holding it: a plain file is not
/// capped (its size costs no memory), a compressed one still fails after `limit` decoded
/// bytes.
pub fn open_streaming(path: &Path, limit: u64) -> io::Result<(Codec, Box<dyn BufRead + Send>)> {
    wrap_with(
        BufReader::with_capacity(1 << 16, File::open(path)?),
        u64::MAX,
        limit,
    )
}

/// Sniffs the codec of a stream and returns a buffered reader of the decoded bytes that fails
/// after `limit` of them.
pub fn wrap<R: BufRead + Send + 'static>(
    file: R,
    limit: u64,
) -> io::Result<(Codec, Box<dyn BufRead + Send>)> {
    wrap_with(file, limit, limit)
}

/// [`wrap`] with one limit for plain streams and another for compressed ones.
fn wrap_with<R: BufRead + Send + 'static>(
    mut file: R,
    plain_limit: u64,
    compressed_limit: u64,
) -> io::Result<(Codec, Box<dyn BufRead + Send>)> {
    let codec = Codec::sniff(file.fill_buf()?);
    let limit = if codec == Codec::Plain {
        plain_limit
    } else {
        compressed_limit
    };
    let inner: Box<dyn Read + Send> = match codec {
        Codec::Plain => Box::new(file),
        Codec::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(file)),
        Codec::Zstd => Box::new(ZstdFrames::new(file)?),
    };
    Ok((
        codec,
        Box::new(BufReader::with_capacity(
            1 << 16,
            Capped {
                inner,
                left: limit,
                limit,
            },
        )),
    ))
}

/// A reader that errors once more than `limit` bytes have come through.
struct Capped<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Capped<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other(LimitExceeded(self.limit)));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// A zstd stream of any number of frames that errors if the input ends inside a frame.
struct ZstdFrames<R: BufRead> {
    decoder: zstd::stream::read::Decoder<'static, R>,
}

impl<R: BufRead> ZstdFrames<R> {
    fn new(input: R) -> io::Result<Self> {
        Ok(ZstdFrames {
            decoder: zstd::stream::read::Decoder::with_buffer(input)?,
        })
    }
}

impl<R: BufRead> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.decoder.read(buf)
    }
}

/// Whether `e` is a [`LimitExceeded`] from a capped reader.
pub fn is_limit(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<LimitExceeded>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tmp(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = std::env::temp_dir().join(format!("neardupe-codec-{}-{name}", std::process::id()));
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn read_all(p: &Path, limit: u64) -> io::Result<(Codec, Vec<u8>)> {
        let (codec, mut r) = open(p, limit)?;
        let mut out = Vec::new();
        r.read_to_end(&mut out)?;
        Ok((codec, out))
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn sniffs_magic_not_names() {
        assert_eq!(Codec::sniff(b"\x1f\x8b\x08"), Codec::Gzip);
        assert_eq!(Codec::sniff(b"\x28\xb5\x2f\xfd\x00"), Codec::Zstd);
        assert_eq!(Codec::sniff(b"{\"text\""), Codec::Plain);
        assert_eq!(Codec::sniff(b""), Codec::Plain);
        let p = tmp("plain.gz", b"plain text\n");
        assert_eq!(
            read_all(&p, 1 << 20).unwrap(),
            (Codec::Plain, b"plain text\n".to_vec())
        );
    }

    #[test]
    fn reads_every_gzip_member_and_zstd_frame() {
        let mut two = gzip(b"one\n");
        two.extend(gzip(b"two\n"));
        let p = tmp("members.gz", &two);
        assert_eq!(read_all(&p, 1 << 20).unwrap().1, b"one\ntwo\n");
        let mut frames = zstd::encode_all(&b"one\n"[..], 3).unwrap();
        frames.extend(zstd::encode_all(&b"two\n"[..], 3).unwrap());
        let p = tmp("frames.zst", &frames);
        assert_eq!(
            read_all(&p, 1 << 20).unwrap(),
            (Codec::Zstd, b"one\ntwo\n".to_vec())
        );
    }

    #[test]
    fn truncated_streams_are_errors() {
        let data: Vec<u8> = (0..20_000u32)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let gz = gzip(&data);
        let p = tmp("cut.gz", &gz[..gz.len() / 2]);
        assert!(read_all(&p, 1 << 30).is_err());
        let zs = zstd::encode_all(&data[..], 3).unwrap();
        let p = tmp("cut.zst", &zs[..zs.len() / 2]);
        assert!(read_all(&p, 1 << 30).is_err(), "zstd cut short must fail");
    }

    #[test]
    fn limit_stops_a_bomb() {
        let zeros = vec![0u8; 5_000_000];
        let p = tmp("bomb.gz", &gzip(&zeros));
        let err = read_all(&p, 1_000_000).unwrap_err();
        assert!(is_limit(&err), "{err}");
    }
}
