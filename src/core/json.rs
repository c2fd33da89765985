//! A small JSON reader for the few replies the client reads (CAMS replies, STS credentials, a
//! relay's error body).
//!
//! Hand-rolled because serde + serde_json cost the wasm module about 40 KB gzipped (generic
//! deserializers, float parsing and formatting, error text) for what is a few string fields.
//! It checks the whole grammar (RFC 8259) but does not convert numbers: no field the client
//! reads is a number, so a number is kept as its text. Duplicate keys: the last one wins, as
//! in `JSON.parse`. Nesting deeper than [`MAX_DEPTH`] is an error, never a stack overflow.

use crate::core::text::decimal;
use alloc::{borrow::ToOwned, string::String, vec::Vec};
use core::fmt;

/// How deep arrays and objects may nest (serde_json's default limit).
pub const MAX_DEPTH: usize = 128;

/// A parsed JSON value. Objects keep their members in order, duplicates included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Null,
    Bool(bool),
    /// The number's text as it appeared, e.g. `-1.5e3`.
    Number(String),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object (the last one when the key repeats); `None` for a missing
    /// key or a value that is not an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|m| &m.1),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the value's type, for error messages (never the value itself: it may
    /// hold a secret).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

/// Why text is not JSON, and where (1-based line and column, in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    pub what: &'static str,
    pub line: usize,
    pub column: usize,
}

impl Error {
    /// "expected value at line 1 column 5", without `core::fmt` (see core::text).
    pub fn describe(&self) -> String {
        [
            self.what,
            " at line ",
            &decimal(self.line as u64),
            " column ",
            &decimal(self.column as u64),
        ]
        .concat()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

/// Parses one JSON text (surrounding whitespace allowed, nothing else after it).
pub fn parse(text: &str) -> Result<Value, Error> {
    let mut p = Parser {
        text,
        s: text.as_bytes(),
        i: 0,
        depth: 0,
    };
    let value = p.value().and_then(|v| {
        p.skip_ws();
        if p.i < p.s.len() {
            Err("trailing characters")
        } else {
            Ok(v)
        }
    });
    value.map_err(|what| {
        // The position of the error, counted in characters like an editor does (errors are
        // found at ASCII bytes, the start of a character, or the end).
        let before = text.as_bytes().get(..p.i).unwrap_or_default();
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |n| n + 1);
        Error {
            what,
            line: before.iter().filter(|&&b| b == b'\n').count() + 1,
            column: text
                .get(line_start..p.i)
                .map_or(p.i - line_start, |line| line.chars().count())
                + 1,
        }
    })
}

type Step<T> = Result<T, &'static str>;

struct Parser<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn eat(&mut self, byte: u8, what: &'static str) -> Step<()> {
        if self.peek() == Some(byte) {
            self.i += 1;
            Ok(())
        } else {
            Err(what)
        }
    }

    fn value(&mut self) -> Step<Value> {
        self.skip_ws();
        match self.peek() {
            None => Err("EOF while parsing a value"),
            Some(b'"') => self.string().map(Value::String),
            Some(b'{') => self.nested(Parser::object),
            Some(b'[') => self.nested(Parser::array),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err("expected value"),
        }
    }

    fn nested(&mut self, read: fn(&mut Self) -> Step<Value>) -> Step<Value> {
        if self.depth >= MAX_DEPTH {
            return Err("recursion limit exceeded");
        }
        self.depth += 1;
        self.i += 1; // the opening bracket
        let value = read(self);
        self.depth -= 1;
        value
    }

    fn literal(&mut self, word: &'static str, value: Value) -> Step<Value> {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            Ok(value)
        } else {
            Err("expected value")
        }
    }

    fn array(&mut self) -> Step<Value> {
        let mut items = Vec::new();
        self.skip_ws();
        if self.eat(b']', "").is_ok() {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Value::Array(items));
                }
                None => return Err("EOF while parsing a list"),
                Some(_) => return Err("expected `,` or `]`"),
            }
        }
    }

    fn object(&mut self) -> Step<Value> {
        let mut members = Vec::new();
        self.skip_ws();
        if self.eat(b'}', "").is_ok() {
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'"') => {}
                None => return Err("EOF while parsing an object"),
                Some(_) => return Err("key must be a string"),
            }
            let key = self.string()?;
            self.skip_ws();
            self.eat(b':', "expected `:`")?;
            members.push((key, self.value()?));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Value::Object(members));
                }
                None => return Err("EOF while parsing an object"),
                Some(_) => return Err("expected `,` or `}`"),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Step<Value> {
        let start = self.i;
        let _ = self.eat(b'-', "");
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err("invalid number"),
        }
        if self.eat(b'.', "").is_ok() && self.digits() == 0 {
            return Err("invalid number");
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err("invalid number");
            }
        }
        Ok(Value::Number(self.slice(start)))
    }

    /// The text from `start` to the current position; both are at ASCII bytes (or the end),
    /// so on character boundaries.
    fn slice(&self, start: usize) -> String {
        self.text.get(start..self.i).unwrap_or_default().to_owned()
    }

    /// A string, from its opening quote (at `self.i`) to just past its closing one.
    fn string(&mut self) -> Step<String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            // Copy the run up to the next quote, backslash or control character at once.
            let start = self.i;
            let run = self.s[self.i..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .ok_or("EOF while parsing a string")?;
            self.i += run;
            out.push_str(self.text.get(start..self.i).unwrap_or_default());
            let b = self.s[self.i];
            self.i += 1;
            match b {
                b'"' => break,
                b'\\' => {}
                _ => {
                    self.i -= 1;
                    return Err("control character (\\u0000-\\u001F) found while parsing a string");
                }
            }
            let escaped = match self.peek().ok_or("EOF while parsing a string")? {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    self.i += 1;
                    out.push(self.unicode_escape()?);
                    continue;
                }
                _ => return Err("invalid escape"),
            };
            self.i += 1;
            out.push(escaped);
        }
        Ok(out)
    }

    /// The code point of `\uXXXX` (just after the `u`), with the low half of a surrogate pair.
    fn unicode_escape(&mut self) -> Step<char> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.s[self.i..].starts_with(b"\\u") {
                    return Err("lone leading surrogate in hex escape");
                }
                self.i += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err("lone leading surrogate in hex escape");
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err("lone trailing surrogate in hex escape"),
            c => c,
        };
        char::from_u32(code).ok_or("invalid unicode code point")
    }

    fn hex4(&mut self) -> Step<u32> {
        let mut n = 0;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                None => return Err("EOF while parsing a string"),
                Some(_) => return Err("invalid escape"),
            };
            n = n * 16 + u32::from(d);
            self.i += 1;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.to_owned())
    }

    #[test]
    fn reads_every_kind_of_value() {
        let v = parse(r#" {"a": [1, -2.5e+3, 0, true, false, null], "b": {"c": "d"}, "": "" } "#)
            .unwrap();
        assert_eq!(
            v.get("a"),
            Some(&Value::Array(vec![
                Value::Number("1".into()),
                Value::Number("-2.5e+3".into()),
                Value::Number("0".into()),
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
            ]))
        );
        assert_eq!(v.get("b").and_then(|b| b.get("c")), Some(&s("d")));
        assert_eq!(v.get(""), Some(&s("")));
        assert_eq!(v.get("z"), None);
        assert_eq!(parse("[]").unwrap(), Value::Array(vec![]));
        assert_eq!(parse("{}").unwrap(), Value::Object(vec![]));
        assert_eq!(parse("\"x\"").unwrap().as_str(), Some("x"));
    }

    #[test]
    fn decodes_escapes_and_keeps_utf8() {
        let v = parse(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\u4e2d\ud83d\ude00 é中😀""#).unwrap();
        assert_eq!(v.as_str(), Some("a\"b\\c/d\u{8}\u{c}\n\r\té中😀 é中😀"));
    }

    #[test]
    fn the_last_duplicate_wins_like_json_parse() {
        let v = parse(r#"{"Code":"A","Code":"OK"}"#).unwrap();
        assert_eq!(v.get("Code"), Some(&s("OK")));
    }

    #[test]
    fn refuses_what_is_not_json() {
        for text in [
            "",
            " ",
            "{",
            "[1,",
            "[1 2]",
            "{\"a\" 1}",
            "{\"a\":1,}",
            "[1,]",
            "{a:1}",
            "'a'",
            "\"abc",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\ud800\"",
            "\"\\ud800\\u0041\"",
            "\"\\udc00\"",
            "\"a\u{1}b\"",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "tru",
            "nul",
            "NaN",
            "Infinity",
            "{} x",
            "[] []",
            "<html>",
        ] {
            assert!(parse(text).is_err(), "{text:?}");
        }
    }

    #[test]
    fn errors_say_where() {
        let e = parse("{\n  \"é\": x}").unwrap_err();
        assert_eq!((e.what, e.line, e.column), ("expected value", 2, 8));
        assert_eq!(e.to_string(), "expected value at line 2 column 8");
        assert_eq!(
            parse("").unwrap_err().to_string(),
            "EOF while parsing a value at line 1 column 1"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 1), "]".repeat(MAX_DEPTH + 1));
        assert_eq!(parse(&deep).unwrap_err().what, "recursion limit exceeded");
        assert!(parse(&"{\"a\":".repeat(100_000)).is_err());
    }
}
