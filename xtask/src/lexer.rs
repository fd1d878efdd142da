//! The runner's one reader of Rust source: tokens with their kind, line and place, comments and
//! white space dropped. The grader's stateless rule (`stateless`) reads learner code with it,
//! the tidy tests compare frozen baselines with it; one lexer, so the grading path never reads
//! less of Rust than a test of the course does (raw byte strings, nested comments, lifetimes).

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An identifier, keyword or raw identifier (`r#type`), or a number.
    Word,
    /// A string, byte string, C string, raw string or character literal, quotes included.
    Literal,
    /// `'a`, `'static`, a loop label.
    Lifetime,
    /// An operator or a bracket.
    Punct,
}

/// A token of Rust source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    pub text: String,
    /// The 1-based line it starts on.
    pub line: usize,
    /// Where it lies in the source, in characters: `start..end`.
    pub start: usize,
    pub end: usize,
}

/// Operators of two or three characters, read as one token. `<<` and `>>` are read as two:
/// `>>` may close two generic lists.
const OPERATORS: [&str; 20] = [
    "..=", "...", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "..", "+=", "-=", "*=", "/=", "%=", "^=", "&=",
    "|=",
];

/// The tokens of `source`, or where it stops being Rust (an unterminated literal or comment).
pub fn tokens(source: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = source.chars().collect();
    let at = |k: usize| chars.get(k).copied();
    let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let (mut out, mut k, mut line) = (Vec::new(), 0, 1);
    // Moves `k` past a quoted literal whose opening quote is at `k`; counts its lines.
    let quoted = |k: &mut usize, line: &mut usize, quote: char| -> Result<(), String> {
        let start_line = *line;
        *k += 1;
        loop {
            match at(*k) {
                None => return Err(format!("line {start_line}: unterminated literal")),
                Some('\\') => {
                    *line += usize::from(at(*k + 1) == Some('\n'));
                    *k += 2;
                }
                Some(c) if c == quote => break,
                Some(c) => {
                    *line += usize::from(c == '\n');
                    *k += 1;
                }
            }
        }
        *k += 1;
        Ok(())
    };
    while let Some(c) = at(k) {
        let (start, start_line) = (k, line);
        let kind;
        if c == '\n' {
            line += 1;
            k += 1;
            continue;
        } else if c.is_whitespace() {
            k += 1;
            continue;
        } else if c == '/' && at(k + 1) == Some('/') {
            while at(k).is_some_and(|c| c != '\n') {
                k += 1;
            }
            continue;
        } else if c == '/' && at(k + 1) == Some('*') {
            let mut depth = 0;
            loop {
                match (at(k), at(k + 1)) {
                    (Some('/'), Some('*')) => (depth, k) = (depth + 1, k + 2),
                    (Some('*'), Some('/')) => {
                        (depth, k) = (depth - 1, k + 2);
                        if depth == 0 {
                            break;
                        }
                    }
                    (Some(c), _) => (line, k) = (line + usize::from(c == '\n'), k + 1),
                    (None, _) => return Err(format!("line {start_line}: unterminated block comment")),
                }
            }
            continue;
        } else if ident(Some(c)) {
            let number = c.is_ascii_digit();
            while ident(at(k)) || (number && at(k) == Some('.') && at(k + 1).is_some_and(|d| d.is_ascii_digit())) {
                k += 1;
            }
            let word: String = chars[start..k].iter().collect();
            kind = match (word.as_str(), at(k)) {
                ("r" | "br" | "cr", Some('#' | '"')) => {
                    let hashes = (k..).take_while(|&j| at(j) == Some('#')).count();
                    if at(k + hashes) == Some('"') {
                        // A raw string: up to a quote followed by as many hashes.
                        k += hashes + 1;
                        while !(at(k) == Some('"') && (1..=hashes).all(|h| at(k + h) == Some('#'))) {
                            let c = at(k).ok_or_else(|| format!("line {start_line}: unterminated raw string"))?;
                            line += usize::from(c == '\n');
                            k += 1;
                        }
                        k += hashes + 1;
                        Kind::Literal
                    } else {
                        // A raw identifier, `r#type`.
                        k += 1;
                        while ident(at(k)) {
                            k += 1;
                        }
                        Kind::Word
                    }
                }
                ("b" | "c", Some('"')) => {
                    quoted(&mut k, &mut line, '"')?;
                    Kind::Literal
                }
                ("b", Some('\'')) => {
                    quoted(&mut k, &mut line, '\'')?;
                    Kind::Literal
                }
                _ => Kind::Word,
            };
        } else if c == '"' {
            quoted(&mut k, &mut line, '"')?;
            kind = Kind::Literal;
        } else if c == '\'' {
            if at(k + 1) == Some('\\') || (at(k + 2) == Some('\'') && at(k + 1) != Some('\'')) {
                quoted(&mut k, &mut line, '\'')?; // a character
                kind = Kind::Literal;
            } else {
                k += 1; // a lifetime or a label
                while ident(at(k)) {
                    k += 1;
                }
                kind = Kind::Lifetime;
            }
        } else {
            let rest: String = chars[k..chars.len().min(k + 3)].iter().collect();
            k += OPERATORS.iter().find(|op| rest.starts_with(**op)).map_or(1, |op| op.len());
            kind = Kind::Punct;
        }
        out.push(Token { kind, text: chars[start..k].iter().collect(), line: start_line, start, end: k });
    }
    Ok(out)
}

/// `source` with its comments and literals blanked, everything else where it was: every
/// character outside a token that is no literal becomes a space (a line break stays one), so
/// lines and columns still match the source. Source that is no Rust (an unterminated literal)
/// comes back whole: a reader looking for something then sees more, never less.
pub fn code_only(source: &str) -> String {
    let Ok(tokens) = tokens(source) else { return source.to_string() };
    let chars: Vec<char> = source.chars().collect();
    let mut keep = vec![false; chars.len()];
    for t in tokens.iter().filter(|t| t.kind != Kind::Literal) {
        keep[t.start..t.end].iter_mut().for_each(|k| *k = true);
    }
    chars
        .iter()
        .zip(&keep)
        .map(|(&c, &kept)| match (kept, c) {
            (true, c) => c,
            (false, '\n') => '\n',
            (false, _) => ' ',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(source: &str) -> Vec<(Kind, String)> {
        tokens(source).unwrap().into_iter().map(|t| (t.kind, t.text)).collect()
    }

    #[test]
    fn literals_of_every_form_are_one_token_each() {
        use Kind::*;
        let source = r####"a("x\"y", b"b\"", c"c", r"r\", br#"b"r"#, cr##"c"#r"##, 'q', b'\'', '\u{1F600}')"####;
        let literals: Vec<String> =
            kinds(source).into_iter().filter(|(k, _)| *k == Literal).map(|(_, text)| text).collect();
        assert_eq!(
            literals,
            [
                r#""x\"y""#,
                r#"b"b\"""#,
                r#"c"c""#,
                r#"r"r\""#,
                r##"br#"b"r"#"##,
                r###"cr##"c"#r"##"###,
                "'q'",
                r"b'\''",
                r"'\u{1F600}'"
            ]
        );
        assert_eq!(kinds("r#type")[0], (Word, "r#type".into()), "a raw identifier");
    }

    #[test]
    fn comments_nest_and_lifetimes_are_no_characters() {
        use Kind::*;
        let source = "/* outer /* inner */ still outer */ fn f<'a>(x: &'a str) -> char { 'x' } // end";
        let texts: Vec<(Kind, String)> = kinds(source);
        assert_eq!(texts[0], (Word, "fn".into()));
        assert!(texts.contains(&(Lifetime, "'a".into())));
        assert!(texts.contains(&(Literal, "'x'".into())));
        assert!(!texts.iter().any(|(_, t)| t.contains("outer") || t.contains("end")));
        assert_eq!(kinds("'static")[0], (Lifetime, "'static".into()));
    }

    #[test]
    fn lines_are_counted_through_multi_line_literals_and_comments() {
        let t = tokens("a\n\"b\nc\"\n/* d\n e */ f").unwrap();
        assert_eq!(t.iter().map(|t| t.line).collect::<Vec<_>>(), [1, 2, 5]);
        assert!(tokens("\"open").unwrap_err().contains("line 1: unterminated"));
        assert!(tokens("/* /* */").unwrap_err().contains("unterminated block comment"));
    }

    #[test]
    fn code_only_blanks_comments_and_literals_in_place() {
        let source = "let s = \"static mut\"; // static mut\nstatic mut X: u8 = 0;";
        assert_eq!(code_only(source), "let s =             ;              \nstatic mut X: u8 = 0;");
        // A raw byte string whose body ends in a backslash: a reader that took it for an
        // ordinary string would read on into the code after it, and miss what is there.
        let hidden = "const S: &[u8] = br\"\\\"; static mut CACHE: u64 = 0;";
        assert!(code_only(hidden).contains("static mut CACHE"), "{}", code_only(hidden));
    }
}
