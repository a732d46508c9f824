//! Sunset dates (`x-sunset`): RFC 3339 dates or date-times, as days since 1970-01-01.

/// Days since the Unix epoch of a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2025-08-10` or `2025-08-10T00:00:00Z` → days; `None` when it is not a date.
pub fn parse(text: &str) -> Option<i64> {
    let t = text.trim();
    let date = t.get(..10)?;
    let rest = &t[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with('t') || rest.starts_with(' '))
    {
        return None;
    }
    let b = date.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = date[..4].parse().ok()?;
    let m: i64 = date[5..7].parse().ok()?;
    let d: i64 = date[8..10].parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

/// Today, in days since the epoch (UTC).
pub fn today() -> i64 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    secs.div_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read() {
        assert_eq!(parse("1970-01-01"), Some(0));
        assert_eq!(parse("2022-08-10"), Some(19_214));
        assert_eq!(parse("2022-08-10T10:00:00Z"), Some(19_214));
        assert!(parse("9999-08-10").unwrap() > 2_000_000);
        assert_eq!(parse("next year"), None);
        assert_eq!(parse("2022-13-10"), None);
    }
}
