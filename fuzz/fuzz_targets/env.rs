//! The env-file parser: every key and value range lies inside the text on char
//! boundaries, keys are the text at their range, variables come in file order, errors
//! point inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollsafe::model::env;
use rollsafe_fuzz::assert_range;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let f = env::parse(text);
    let mut last = 0;
    for v in &f.vars {
        assert_range(text, v.key_range.0, v.key_range.1, "key");
        assert_range(text, v.value_range.0, v.value_range.1, "value");
        assert_eq!(&text[v.key_range.0..v.key_range.1], v.key, "key range");
        assert!(v.key_range.1 <= v.value_range.0, "value before its key");
        assert!(v.key_range.0 >= last, "variables out of order");
        last = v.value_range.1;
    }
    for e in &f.errors {
        assert_range(text, e.offset, e.offset + e.len, "error");
        assert!(!e.message.is_empty());
    }
});
