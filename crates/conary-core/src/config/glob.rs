//! Host globs, as `user`, `entitlement` and `repositoryMap` lines use them.

/// Whether `text` matches `glob`, as the original's `fnmatch` does for host
/// names: `*` matches any run of characters, `?` one character, `[abc]`,
/// `[a-z]` and `[!abc]` one character of (or not of) a set. ASCII letters
/// match without regard to case, since host names are case-insensitive.
///
/// The match takes time proportional to the product of the two lengths at
/// worst, whatever the glob (no exponential backtracking).
///
/// ```rust
/// use conary_core::config::glob_matches;
/// assert!(glob_matches("*.example.com", "Repo.Example.com"));
/// assert!(glob_matches("repo[0-9].example.com", "repo7.example.com"));
/// assert!(!glob_matches("*.example.com", "example.com"));
/// ```
pub fn glob_matches(glob: &str, text: &str) -> bool {
    let glob: Vec<char> = glob.chars().map(|c| c.to_ascii_lowercase()).collect();
    let text: Vec<char> = text.chars().map(|c| c.to_ascii_lowercase()).collect();
    let (mut g, mut t) = (0, 0);
    // Where to resume after the last `*`: the glob just past it, and the
    // text position it has swallowed up to.
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        let step = match glob.get(g) {
            Some('*') => {
                star = Some((g + 1, t));
                g += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match_class(&glob, g, text[t]),
            Some(c) if *c == text[t] => Some(1),
            _ => None,
        };
        match (step, star) {
            (Some(len), _) => {
                g += len;
                t += 1;
            }
            (None, Some((after_star, swallowed))) => {
                // Let the last `*` swallow one more character and retry.
                g = after_star;
                t = swallowed + 1;
                star = Some((after_star, t));
            }
            (None, None) => return false,
        }
    }
    glob.get(g..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

/// Matches `c` against the `[...]` class starting at `glob[start]`:
/// `Some(length of the class)` when it matches. A `[` without a closing `]`
/// is an ordinary character.
fn match_class(glob: &[char], start: usize, c: char) -> Option<usize> {
    let Some(members) = class_members(glob, start) else {
        return (c == '[').then_some(1);
    };
    let (negated, members) = match members.split_first() {
        Some(('!' | '^', rest)) if !rest.is_empty() => (true, rest),
        _ => (false, members),
    };
    let mut matched = false;
    let mut index = 0;
    while let Some(&member) = members.get(index) {
        match (members.get(index + 1), members.get(index + 2)) {
            (Some('-'), Some(&end)) => {
                matched |= (member..=end).contains(&c);
                index += 3;
            }
            _ => {
                matched |= member == c;
                index += 1;
            }
        }
    }
    let negation = usize::from(negated);
    (matched != negated).then_some(members.len() + negation + 2)
}

/// The characters between `glob[start]` (a `[`) and its closing `]`; a `]`
/// right after the `[` (or after `[!`) is a member, not the end.
fn class_members(glob: &[char], start: usize) -> Option<&[char]> {
    let first = start + 1;
    let mut index = first;
    if matches!(glob.get(index), Some('!' | '^')) {
        index += 1;
    }
    if glob.get(index) == Some(&']') {
        index += 1;
    }
    let close = index + glob.get(index..)?.iter().position(|c| *c == ']')?;
    glob.get(first..close)
}

/// Whether `glob` holds a wildcard, so that it is not an exact host name.
fn is_glob(glob: &str) -> bool {
    glob.contains(['*', '?', '['])
}

/// Chooses the entry for `host` among host globs given in order, as the
/// original's server glob lists do: an exact host name (case-insensitive,
/// the last one given wins) beats every glob; globs are tried most specific
/// first, a glob given later going before the first earlier glob that
/// matches its text (so `*.example.com` after `*` is tried before `*`), and
/// replacing an identical earlier glob.
///
/// ```rust
/// use conary_core::config::select_host_glob;
/// let globs = ["*", "*.example.com", "repo.example.com"];
/// assert_eq!(select_host_glob(globs, "repo.example.com"), Some(2));
/// assert_eq!(select_host_glob(globs, "other.example.com"), Some(1));
/// assert_eq!(select_host_glob(globs, "elsewhere.org"), Some(0));
/// ```
pub fn select_host_glob<'a>(globs: impl IntoIterator<Item = &'a str>, host: &str) -> Option<usize> {
    let mut exact = None;
    // Indices of the globs, most specific first, with their lowercase text.
    let mut ordered: Vec<(usize, String)> = Vec::new();
    for (index, glob) in globs.into_iter().enumerate() {
        let glob = glob.to_ascii_lowercase();
        if !is_glob(&glob) {
            if glob == host.to_ascii_lowercase() {
                exact = Some(index);
            }
            continue;
        }
        let location = ordered
            .iter()
            .position(|(_, earlier)| glob_matches(earlier, &glob));
        match location {
            Some(position) if ordered.get(position).is_some_and(|(_, e)| *e == glob) => {
                if let Some(slot) = ordered.get_mut(position) {
                    *slot = (index, glob);
                }
            }
            Some(position) => ordered.insert(position, (index, glob)),
            None => ordered.push((index, glob)),
        }
    }
    exact.or_else(|| {
        ordered
            .iter()
            .find(|(_, glob)| glob_matches(glob, host))
            .map(|(index, _)| *index)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        #[rustfmt::skip]
        let cases: &[(&str, &str, bool)] = &[
            ("", "", true),
            ("", "a", false),
            ("*", "", true),
            ("*", "anything.at.all", true),
            ("a*", "a", true),
            ("*a", "ba", true),
            ("*a", "ab", false),
            ("?", "", false),
            ("?", "é", true),
            ("a?c", "abc", true),
            ("*.example.com", "repo.example.com", true),
            ("*.example.com", "example.com", false),
            ("*.EXAMPLE.com", "repo.example.COM", true),
            ("a*b*c", "aXbYc", true),
            ("a*b*c", "aXcYb", false),
            ("[ab]x", "bx", true),
            ("[ab]x", "cx", false),
            ("[!ab]x", "cx", true),
            ("[!ab]x", "ax", false),
            ("repo[0-9]", "repo5", true),
            ("repo[0-9]", "repoa", false),
            ("[]]", "]", true),
            ("[a-]", "-", true),
            ("[abc", "[abc", true),
            ("[abc", "a", false),
        ];
        for (glob, text, expected) in cases {
            assert_eq!(
                glob_matches(glob, text),
                *expected,
                "'{glob}' against '{text}'"
            );
        }
    }

    #[test]
    fn many_stars_do_not_backtrack_exponentially() {
        let glob = format!("{}b", "*a".repeat(40));
        let text = "a".repeat(4000);
        assert!(!glob_matches(&glob, &text));
    }

    #[test]
    fn host_glob_selection() {
        #[rustfmt::skip]
        let cases: &[(&[&str], &str, Option<usize>)] = &[
            (&[], "a.com", None),
            (&["a.com"], "A.COM", Some(0)),
            (&["a.com", "a.com"], "a.com", Some(1)),
            (&["*", "a.com"], "a.com", Some(1)),
            (&["a.com", "*"], "a.com", Some(0)),
            (&["*", "*.com"], "a.com", Some(1)),
            (&["*.com", "*"], "a.com", Some(0)),
            (&["*.com", "*.com"], "a.com", Some(1)),
            (&["*.org", "*"], "a.com", Some(1)),
            (&["b.com"], "a.com", None),
        ];
        for (globs, host, expected) in cases {
            assert_eq!(
                select_host_glob(globs.iter().copied(), host),
                *expected,
                "{globs:?} for '{host}'"
            );
        }
    }
}
