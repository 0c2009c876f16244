//! Text forms of a flavor: the canonical `ssl,!pam is: x86(i686)` and the
//! frozen `1#x86:i686|5#use:!pam:ssl` stored in troves and databases.
//!
//! The grammar is the original's `parseFlavor` regular expression, written as
//! a small hand parser so that every error names what is wrong:
//!
//! ```text
//! flavor   := [ "use:" ] [ useflag { "," useflag } ] [ "is:" arches ] [ "target:" arches ]
//! arches   := { arch }                       (separated by whitespace)
//! arch     := ident [ "(" flag { "," flag } ")" ]
//! useflag  := sense ident [ "." ident ]
//! flag     := sense ident
//! sense    := "" | "!" | "~" | "~!"
//! ident    := [0-9A-Za-z_-]+
//! ```
//!
//! Whitespace is allowed around every token; a section keyword with nothing
//! after it records an explicitly empty class. Two deliberate differences from
//! the original regular expression: a keyword must be separated from the flag
//! before it (`sslis: x86` is rejected rather than read as `ssl is: x86`), and
//! odd prefixes such as `!~ssl` or `!!ssl` are rejected rather than kept as part
//! of the flag name. As in the original, a flag repeated within one list keeps
//! its last sense, and an instruction set repeated in one class has its flags
//! merged (contradicting flags are an error).

use std::fmt;
use std::str::FromStr;

use super::merge::merge_flags;
use super::{ArchMap, FlagMap, Flavor, FlavorError, MergeMode, Sense};
use crate::name::is_ident_char;

/// The class tags of the original's frozen dependency sets.
const TAG_INSTRUCTION_SET: u32 = 1;
const TAG_USE: u32 = 5;
const TAG_TARGET: u32 = 15;

fn is_ident_byte(byte: u8) -> bool {
    is_ident_char(char::from(byte))
}

fn is_ident(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(is_ident_byte)
}

/// Whether `name` is a valid flag name; use flags (`allow_dot`) may hold one inner dot.
fn is_valid_name(name: &str, allow_dot: bool) -> bool {
    match name.split_once('.') {
        Some((package, flag)) if allow_dot => is_ident(package) && is_ident(flag),
        _ => is_ident(name),
    }
}

/// Checks a name handed to a builder method.
pub(crate) fn check_name(name: &str, allow_dot: bool) -> Result<(), FlavorError> {
    if is_valid_name(name, allow_dot) {
        return Ok(());
    }
    Err(FlavorError::BadName {
        name: name.to_string(),
        reason: if allow_dot {
            "a use flag is letters, digits, '_' and '-', with at most one inner '.'"
        } else {
            "an instruction set and its flags are letters, digits, '_' and '-'"
        },
    })
}

/// Splits a sense prefix off a flag: `~!ssl` gives (`PreferNot`, `ssl`).
fn split_sense(flag: &str) -> (Sense, &str) {
    if let Some(name) = flag.strip_prefix("~!") {
        (Sense::PreferNot, name)
    } else if let Some(name) = flag.strip_prefix('~') {
        (Sense::Preferred, name)
    } else if let Some(name) = flag.strip_prefix('!') {
        (Sense::Disallowed, name)
    } else {
        (Sense::Required, flag)
    }
}

/// The section keywords, in the order they must appear.
const KEYWORDS: [&str; 3] = ["use:", "is:", "target:"];

/// A cursor over the (trimmed) flavor text.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(|byte| byte.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn looking_at(&self, word: &str) -> bool {
        self.rest().starts_with(word)
    }

    fn at_keyword(&self) -> bool {
        KEYWORDS.iter().any(|keyword| self.looking_at(keyword))
    }

    fn eat(&mut self, word: &str) -> bool {
        let found = self.looking_at(word);
        if found {
            self.pos += word.len();
        }
        found
    }

    /// Consumes identifier bytes and returns them (possibly empty).
    fn ident(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_ident_byte) {
            self.pos += 1;
        }
        self.text.get(start..self.pos).unwrap_or("")
    }

    /// The text from `start` up to the next delimiter, for error messages.
    fn token_from(&self, start: usize) -> String {
        let tail = self.text.get(start..).unwrap_or("");
        let end = tail
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, ',' | '(' | ')'))
            .unwrap_or(tail.len());
        tail.get(..end).unwrap_or(tail).to_string()
    }

    /// The text from `start` up to the next whitespace, for error messages.
    fn word_from(&self, start: usize) -> String {
        let tail = self.text.get(start..).unwrap_or("");
        let end = tail
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(tail.len());
        tail.get(..end).unwrap_or(tail).to_string()
    }

    fn error_bad_flag(&self, start: usize) -> FlavorError {
        FlavorError::BadFlag {
            flavor: self.text.to_string(),
            flag: self.token_from(start),
        }
    }

    /// One flag with its sense prefix; `allow_dot` for use flags.
    fn flag(&mut self, allow_dot: bool) -> Result<(String, Sense), FlavorError> {
        let start = self.pos;
        let sense = if self.eat("~!") {
            Sense::PreferNot
        } else if self.eat("~") {
            Sense::Preferred
        } else if self.eat("!") {
            Sense::Disallowed
        } else {
            Sense::Required
        };
        let name_start = self.pos;
        self.ident();
        if allow_dot && self.peek() == Some(b'.') {
            self.pos += 1;
            self.ident();
        }
        let name = self.text.get(name_start..self.pos).unwrap_or("");
        let at_delimiter = self
            .peek()
            .is_none_or(|byte| byte.is_ascii_whitespace() || byte == b',' || byte == b')');
        if name.is_empty() && start == name_start && at_delimiter {
            return Err(FlavorError::EmptyFlag {
                flavor: self.text.to_string(),
            });
        }
        if !at_delimiter || !is_valid_name(name, allow_dot) {
            return Err(self.error_bad_flag(start));
        }
        Ok((name.to_string(), sense))
    }

    /// The comma-separated use flags.
    fn use_flags(&mut self) -> Result<FlagMap, FlavorError> {
        let mut flags = FlagMap::new();
        loop {
            self.skip_whitespace();
            let (name, sense) = self.flag(true)?;
            flags.insert(name, sense);
            self.skip_whitespace();
            if !self.eat(",") {
                return Ok(flags);
            }
        }
    }

    /// The parenthesised flags of one instruction set; the `(` is consumed.
    fn arch_flags(&mut self) -> Result<FlagMap, FlavorError> {
        let mut flags = FlagMap::new();
        loop {
            self.skip_whitespace();
            if self.at_end() {
                return Err(self.error_missing_paren());
            }
            let (name, sense) = self.flag(false)?;
            flags.insert(name, sense);
            self.skip_whitespace();
            if self.eat(")") {
                return Ok(flags);
            }
            if self.at_end() {
                return Err(self.error_missing_paren());
            }
            if !self.eat(",") {
                return Err(self.error_bad_flag(self.pos));
            }
        }
    }

    fn error_missing_paren(&self) -> FlavorError {
        FlavorError::MissingParen {
            flavor: self.text.to_string(),
        }
    }

    /// The whitespace-separated instruction sets after `is:` or `target:`.
    fn arches(&mut self) -> Result<ArchMap, FlavorError> {
        let mut arches = ArchMap::new();
        loop {
            self.skip_whitespace();
            if self.at_end() || self.at_keyword() {
                return Ok(arches);
            }
            let start = self.pos;
            let name = self.ident();
            let next = self.peek();
            if name.is_empty() || !next.is_none_or(|b| b.is_ascii_whitespace() || b == b'(') {
                return Err(FlavorError::BadInstructionSet {
                    flavor: self.text.to_string(),
                    arch: self.word_from(start),
                });
            }
            let flags = if self.eat("(") {
                self.arch_flags()?
            } else {
                FlagMap::new()
            };
            if !self.peek().is_none_or(|byte| byte.is_ascii_whitespace()) {
                return Err(FlavorError::Unexpected {
                    flavor: self.text.to_string(),
                    text: self.rest().to_string(),
                });
            }
            self.add_arch(&mut arches, name, flags)?;
        }
    }

    fn add_arch(
        &self,
        arches: &mut ArchMap,
        name: &str,
        flags: FlagMap,
    ) -> Result<(), FlavorError> {
        match arches.get_mut(name) {
            Some(existing) => {
                merge_flags(existing, &flags, MergeMode::Normal).map_err(|error| match error {
                    FlavorError::MergeConflict { first, second } => FlavorError::ConflictingFlags {
                        flavor: self.text.to_string(),
                        first,
                        second,
                    },
                    other => other,
                })
            }
            None => {
                arches.insert(name.to_string(), flags);
                Ok(())
            }
        }
    }

    fn flavor(&mut self) -> Result<Flavor, FlavorError> {
        let mut flavor = Flavor::default();
        if self.eat("use:") {
            flavor.use_flags = Some(FlagMap::new());
        }
        self.skip_whitespace();
        if !self.at_end() && !self.at_keyword() {
            flavor.use_flags = Some(self.use_flags()?);
        }
        self.skip_whitespace();
        if self.eat("is:") {
            flavor.instruction_sets = Some(self.arches()?);
        }
        self.skip_whitespace();
        if self.eat("target:") {
            flavor.targets = Some(self.arches()?);
        }
        self.skip_whitespace();
        if self.at_end() {
            return Ok(flavor);
        }
        if let Some(keyword) = KEYWORDS.iter().find(|keyword| self.looking_at(keyword)) {
            return Err(FlavorError::SectionOrder {
                flavor: self.text.to_string(),
                section: (*keyword).to_string(),
            });
        }
        Err(FlavorError::Unexpected {
            flavor: self.text.to_string(),
            text: self.rest().to_string(),
        })
    }
}

impl FromStr for Flavor {
    type Err = FlavorError;

    /// Parses a flavor as the original's `parseFlavor` does; leading and
    /// trailing whitespace is ignored and the empty string is the empty flavor.
    fn from_str(text: &str) -> Result<Flavor, FlavorError> {
        Parser {
            text: text.trim(),
            pos: 0,
        }
        .flavor()
    }
}

fn write_flags(f: &mut fmt::Formatter<'_>, flags: &FlagMap) -> fmt::Result {
    for (index, (name, sense)) in flags.iter().enumerate() {
        if index > 0 {
            f.write_str(",")?;
        }
        write!(f, "{}{name}", sense.prefix())?;
    }
    Ok(())
}

impl fmt::Display for Flavor {
    /// The canonical form: use flags sorted by name (ignoring the sense
    /// prefix), then `is:` and `target:` with instruction sets sorted by name;
    /// explicitly empty classes print as nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut need_space = false;
        if let Some(flags) = self.use_flags.as_ref().filter(|flags| !flags.is_empty()) {
            write_flags(f, flags)?;
            need_space = true;
        }
        for (keyword, arches) in [("is:", &self.instruction_sets), ("target:", &self.targets)] {
            let Some(arches) = arches.as_ref().filter(|arches| !arches.is_empty()) else {
                continue;
            };
            if need_space {
                f.write_str(" ")?;
            }
            f.write_str(keyword)?;
            for (name, flags) in arches {
                write!(f, " {name}")?;
                if !flags.is_empty() {
                    f.write_str("(")?;
                    write_flags(f, flags)?;
                    f.write_str(")")?;
                }
            }
            need_space = true;
        }
        Ok(())
    }
}

fn freeze_dependency(parts: &mut Vec<String>, tag: u32, name: &str, flags: &FlagMap) {
    let mut part = format!("{tag}#{name}");
    for (flag, sense) in flags {
        part.push(':');
        part.push_str(sense.prefix());
        part.push_str(flag);
    }
    parts.push(part);
}

impl Flavor {
    /// The frozen form the original stores in troves and databases, e.g.
    /// `1#x86:i686:~sse2|5#use:!pam:ssl|15#arm`: classes by tag (1 `is`,
    /// 5 `use`, 15 `target`), dependencies by name, flags by name. Explicitly
    /// empty classes are not kept, as in the original.
    ///
    /// ```rust
    /// use conary_core::flavor::Flavor;
    ///
    /// let flavor: Flavor = "~foo,~bar,~!bam is: x86(~!i586)".parse()?;
    /// assert_eq!(flavor.freeze(), "1#x86:~!i586|5#use:~!bam:~bar:~foo");
    /// assert_eq!(Flavor::thaw(&flavor.freeze())?, flavor);
    /// # Ok::<(), conary_core::flavor::FlavorError>(())
    /// ```
    pub fn freeze(&self) -> String {
        let mut parts = Vec::new();
        for (name, flags) in self.instruction_sets.iter().flatten() {
            freeze_dependency(&mut parts, TAG_INSTRUCTION_SET, name, flags);
        }
        if let Some(flags) = self.use_flags.as_ref().filter(|flags| !flags.is_empty()) {
            freeze_dependency(&mut parts, TAG_USE, "use", flags);
        }
        for (name, flags) in self.targets.iter().flatten() {
            freeze_dependency(&mut parts, TAG_TARGET, name, flags);
        }
        parts.join("|")
    }

    /// Reads the frozen form written by [`Flavor::freeze`].
    ///
    /// # Errors
    /// [`FlavorError::BadFrozen`] when a part lacks its `TAG#`, the tag is not a
    /// flavor class, a name or flag is invalid, or flags contradict.
    pub fn thaw(frozen: &str) -> Result<Flavor, FlavorError> {
        let fail = |reason: String| FlavorError::BadFrozen {
            frozen: frozen.to_string(),
            reason,
        };
        let mut flavor = Flavor::default();
        for part in frozen.split('|').filter(|part| !part.is_empty()) {
            let (tag, body) = part
                .split_once('#')
                .ok_or_else(|| fail(format!("missing '#' after the class tag in '{part}'")))?;
            let tag: u32 = tag
                .parse()
                .map_err(|_| fail(format!("class tag '{tag}' is not a number")))?;
            let mut pieces = body.split(':');
            let name = pieces.next().unwrap_or("");
            let mut flags = FlagMap::new();
            for piece in pieces {
                let (sense, flag) = split_sense(piece);
                if !is_valid_name(flag, tag == TAG_USE) {
                    return Err(fail(format!("bad flag '{piece}' in '{part}'")));
                }
                flags.insert(flag.to_string(), sense);
            }
            let conflict = |_| fail(format!("conflicting flags in '{part}'"));
            let arches = match tag {
                TAG_USE if name == "use" => {
                    let use_flags = flavor.use_flags.get_or_insert_with(FlagMap::new);
                    merge_flags(use_flags, &flags, MergeMode::Normal).map_err(conflict)?;
                    continue;
                }
                TAG_USE => {
                    return Err(fail(format!("use flags must be named 'use', not '{name}'")));
                }
                TAG_INSTRUCTION_SET => &mut flavor.instruction_sets,
                TAG_TARGET => &mut flavor.targets,
                _ => return Err(fail(format!("class tag {tag} is not a flavor class"))),
            };
            if !is_ident(name) {
                return Err(fail(format!("bad instruction set name '{name}'")));
            }
            let arches = arches.get_or_insert_with(ArchMap::new);
            match arches.get_mut(name) {
                Some(existing) => {
                    merge_flags(existing, &flags, MergeMode::Normal).map_err(conflict)?
                }
                None => {
                    arches.insert(name.to_string(), flags);
                }
            }
        }
        Ok(flavor)
    }
}

#[cfg(test)]
mod tests {
    //! Cases from the original's `conary_test/depstest/depstest.py`.

    use crate::flavor::{Flavor, FlavorClass, FlavorError};

    fn fl(text: &str) -> Flavor {
        text.parse()
            .unwrap_or_else(|error| panic!("test flavor '{text}' must parse: {error}"))
    }

    // ---------------------------------------------------------------- parse and format

    #[rustfmt::skip]
    const PARSE_FORMAT: &[(&str, &str)] = &[
        // conary_test/depstest/depstest.py testParseFlavor
        ("", ""),
        ("is: mips", "is: mips"),
        ("is: x86(sse)", "is: x86(sse)"),
        ("is: x86(!sse)", "is: x86(!sse)"),
        ("is: x86(sse,mmx)", "is: x86(mmx,sse)"),
        ("is: x86(~sse,~!mmx)", "is: x86(~!mmx,~sse)"),
        ("is: x86(~sse,~!mmx) x86_64", "is: x86(~!mmx,~sse) x86_64"),
        ("is: x86(~sse,~!mmx) x86_64(3dnow)", "is: x86(~!mmx,~sse) x86_64(3dnow)"),
        ("ssl", "ssl"),
        ("~ssl", "~ssl"),
        ("gtk,ssl", "gtk,ssl"),
        ("!gtk,~!ssl", "!gtk,~!ssl"),
        ("use: gtk,ssl is: x86(sse,mmx)", "gtk,ssl is: x86(mmx,sse)"),
        ("  gtk,ssl is: x86(sse, mmx)  ", "gtk,ssl is: x86(mmx,sse)"),
        ("use: gtk,ssl is:x86(  sse,mmx)", "gtk,ssl is: x86(mmx,sse)"),
        ("use:    gtk  ,ssl   is:    x86(sse,mmx)", "gtk,ssl is: x86(mmx,sse)"),
        ("gtk,ssl is: x86(sse , mmx)", "gtk,ssl is: x86(mmx,sse)"),
        ("foo.bar,ssl is: x86", "foo.bar,ssl is: x86"),
        ("foo-valid.bar,ssl is: x86", "foo-valid.bar,ssl is: x86"),
        ("is: x86 x86_64(cmov) ppc(cmov)", "is: ppc(cmov) x86 x86_64(cmov)"),
        ("is: x86 x86_64 ppc(cmov)", "is: ppc(cmov) x86 x86_64"),
        ("is: x86(cmov) x86_64(cmov) ppc(cmov)", "is: ppc(cmov) x86(cmov) x86_64(cmov)"),
        ("is: x86 x86_64 ppc", "is: ppc x86 x86_64"),
        ("target: x86(cmov)", "target: x86(cmov)"),
        ("target: x86", "target: x86"),
        ("target: x86 x86_64", "target: x86 x86_64"),
        ("is: x86 x86_64(cmov) ppc(cmov) target: x86(cmov)", "is: ppc(cmov) x86 x86_64(cmov) target: x86(cmov)"),
        ("is: x86 x86_64 ppc(cmov) target: x86(cmov)", "is: ppc(cmov) x86 x86_64 target: x86(cmov)"),
        ("is: x86(cmov) x86_64(cmov) ppc(cmov) target: x86(cmov)", "is: ppc(cmov) x86(cmov) x86_64(cmov) target: x86(cmov)"),
        ("is: x86 x86_64 ppc target: x86(cmov)", "is: ppc x86 x86_64 target: x86(cmov)"),
        ("is: x86 x86_64 ppc target: x86(cmov) x86_64", "is: ppc x86 x86_64 target: x86(cmov) x86_64"),
        // the reference's examples: sorted by name ignoring the sense prefix
        ("~!bootstrap,ssl,~builddocs is: x86(i486,i586,i686,~sse2) x86_64", "~!bootstrap,~builddocs,ssl is: x86(i486,i586,i686,~sse2) x86_64"),
        ("is: x86(~sse2,!mmx,i686,~!3dnow)", "is: x86(~!3dnow,i686,!mmx,~sse2)"),
        ("ssl,!pam,~builddocs,~!bootstrap", "~!bootstrap,~builddocs,!pam,ssl"),
        ("kernel.smp,~!kernel.debug", "~!kernel.debug,kernel.smp"),
        ("~foo.bar is: x86_64 target: sparc", "~foo.bar is: x86_64 target: sparc"),
        // input variants
        ("   ", ""),
        ("~!ssl, ~!foo", "~!foo,~!ssl"),
        ("ssl ,pam", "pam,ssl"),
        ("use: ssl", "ssl"),
        ("use:ssl", "ssl"),
        ("\tssl\nis:\tx86 ", "ssl is: x86"),
        ("is,target,use", "is,target,use"),
        // explicitly empty classes print as nothing
        ("use:", ""),
        ("is:", ""),
        ("target:", ""),
        ("use: is: target:", ""),
        ("use: gnome is:", "gnome"),
        // repeats: the last sense of a flag wins, a repeated instruction set merges
        ("ssl,!ssl", "!ssl"),
        ("is: x86 x86(i686)", "is: x86(i686)"),
        ("is: x86(i686) x86(~i686)", "is: x86(i686)"),
    ];

    #[test]
    fn parse_and_format() {
        for (input, canonical) in PARSE_FORMAT {
            let flavor = fl(input);
            assert_eq!(flavor.to_string(), *canonical, "formatting '{input}'");
            assert_eq!(
                fl(canonical).to_string(),
                *canonical,
                "reformatting '{input}'"
            );
        }
    }

    const ORDER: &str = "out of order (use: flags, then is:, then target:)";

    #[rustfmt::skip]
    const PARSE_ERRORS: &[(&str, &str)] = &[
        ("foo bar", "unexpected 'bar'"),
        ("ssl)", "unexpected ')'"),
        ("is: x86(i686)x86_64", "unexpected 'x86_64'"),
        ("is: x86(", "missing ')'"),
        ("is: x86(i686", "missing ')'"),
        ("is: x86(i686,", "missing ')'"),
        ("is: x86()", "empty flag"),
        ("ssl,", "empty flag"),
        ("ssl,,pam", "empty flag"),
        ("!!ssl", "bad flag '!!ssl'"),
        ("!~ssl", "bad flag '!~ssl'"),
        ("~", "bad flag '~'"),
        ("a.b.c", "bad flag 'a.b.c'"),
        (".ssl", "bad flag '.ssl'"),
        ("ssl.", "bad flag 'ssl.'"),
        ("foo:bar", "bad flag 'foo:bar'"),
        ("sslis: x86", "bad flag 'sslis:'"),
        ("ssl+", "bad flag 'ssl+'"),
        ("is: x86(i686.sse)", "bad flag 'i686.sse'"),
        ("is: x86(i686 sse)", "bad flag 'sse'"),
        ("is: x86 (i686)", "bad instruction set '(i686)'"),
        ("is: x86$", "bad instruction set 'x86$'"),
        ("is: x86,x86_64", "bad instruction set 'x86,x86_64'"),
        ("is: \u{163}", "bad instruction set '\u{163}'"),
        ("target: x86 is: x86_64", "'is:' out of order"),
        ("is: x86 use: ssl", "'use:' out of order"),
        ("~foo.bar target: sparc is: x86_64", "'is:' out of order"),
        ("is: x86(i686) x86(!i686)", "conflicting flags 'i686' and '!i686'"),
    ];

    #[test]
    fn parse_errors_name_the_text() {
        for (input, problem) in PARSE_ERRORS {
            let error = input
                .parse::<Flavor>()
                .expect_err(&format!("'{input}' must not parse"));
            let problem = problem.replace("out of order", ORDER);
            assert_eq!(
                error.to_string(),
                format!("invalid flavor '{input}': {problem}")
            );
        }
        // the text named is the trimmed input
        let error = "  use: ssl,  "
            .parse::<Flavor>()
            .expect_err("trailing comma");
        assert_eq!(error.to_string(), "invalid flavor 'use: ssl,': empty flag");
        assert!(matches!(error, FlavorError::EmptyFlag { .. }));
    }

    #[test]
    fn explicitly_empty_classes_are_recorded() {
        #[rustfmt::skip]
        let cases: &[(&str, [bool; 3])] = &[
            ("", [false, false, false]),
            ("use:", [true, false, false]),
            ("is:", [false, true, false]),
            ("target:", [false, false, true]),
            ("ssl is:", [true, true, false]),
            ("is: x86 target:", [false, true, true]),
        ];
        let classes = [
            FlavorClass::Use,
            FlavorClass::InstructionSet,
            FlavorClass::Target,
        ];
        for (input, present) in cases {
            let flavor = fl(input);
            for (class, present) in classes.iter().zip(present) {
                assert_eq!(flavor.has_class(*class), *present, "{class:?} in '{input}'");
            }
        }
        assert!(fl("is:").is_empty());
        assert_ne!(fl("is:"), Flavor::default());
    }

    // ---------------------------------------------------------------- freeze and thaw

    #[test]
    fn freeze_and_thaw() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("", ""),
            ("is:", ""),
            ("is: x86", "1#x86"),
            ("is: x86(mmx)", "1#x86:mmx"),
            ("~foo,~bar,~!bam is: x86(~!i586)", "1#x86:~!i586|5#use:~!bam:~bar:~foo"),
            ("bar,!foo is: x86_64", "1#x86_64|5#use:bar:!foo"),
            ("!foo is: x86(i586,i686)", "1#x86:i586:i686|5#use:!foo"),
            ("~foo.bar is: x86_64 target: sparc", "1#x86_64|5#use:~foo.bar|15#sparc"),
            ("is: ppc x86(cmov)", "1#ppc|1#x86:cmov"),
        ];
        for (text, frozen) in cases {
            assert_eq!(fl(text).freeze(), *frozen, "freezing '{text}'");
            let thawed = Flavor::thaw(frozen).expect("frozen form thaws");
            assert_eq!(
                thawed.to_string(),
                fl(text).to_string(),
                "thawing '{frozen}'"
            );
        }
    }

    #[test]
    fn thaw_errors() {
        #[rustfmt::skip]
        let cases: &[(&str, &str)] = &[
            ("x86", "missing '#' after the class tag in 'x86'"),
            ("a#x86", "class tag 'a' is not a number"),
            ("4#foo:runtime", "class tag 4 is not a flavor class"),
            ("5#notuse:ssl", "use flags must be named 'use', not 'notuse'"),
            ("1#x86:!!a", "bad flag '!!a' in '1#x86:!!a'"),
            ("1#x86:", "bad flag '' in '1#x86:'"),
            ("1#", "bad instruction set name ''"),
            ("1#x86:a|1#x86:!a", "conflicting flags in '1#x86:!a'"),
        ];
        for (frozen, reason) in cases {
            let error = Flavor::thaw(frozen).expect_err(&format!("'{frozen}' must not thaw"));
            assert_eq!(
                error.to_string(),
                format!("invalid frozen flavor '{frozen}': {reason}")
            );
        }
    }
}
