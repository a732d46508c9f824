//! A file's bytes as text. A byte order mark is not content: UTF-8 files lose it and
//! UTF-16 files (with a mark) become UTF-8, once, when the file is read, so every parser,
//! position and snippet sees the text as an editor shows it. Bytes that are not text are
//! told apart from text with a stray NUL byte, which is an error to fix, not a skip.

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";

/// The bytes with a UTF-8 byte order mark removed and UTF-16 (marked) decoded to UTF-8.
/// UTF-16 that does not decode is returned as it is: [`classify`] reports it.
pub fn normalise(bytes: Vec<u8>) -> Vec<u8> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        return rest.to_vec();
    }
    let units = |rest: &[u8], big: bool| -> Vec<u16> {
        rest.chunks(2)
            .map(|c| match (c, big) {
                ([a, b], true) => u16::from_be_bytes([*a, *b]),
                ([a, b], false) => u16::from_le_bytes([*a, *b]),
                // An odd trailing byte cannot be UTF-16: make it fail to decode.
                _ => 0xD800,
            })
            .collect()
    };
    let decoded = if let Some(rest) = bytes.strip_prefix(UTF16_LE_BOM) {
        String::from_utf16(&units(rest, false)).ok()
    } else if let Some(rest) = bytes.strip_prefix(UTF16_BE_BOM) {
        String::from_utf16(&units(rest, true)).ok()
    } else {
        None
    };
    match decoded {
        Some(text) => text
            .strip_prefix('\u{feff}')
            .unwrap_or(&text)
            .as_bytes()
            .to_vec(),
        None => bytes,
    }
}

/// What normalised bytes hold.
#[derive(Debug, PartialEq, Eq)]
pub enum Content {
    /// No NUL byte and no UTF-16 mark: text, if it is valid UTF-8.
    Text,
    /// Not text at all (an image, an executable): nothing to check.
    Binary,
    /// Text with a NUL byte at this offset: the file is damaged, and no tool reads it
    /// the way it looks.
    Nul(usize),
    /// ASCII text with every other byte NUL: UTF-16 saved without a byte order mark.
    Utf16WithoutBom,
    /// A UTF-16 byte order mark, but the rest is not UTF-16.
    BadUtf16,
}

pub fn classify(bytes: &[u8]) -> Content {
    if bytes.starts_with(UTF16_LE_BOM) || bytes.starts_with(UTF16_BE_BOM) {
        return Content::BadUtf16;
    }
    let Some(first_nul) = bytes.iter().position(|b| *b == 0) else {
        return Content::Text;
    };
    if looks_utf16(bytes) {
        return Content::Utf16WithoutBom;
    }
    // Without its NUL bytes, text is valid UTF-8 with next to no control characters;
    // binary data is neither.
    let rest: Vec<u8> = bytes.iter().copied().filter(|b| *b != 0).collect();
    let controls = rest
        .iter()
        .filter(|b| **b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B))
        .count();
    let nuls = bytes.len() - rest.len();
    let text = std::str::from_utf8(&rest).is_ok() && controls * 100 <= rest.len();
    // A few NUL bytes in text are damage; a file that is largely NULs is data.
    if text && nuls * 100 <= bytes.len().max(100) {
        Content::Nul(first_nul)
    } else {
        Content::Binary
    }
}

/// ASCII in UTF-16: in the first 4 KiB, the NUL bytes sit on one parity only and fill it.
fn looks_utf16(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    if head.len() < 4 || !head.len().is_multiple_of(2) {
        return false;
    }
    let (even, odd): (Vec<u8>, Vec<u8>) = {
        let even = head.iter().step_by(2).copied().collect();
        let odd = head.iter().skip(1).step_by(2).copied().collect();
        (even, odd)
    };
    let all_nul = |v: &[u8]| v.iter().all(|b| *b == 0);
    let ascii = |v: &[u8]| v.iter().all(|b| *b != 0 && b.is_ascii());
    (all_nul(&odd) && ascii(&even)) || (all_nul(&even) && ascii(&odd))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big: bool) -> Vec<u8> {
        let mut out = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for u in text.encode_utf16() {
            out.extend(if big {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn marks_are_removed_and_utf16_decoded() {
        assert_eq!(normalise(b"\xEF\xBB\xBFa: 1\n".to_vec()), b"a: 1\n");
        assert_eq!(normalise(utf16("é: 1\n", false)), "é: 1\n".as_bytes());
        assert_eq!(normalise(utf16("é: 1\n", true)), "é: 1\n".as_bytes());
        // A lone surrogate stays undecoded, and is reported.
        let bad = vec![0xFF, 0xFE, 0x00, 0xD8];
        assert_eq!(classify(&normalise(bad)), Content::BadUtf16);
    }

    #[test]
    fn text_with_a_nul_is_not_binary() {
        assert_eq!(classify(b"a: 1\nb: \x002\n"), Content::Nul(8));
        assert_eq!(classify(b"a: 1\n"), Content::Text);
        let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x03\x00\x3e\x00\x01\x00";
        assert_eq!(classify(elf), Content::Binary);
        assert_eq!(classify(b"a\0:\0 \x001\0"), Content::Utf16WithoutBom);
    }
}
