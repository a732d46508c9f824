//! MySQL 8.0 column type changes that InnoDB makes in place or instantly (the *Online DDL
//! Operations → Column Operations* tables of the reference manual), which are not table
//! copies:
//! - `VARCHAR(n)` → `VARCHAR(m)`, `m ≥ n`, while the length prefix keeps its size (1 byte
//!   up to 255 bytes, 2 above). The byte size depends on the character set, which the
//!   migration may not show: the change counts as in place only when the prefix keeps
//!   its size for both 1-byte (latin1) and 4-byte (utf8mb4) characters.
//! - `ENUM`/`SET` members appended at the end, within the same storage size.

/// Whether changing a column from `old` to `new` (as written) is an in-place change.
pub fn in_place_type_change(old: &str, new: &str) -> bool {
    varchar_growth(old, new) || members_appended(old, new)
}

fn args<'a>(t: &'a str, name: &str) -> Option<&'a str> {
    let t = t.trim();
    let (base, rest) = t.split_once('(')?;
    if !base.trim().eq_ignore_ascii_case(name) {
        return None;
    }
    let (inner, after) = rest.rsplit_once(')')?;
    // Attributes after the type (CHARACTER SET, COLLATE) may change the storage.
    after.trim().is_empty().then_some(inner)
}

fn varchar_growth(old: &str, new: &str) -> bool {
    let len = |t: &str| args(t, "varchar")?.trim().parse::<u64>().ok();
    let (Some(n), Some(m)) = (len(old), len(new)) else {
        return false;
    };
    let prefix = |chars: u64, bytes_per_char: u64| chars * bytes_per_char > 255;
    m >= n && prefix(n, 1) == prefix(m, 1) && prefix(n, 4) == prefix(m, 4)
}

fn members(t: &str) -> Option<(bool, Vec<String>)> {
    let (is_set, inner) = match (args(t, "enum"), args(t, "set")) {
        (Some(i), _) => (false, i),
        (_, Some(i)) => (true, i),
        _ => return None,
    };
    Some((
        is_set,
        inner
            .split(',')
            .map(|m| m.trim().trim_matches('\'').to_string())
            .collect(),
    ))
}

fn members_appended(old: &str, new: &str) -> bool {
    let (Some((a_set, a)), Some((b_set, b))) = (members(old), members(new)) else {
        return false;
    };
    // ENUM: 1 byte up to 255 members; SET: 1, 2, 3, 4 or 8 bytes by 8 members.
    let size = |set: bool, n: usize| {
        if set {
            n.div_ceil(8).next_power_of_two().min(8)
        } else if n <= 255 {
            1
        } else {
            2
        }
    };
    a_set == b_set
        && b.len() >= a.len()
        && b[..a.len()] == a[..]
        && size(a_set, a.len()) == size(b_set, b.len())
}

#[cfg(test)]
mod tests {
    use super::in_place_type_change as ok;

    #[test]
    fn growth_within_the_prefix_size_and_appended_members_are_in_place() {
        assert!(ok("varchar(20)", "varchar(50)"));
        assert!(ok("VARCHAR(300)", "VARCHAR(1000)"));
        assert!(!ok("varchar(50)", "varchar(100)")); // utf8mb4: 200 → 400 bytes
        assert!(!ok("varchar(50)", "varchar(20)"));
        assert!(ok("enum('a','b')", "enum('a','b','c')"));
        assert!(!ok("enum('a','b')", "enum('b','a','c')"));
        assert!(!ok("enum('a','b','c')", "enum('a','b')"));
        assert!(!ok("varchar(20)", "varchar(50) CHARACTER SET utf8mb4"));
    }
}
