//! JSON Lines input (`cvmatch embed`'s stdin): lines read with a bounded buffer, each a
//! JSON string or an object with a string `text` field.
//!
//! A line is never held in memory beyond the limit: the reader stops after `max + 1` bytes
//! of one line and refuses it (an endless stream without a newline costs `max` bytes, not
//! the stream's size).

use std::io::{BufRead, Read};

use crate::error::{Context, Error, IoContext, Result};

/// Reads the next line (without its `\n` / `\r\n`) into `line`, holding at most `max + 1`
/// bytes of it. `Ok(false)` at the end of the input; a longer line is
/// [`Error::TooLarge`] naming its number. `source` names the input in I/O errors.
pub fn read_line(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    max: usize,
    number: usize,
    source: &str,
) -> Result<bool> {
    line.clear();
    let cap = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    let read = input
        .by_ref()
        .take(cap)
        .read_until(b'\n', line)
        .reading(source)?;
    if read == 0 {
        return Ok(false);
    }
    let ended = line.last() == Some(&b'\n');
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    if line.len() > max || (!ended && read as u64 == cap) {
        return Err(Error::too_large(
            format!(
                "line {number}: bytes in one input line (--max-line-bytes; reading stopped \
                 one byte past the limit)"
            ),
            max as u64,
            line.len() as u64,
        ));
    }
    Ok(true)
}

/// Reads one input line's text: a JSON string, or an object with a string `text` field.
pub fn parse_text_line(line: &[u8], number: usize) -> Result<String> {
    let line = std::str::from_utf8(line)
        .context(|e| Error::bad_input(format!("line {number}: not UTF-8 ({e})")))?;
    let value: serde_json::Value = serde_json::from_str(line)
        .context(|e| Error::bad_input(format!("line {number}: not JSON ({e})")))?;
    match value {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Object(mut o) => match o.remove("text") {
            Some(serde_json::Value::String(s)) => Ok(s),
            _ => crate::bail!(
                bad_input,
                "line {number}: object without a string \"text\" field"
            ),
        },
        _ => crate::bail!(
            bad_input,
            "line {number}: expected a JSON string or an object with \"text\""
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<String>> {
        let mut r = std::io::BufReader::with_capacity(7, input);
        let mut line = Vec::new();
        let mut out = Vec::new();
        for n in 1.. {
            match read_line(&mut r, &mut line, max, n, "<test>") {
                Ok(true) => out.push(Ok(String::from_utf8_lossy(&line).into_owned())),
                Ok(false) => break,
                Err(e) => {
                    out.push(Err(e));
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn lines_are_split_and_bounded() {
        let got = lines(b"\"a\"\r\n{\"text\":\"b\"}\nlast", 16);
        let got: Vec<String> = got.into_iter().map(|l| l.unwrap()).collect();
        assert_eq!(got, ["\"a\"", "{\"text\":\"b\"}", "last"]);
        // exactly at the limit passes, one byte over fails, with or without a newline
        assert!(lines(b"0123456789\n", 10)[0].is_ok());
        let e = lines(b"01234567890\n", 10).pop().unwrap().unwrap_err();
        assert_eq!(e.code(), "too_large");
        let e = lines(&vec![b'x'; 100_000], 10).pop().unwrap().unwrap_err();
        assert_eq!(e.code(), "too_large");
        assert!(e.to_string().contains("line 1"), "{e}");
    }

    #[test]
    fn texts_are_strings_or_text_fields() {
        assert_eq!(parse_text_line(b"\"hi\"", 1).unwrap(), "hi");
        assert_eq!(
            parse_text_line(br#"{"text":"hi","id":3}"#, 1).unwrap(),
            "hi"
        );
        for bad in [&b"3"[..], b"{\"text\":3}", b"[", b"\xff\"", b""] {
            assert_eq!(parse_text_line(bad, 2).unwrap_err().code(), "bad_input");
        }
    }
}
