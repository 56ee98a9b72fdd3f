//! CSV of the reported pairs: `a,b,relation,jaccard,containment_a_in_b,containment_b_in_a`,
//! RFC 4180 quoting, one header line.

use std::io::{self, Write};

use crate::report::Report;

/// Quotes a field when it holds a comma, a quote or a line break.
pub fn field(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        std::borrow::Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Writes the pairs as CSV.
///
/// # Errors
///
/// Whatever the writer returns.
pub fn write_pairs(w: &mut (impl Write + ?Sized), report: &Report) -> io::Result<()> {
    writeln!(
        w,
        "a,b,relation,jaccard,containment_a_in_b,containment_b_in_a"
    )?;
    for p in &report.pairs {
        let s = &p.similarity;
        writeln!(
            w,
            "{},{},{},{},{},{}",
            field(&p.a),
            field(&p.b),
            p.relation.as_str(),
            s.jaccard,
            s.containment_a_in_b,
            s.containment_b_in_a
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
