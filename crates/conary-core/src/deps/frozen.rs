//! The original's frozen form of dependency sets: `ID#name:flag|ID#name`.

use super::DepError;
use super::class::DepClass;
use super::dependency::Dependency;
use super::set::DependencySet;

impl DependencySet {
    /// The frozen form: `ID#name:flag:flag` for each dependency, in class
    /// id then name order, joined by `|`; `:` in a name becomes `::`, in a
    /// flag `\:`. The empty set freezes to the empty string.
    ///
    /// ```rust
    /// use conary_core::deps::DependencySet;
    ///
    /// let set: DependencySet = "perl: Foo::Bar trove: foo:runtime(ssl)".parse()?;
    /// assert_eq!(set.freeze(), "4#foo::runtime:ssl|12#Foo::::Bar");
    /// assert_eq!(DependencySet::thaw(&set.freeze())?, set);
    /// # Ok::<(), conary_core::deps::DepError>(())
    /// ```
    pub fn freeze(&self) -> String {
        let mut frozen = String::new();
        for (index, dependency) in self.iter().enumerate() {
            if index > 0 {
                frozen.push('|');
            }
            frozen.push_str(&dependency.class().id().to_string());
            frozen.push('#');
            frozen.push_str(&dependency.name().replace(':', "::"));
            for flag in dependency.flags() {
                frozen.push(':');
                frozen.push_str(&flag.replace(':', "\\:"));
            }
        }
        frozen
    }

    /// Reads the frozen form written by [`DependencySet::freeze`] (or by
    /// the original). Classes this code does not know are kept as
    /// [`DepClass::Unknown`]. Unlike the text form, a `soname:`, `abi:` or
    /// `CIL:` dependency may come without flags.
    pub fn thaw(frozen: &str) -> Result<DependencySet, DepError> {
        let mut set = DependencySet::new();
        if frozen.is_empty() {
            return Ok(set);
        }
        for piece in frozen.split('|') {
            if piece.is_empty() {
                return Err(frozen_error(frozen, "empty dependency between '|'"));
            }
            set.insert(thaw_dependency(piece)?);
        }
        Ok(set)
    }
}

fn frozen_error(piece: &str, reason: impl Into<String>) -> DepError {
    DepError::InvalidFrozen {
        text: piece.to_owned(),
        reason: reason.into(),
    }
}

fn thaw_dependency(piece: &str) -> Result<Dependency, DepError> {
    let Some((id_text, body)) = piece.split_once('#') else {
        return Err(frozen_error(piece, "missing '#' after the class id"));
    };
    if id_text.is_empty() || !id_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(frozen_error(piece, "class id is not a number"));
    }
    let id = id_text
        .parse::<u32>()
        .map_err(|_| frozen_error(piece, "class id is too large"))?;
    let mut words = split_words(body).map_err(|reason| frozen_error(piece, reason))?;
    let name = if words.is_empty() {
        String::new()
    } else {
        words.remove(0)
    };
    Dependency::new_unchecked_rule(DepClass::from_id(id), name, words)
        .map_err(|error| frozen_error(piece, error.to_string()))
}

/// Splits `name:flag:flag` at single `:`, turning `::` into `:` and `\X`
/// into `X`.
fn split_words(body: &str) -> Result<Vec<String>, &'static str> {
    let mut words = vec![String::new()];
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ':' if chars.peek() == Some(&':') => {
                chars.next();
                push_char(&mut words, ':');
            }
            ':' => words.push(String::new()),
            '\\' => match chars.next() {
                Some(escaped) => push_char(&mut words, escaped),
                None => return Err("'\\' at the end"),
            },
            other => push_char(&mut words, other),
        }
    }
    Ok(words)
}

fn push_char(words: &mut Vec<String>, c: char) {
    match words.last_mut() {
        Some(word) => word.push(c),
        None => words.push(c.to_string()),
    }
}
