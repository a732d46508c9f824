//! Translated copies of a description. Documentation sites keep one description per
//! language (GoToSocial's `docs/api/swagger.yaml` and `docs/locales/zh/api/swagger.yaml`):
//! the server serves one API, and the copy in the original's place is its contract. A
//! translation catching up with the original (an endpoint it still listed dropped, a
//! path fixed) changes what readers of that language see, not what clients get.

/// Folders that hold one subfolder per language.
const LANGUAGE_ROOTS: &[&str] = &["locales", "locale", "i18n", "l10n", "translations"];

/// A language tag as folder names spell it: `zh`, `pt-BR`, `zh_CN`, `fil`.
fn is_language_tag(s: &str) -> bool {
    let (lang, region) = match s.split_once(['-', '_']) {
        Some((l, r)) => (l, Some(r)),
        None => (s, None),
    };
    (2..=3).contains(&lang.len())
        && lang.chars().all(|c| c.is_ascii_lowercase())
        && region.is_none_or(|r| {
            (2..=4).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// The path of the original that `path` would translate: `path` with its
/// `<language root>/<language>/` segments removed, when it has them.
pub fn original_path(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split('/').collect();
    let i = parts.windows(2).position(|w| {
        LANGUAGE_ROOTS.contains(&w[0].to_ascii_lowercase().as_str()) && is_language_tag(w[1])
    })?;
    // The language folder must hold more than the file itself.
    (i + 2 < parts.len()).then(|| {
        parts[..i]
            .iter()
            .chain(&parts[i + 2..])
            .copied()
            .collect::<Vec<_>>()
            .join("/")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_folder_is_removed() {
        assert_eq!(
            original_path("docs/locales/zh/api/swagger.yaml").as_deref(),
            Some("docs/api/swagger.yaml")
        );
        assert_eq!(
            original_path("i18n/pt-BR/openapi.yaml").as_deref(),
            Some("openapi.yaml")
        );
    }

    #[test]
    fn other_folders_are_not_languages() {
        assert_eq!(original_path("docs/api/swagger.yaml"), None);
        assert_eq!(original_path("locales/common/openapi.yaml"), None);
        assert_eq!(original_path("docs/locales/zh"), None);
    }
}
