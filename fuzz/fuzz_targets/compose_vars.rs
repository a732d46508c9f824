//! Compose interpolation (`$VAR`, `${VAR:-default}`, `$$`): every use points at a `$`
//! of the text, its name follows it, and uses come in text order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollsafe::model::compose::interpolations;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let found = interpolations(text);
    let mut last: Option<usize> = None;
    for i in &found {
        assert!(i.at < text.len(), "at {} past the text", i.at);
        assert_eq!(text.as_bytes()[i.at], b'$', "not at a `$`: {i:?}");
        assert!(!i.name.is_empty(), "empty name: {i:?}");
        let after = &text[i.at + 1..];
        assert!(
            after.starts_with(&i.name)
                || after
                    .strip_prefix('{')
                    .is_some_and(|r| r.starts_with(&i.name)),
            "name does not follow the `$`: {i:?}"
        );
        assert!(
            !(i.has_default && i.required),
            "default and required: {i:?}"
        );
        assert!(last.is_none_or(|l| l < i.at), "out of order: {i:?}");
        last = Some(i.at);
    }
    assert!(found.len() <= text.len() / 2 + 1);
});
