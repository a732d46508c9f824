//! URIs for SARIF: a relative path percent-encoded as a URI reference (RFC 3986), and the
//! project root as an absolute `file:` URI. A folder with a space, `#` or `%` in its name
//! is not a valid URI until it is encoded.

use std::path::Path;

/// Every byte outside the unreserved set and `/` as `%XX`: also `:` (a first segment
/// `a:b` would read as a scheme), `#`, `?`, `%`, space and non-ASCII (as UTF-8 bytes).
pub fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `file:///abs/root/`: the root made absolute (without touching the file system),
/// encoded, ending in `/` as SARIF requires of a base. `None` when it cannot be said
/// (a path that is not UTF-8).
pub fn root_uri(root: &Path) -> Option<String> {
    let abs = std::path::absolute(root).ok()?;
    let mut p = abs.to_str()?.replace('\\', "/");
    if !p.starts_with('/') {
        // `C:/x` on Windows.
        p.insert(0, '/');
    }
    if !p.ends_with('/') {
        p.push('/');
    }
    Some(format!("file://{}", encode_path(&p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_encoded_as_uri_references() {
        assert_eq!(
            encode_path("db/migrations/0001_a.sql"),
            "db/migrations/0001_a.sql"
        );
        assert_eq!(
            encode_path("my api/v#1/100%/café:x.yaml"),
            "my%20api/v%231/100%25/caf%C3%A9%3Ax.yaml"
        );
        assert_eq!(
            root_uri(Path::new("/srv/my repo")).as_deref(),
            Some("file:///srv/my%20repo/")
        );
    }
}
