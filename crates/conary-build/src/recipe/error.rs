//! Errors of recipe evaluation, each naming the recipe place at fault.
//!
//! Starlark reports problems with a span; [`from_starlark`] turns that
//! span into our [`Location`] (lines and columns from 1) and rewrites the
//! interpreter's wording where a recipe author deserves a clearer one
//! (`unknown build action 'Mkae'` rather than "object of type `recipe` has
//! no attribute").

use starlark::codemap::FileSpan;

use super::model::Location;

/// Why a recipe could not be evaluated.
///
/// Display is `FILE:LINE:COLUMN: message` when the place is known, else
/// `FILE: message`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecipeError {
    /// The recipe is not valid Starlark.
    #[error("{at}: syntax error: {message}")]
    Syntax {
        /// Where the parser stopped.
        at: Location,
        /// The parser's message.
        message: String,
    },
    /// The recipe has a `load` statement: builds are hermetic, a recipe is
    /// one file.
    #[error("{at}: load() is not allowed in a recipe: builds are hermetic, a recipe is one file")]
    Load {
        /// The `load` statement.
        at: Location,
    },
    /// Evaluating the recipe failed at a known place: an unknown action, an
    /// argument of the wrong type, a `fail()`, an action the recipe's kind
    /// does not allow.
    #[error("{at}: {message}")]
    Evaluation {
        /// The call or expression at fault.
        at: Location,
        /// What went wrong.
        message: String,
    },
    /// Evaluating the recipe failed and Starlark gave no place.
    #[error("{file}: {message}")]
    EvaluationInFile {
        /// The recipe file.
        file: String,
        /// What went wrong.
        message: String,
    },
    /// A required top-level variable (`name`, `version`) is not set.
    #[error("{at}: missing top-level `{variable}`")]
    Missing {
        /// The start of the recipe file.
        at: Location,
        /// `name` or `version`.
        variable: &'static str,
    },
    /// A top-level variable has the wrong type or an unusable value.
    #[error("{at}: top-level `{variable}`: {problem}")]
    BadVariable {
        /// The assignment (or the start of the file).
        at: Location,
        /// The variable: `name`, `version`, `build_requires`, `factory`.
        variable: &'static str,
        /// What is wrong with it, e.g. `must be a string, not int`.
        problem: String,
    },
    /// The recipe text is larger than evaluation accepts.
    #[error("{file}: recipe is {size} bytes, more than the {limit} allowed")]
    TooLarge {
        /// The recipe file.
        file: String,
        /// Its size in bytes.
        size: usize,
        /// The most accepted.
        limit: usize,
    },
    /// The recipe is nested deeper than evaluation accepts.
    #[error("{at}: recipe too complex: {problem}")]
    TooComplex {
        /// Where the bound was crossed.
        at: Location,
        /// Which bound, e.g. `brackets nested more than 200 deep`.
        problem: String,
    },
    /// The recipe defines no `setup(r)` and names no `factory`.
    #[error("{at}: recipe defines no `setup(r)` function and names no `factory`")]
    MissingSetup {
        /// The start of the recipe file.
        at: Location,
    },
}

impl RecipeError {
    /// The place in the recipe, when known.
    pub fn location(&self) -> Option<&Location> {
        match self {
            RecipeError::Syntax { at, .. }
            | RecipeError::Load { at }
            | RecipeError::Evaluation { at, .. }
            | RecipeError::Missing { at, .. }
            | RecipeError::BadVariable { at, .. }
            | RecipeError::TooComplex { at, .. }
            | RecipeError::MissingSetup { at } => Some(at),
            RecipeError::EvaluationInFile { .. } | RecipeError::TooLarge { .. } => None,
        }
    }
}

/// The [`Location`] of the start of a Starlark span.
pub(crate) fn location_of(span: &FileSpan) -> Location {
    let resolved = span.resolve_span();
    Location {
        file: span.filename().to_owned(),
        line: to_u32(resolved.begin.line).saturating_add(1),
        column: to_u32(resolved.begin.column).saturating_add(1),
    }
}

/// The first line of `file`, for problems with the recipe as a whole.
pub(crate) fn start_of(file: &str) -> Location {
    Location {
        file: file.to_owned(),
        line: 1,
        column: 1,
    }
}

fn to_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// A Starlark parse error as a [`RecipeError::Syntax`].
pub(crate) fn from_parse_error(file: &str, error: &starlark::Error) -> RecipeError {
    let text = first_line(&error.without_diagnostic().to_string());
    let message = text
        .strip_prefix("Parse error: ")
        .unwrap_or(&text)
        .to_owned();
    match error.span() {
        Some(span) => RecipeError::Syntax {
            at: location_of(span),
            message,
        },
        None => RecipeError::Syntax {
            at: start_of(file),
            message,
        },
    }
}

/// A Starlark evaluation error as a [`RecipeError`], its wording made
/// clearer for the common cases.
pub(crate) fn from_starlark(file: &str, error: &starlark::Error) -> RecipeError {
    let message = reword(&first_line(&error.without_diagnostic().to_string()));
    match error.span() {
        Some(span) => RecipeError::Evaluation {
            at: location_of(span),
            message,
        },
        None => match error
            .call_stack()
            .frames
            .last()
            .and_then(|frame| frame.location.as_ref())
        {
            Some(span) => RecipeError::Evaluation {
                at: location_of(span),
                message,
            },
            None => RecipeError::EvaluationInFile {
                file: file.to_owned(),
                message,
            },
        },
    }
}

fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .trim_end()
        .to_owned()
}

/// The type name of the recipe object `r`, as Starlark reports it.
pub(crate) const RECIPE_TYPE: &str = "recipe";

/// Rewrites "no attribute" on `r` into the recipe author's words, and
/// starts Starlark's own messages in lowercase, as ours do.
fn reword(message: &str) -> String {
    let mut chars = message.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second))
            if first.is_ascii_uppercase() && second.is_ascii_lowercase() =>
        {
            let lowered = format!("{}{}", first.to_ascii_lowercase(), &message[1..]);
            reword_attribute(message).unwrap_or(lowered)
        }
        _ => message.to_owned(),
    }
}

fn reword_attribute(message: &str) -> Option<String> {
    if let Some(rest) = message.strip_prefix("Object of type `macros` has no attribute `") {
        let (name, _) = rest.split_once('`')?;
        return Some(format!(
            "macro '{name}' is not set (r.macros holds the macros the recipe set)"
        ));
    }
    let prefix = format!("Object of type `{RECIPE_TYPE}` has no attribute `");
    let rest = message.strip_prefix(&prefix)?;
    let (name, hint) = rest.split_once('`')?;
    let suggestion = hint
        .strip_prefix(", did you mean `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(suggested, _)| format!(" (did you mean '{suggested}'?)"))
        .unwrap_or_default();
    Some(
        if name.starts_with(|first: char| first.is_ascii_uppercase()) {
            format!("unknown build action '{name}'{suggestion}")
        } else {
            format!("unknown recipe operation or attribute 'r.{name}'{suggestion}")
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewords_unknown_attribute_of_r() {
        let cases = [
            (
                "Object of type `recipe` has no attribute `Mkae`",
                "unknown build action 'Mkae'",
            ),
            (
                "Object of type `recipe` has no attribute `Mkae`, did you mean `Make`?",
                "unknown build action 'Mkae' (did you mean 'Make'?)",
            ),
            (
                "Object of type `recipe` has no attribute `ad`",
                "unknown recipe operation or attribute 'r.ad'",
            ),
            (
                "Object of type `string` has no attribute `x`",
                "object of type `string` has no attribute `x`",
            ),
            ("fail: boom", "fail: boom"),
            (
                "Object of type `macros` has no attribute `nope`",
                "macro 'nope' is not set (r.macros holds the macros the recipe set)",
            ),
            (
                "Parse error: unexpected new line",
                "parse error: unexpected new line",
            ),
        ];
        for (given, expected) in cases {
            assert_eq!(reword(given), expected, "{given}");
        }
    }
}
