//! The parallel workers every load and check runs on.

/// Stack of each worker. The YAML reader's serde path recurses once per nesting level up
/// to its depth budget (256): a mutated JSON file nested that deep overflowed rayon's
/// default 2 MiB in a debug build. The space is reserved, not used.
const STACK: usize = 16 << 20;

/// Makes rayon's global pool with [`STACK`]; called before the first parallel iterator
/// of every entry point (a pool made first with the defaults could not be changed).
pub fn init() {
    static POOL: std::sync::Once = std::sync::Once::new();
    POOL.call_once(|| {
        // Fails only when an embedding program made its own pool first: keep that one.
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK)
            .build_global();
    });
}
