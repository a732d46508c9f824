//! One spelling per column type, so that the model compares `int` with `integer` and
//! `varchar(20)` with `character varying(20)` as the database does. PostgreSQL's names
//! are those `format_type` prints (PostgreSQL manual, "Data Types", Table 8.1 aliases);
//! MySQL's are the stored types (`integer` = `int`, `bool` = `tinyint(1)`, display widths
//! ignored: `ops::mysql_canonical_type`).

/// The canonical name of a type as written (already lower-cased and spaced by
/// `ast::normalise_type`), for PostgreSQL and the aliases MySQL shares.
pub fn canonical(t: &str) -> String {
    let t = t.trim().trim_start_matches("public.");
    if let Some(inner) = t.strip_suffix("[]") {
        return format!("{}[]", canonical(inner));
    }
    // `name(args) suffix`: `timestamp(3) with time zone`, `int(10) unsigned`.
    let (base, args) = match (t.find('('), t.find(')')) {
        (Some(o), Some(c)) if o < c => {
            let suffix = t[c + 1..].trim();
            let base = t[..o].trim();
            let base = if suffix.is_empty() {
                base.to_string()
            } else {
                format!("{base} {suffix}")
            };
            (base, Some(t[o + 1..c].replace(' ', "")))
        }
        _ => (t.to_string(), None),
    };
    let with = |name: &str| match &args {
        Some(a) => format!("{name}({a})"),
        None => name.to_string(),
    };
    match base.as_str() {
        "int" | "int4" | "integer" | "serial" | "serial4" => "integer".into(),
        "bigint" | "int8" | "bigserial" | "serial8" => "bigint".into(),
        "smallint" | "int2" | "smallserial" | "serial2" => "smallint".into(),
        "bool" | "boolean" => "boolean".into(),
        "float8" | "double precision" | "double" => "double precision".into(),
        "float4" | "real" => "real".into(),
        "float" => match args.as_deref().and_then(|a| a.parse::<u32>().ok()) {
            Some(p) if p <= 24 => "real".into(),
            _ => "double precision".into(),
        },
        "decimal" | "numeric" => with("numeric"),
        "varchar" | "character varying" => with("character varying"),
        "char" | "character" | "bpchar" => match &args {
            Some(a) => format!("character({a})"),
            None => "character(1)".into(),
        },
        "timestamptz" | "timestamp with time zone" => with("timestamp") + " with time zone",
        "timestamp" | "timestamp without time zone" => with("timestamp") + " without time zone",
        "timetz" | "time with time zone" => with("time") + " with time zone",
        "time" | "time without time zone" => with("time") + " without time zone",
        _ => with(base.trim_matches('"')),
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn aliases_read_as_the_catalog_prints_them() {
        assert_eq!(canonical("int"), "integer");
        assert_eq!(canonical("serial"), "integer");
        assert_eq!(canonical("varchar(255)"), "character varying(255)");
        assert_eq!(canonical("timestamptz"), "timestamp with time zone");
        assert_eq!(canonical("timestamp(3)"), "timestamp(3) without time zone");
        assert_eq!(
            canonical("timestamp(6) with time zone"),
            "timestamp(6) with time zone"
        );
        assert_eq!(canonical("int[]"), "integer[]");
        assert_eq!(canonical("decimal(10, 2)"), "numeric(10,2)");
        assert_eq!(canonical("char"), "character(1)");
        assert_eq!(canonical("uuid"), "uuid");
    }
}
