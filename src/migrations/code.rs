//! Migrations written in a programming language (goose's Go migrations, concourse's
//! `…up.go`): rollsafe does not run them, so what they change is unknown. The SQL in their
//! string literals says which tables they touch; the replay stops vouching for those.

use crate::sql::ops::table_key;

/// The tables a code migration's SQL names (after `TABLE`, `INTO`, `UPDATE`, `FROM`,
/// `JOIN`, or `ON` in `CREATE INDEX`), or `None` when it names none (an ORM, a helper):
/// then it may have changed any table.
pub fn tables_named(text: &str) -> Option<Vec<String>> {
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '"' | '`')))
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i].trim_matches(['"', '`']).to_ascii_uppercase();
        if matches!(
            w.as_str(),
            "TABLE" | "INTO" | "UPDATE" | "FROM" | "JOIN" | "ON"
        ) {
            let mut j = i + 1;
            while j < words.len()
                && matches!(
                    words[j]
                        .trim_matches(['"', '`'])
                        .to_ascii_uppercase()
                        .as_str(),
                    "IF" | "NOT" | "EXISTS" | "ONLY"
                )
            {
                j += 1;
            }
            if let Some(name) = words.get(j) {
                let parts: Vec<String> = name
                    .split('.')
                    .map(|p| p.trim_matches(['"', '`']).to_ascii_lowercase())
                    .filter(|p| !p.is_empty())
                    .collect();
                let plausible = !parts.is_empty()
                    && parts.iter().all(|p| {
                        p.chars()
                            .next()
                            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    });
                if plausible {
                    let key = table_key(&parts);
                    if !out.contains(&key) {
                        out.push(key);
                    }
                }
            }
            i = j;
        }
        i += 1;
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::tables_named;

    #[test]
    fn the_sql_strings_of_a_go_migration_name_its_tables() {
        let go = "func up(tx *sql.Tx) error {\n\t_, err := tx.Exec(\"ALTER TABLE resources ADD COLUMN type text\")\n\trows, err := tx.Query(\"SELECT id FROM public.resources\")\n\t_, err = tx.Exec(`UPDATE \"jobs\" SET x = 1`)\n}";
        assert_eq!(
            tables_named(go),
            Some(vec!["resources".to_string(), "jobs".to_string()])
        );
        assert_eq!(
            tables_named("func up() error { return orm.AutoMigrate(&User{}) }"),
            None
        );
    }
}
