//! A stand-in for the recipe evaluator: reads the top-level `name`,
//! `version` and `factory` assignments of a recipe (`name = "hello"`)
//! line by line. The lead swaps [`recipe_metadata`] for
//! `conary_build::recipe::evaluate_metadata` once that lands.

use std::sync::OnceLock;

use regex::Regex;

use super::error::SourceError;

/// `(name, version, factory)` of the recipe `file` whose text is `text`:
/// top-level string assignments (at the start of a line). `name` is
/// required; `version` is `""` when absent.
pub(crate) fn recipe_metadata(
    file: &str,
    text: &str,
) -> Result<(String, String, Option<String>), SourceError> {
    static ASSIGNMENT: OnceLock<Option<Regex>> = OnceLock::new();
    let pattern = ASSIGNMENT
        .get_or_init(|| Regex::new(r#"^(name|version|factory)\s*=\s*"([^"\\]*)"\s*(#.*)?$"#).ok())
        .as_ref()
        .ok_or_else(|| SourceError::Recipe {
            file: file.to_owned(),
            reason: "internal: bad metadata pattern".to_owned(),
        })?;
    let (mut name, mut version, mut factory) = (None, None, None);
    for line in text.lines() {
        let Some(captures) = pattern.captures(line) else {
            continue;
        };
        let value = captures.get(2).map_or("", |m| m.as_str()).to_owned();
        match captures.get(1).map(|m| m.as_str()) {
            Some("name") => name = Some(value),
            Some("version") => version = Some(value),
            _ => factory = Some(value),
        }
    }
    let name = name.ok_or_else(|| SourceError::Recipe {
        file: file.to_owned(),
        reason: "no top-level name = \"...\"".to_owned(),
    })?;
    Ok((name, version.unwrap_or_default(), factory))
}

#[cfg(test)]
mod tests {
    use super::recipe_metadata;

    #[test]
    fn reads_top_level_assignments() {
        let text = "name = \"hello\"\nversion=\"1.0\"  # upstream\nbuild_requires = []\n\ndef setup(r):\n    name = \"inner\"\n";
        assert_eq!(
            recipe_metadata("hello.recipe", text).expect("valid"),
            ("hello".to_owned(), "1.0".to_owned(), None)
        );
        let with_factory = "name = \"x\"\nfactory = \"autotools\"\n";
        let (_, version, factory) = recipe_metadata("x.recipe", with_factory).expect("valid");
        assert_eq!(
            (version.as_str(), factory.as_deref()),
            ("", Some("autotools"))
        );
    }

    #[test]
    fn name_is_required() {
        let error = recipe_metadata("x.recipe", "version = \"1\"\n").expect_err("no name");
        assert_eq!(error.to_string(), "x.recipe: no top-level name = \"...\"");
    }
}
