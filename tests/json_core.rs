//! The core's JSON reader against serde_json, natively: on arbitrary values (compact, pretty,
//! with escapes), truncated and corrupted texts, and arbitrary strings, both accept the same
//! texts and read the same values. The one difference: numbers are kept as text, so one
//! beyond the range of f64 (`1e400`) is no error here.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use cams_qrdl::core::json::{self, Value};
use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value as Reference;

/// A comparable form: objects as maps (the last duplicate wins, as in both readers), numbers
/// to 12 significant digits (serde_json's default float parsing is not always the nearest).
#[derive(Debug, PartialEq)]
enum Shape {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Shape>),
    Object(BTreeMap<String, Shape>),
}

fn approx(f: f64) -> String {
    format!("{f:.11e}")
}

fn mine(v: &Value) -> Shape {
    match v {
        Value::Null => Shape::Null,
        Value::Bool(b) => Shape::Bool(*b),
        Value::Number(n) => Shape::Number(approx(n.parse().expect("a JSON number parses"))),
        Value::String(s) => Shape::String(s.clone()),
        Value::Array(a) => Shape::Array(a.iter().map(mine).collect()),
        Value::Object(m) => Shape::Object(m.iter().map(|(k, v)| (k.clone(), mine(v))).collect()),
    }
}

fn theirs(v: &Reference) -> Shape {
    match v {
        Reference::Null => Shape::Null,
        Reference::Bool(b) => Shape::Bool(*b),
        Reference::Number(n) => Shape::Number(approx(n.as_f64().unwrap())),
        Reference::String(s) => Shape::String(s.clone()),
        Reference::Array(a) => Shape::Array(a.iter().map(theirs).collect()),
        Reference::Object(m) => {
            Shape::Object(m.iter().map(|(k, v)| (k.clone(), theirs(v))).collect())
        }
    }
}

fn leaf() -> BoxedStrategy<Reference> {
    prop_oneof![
        Just(Reference::Null),
        any::<bool>().prop_map(Reference::Bool),
        any::<i64>().prop_map(Reference::from),
        any::<u64>().prop_map(Reference::from),
        any::<f64>().prop_map(
            |f| serde_json::Number::from_f64(f).map_or(Reference::Null, Reference::Number)
        ),
        any::<String>().prop_map(Reference::String),
        "[\"\\\\/\u{0}-\u{1f}\u{7f}\u{2028}é😀a-z]{0,12}".prop_map(Reference::String),
    ]
    .boxed()
}

fn value() -> BoxedStrategy<Reference> {
    leaf()
        .prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                vec(inner.clone(), 0..6).prop_map(Reference::Array),
                btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Reference::Object(m.into_iter().collect())),
            ]
        })
        .boxed()
}

/// Texts near JSON: the value written compactly or prettily, cut short, with one byte
/// replaced by JSON punctuation, or arbitrary.
fn texts() -> BoxedStrategy<String> {
    prop_oneof![
        value().prop_map(|v| v.to_string()),
        value().prop_map(|v| serde_json::to_string_pretty(&v).unwrap()),
        (value(), any::<Index>()).prop_map(|(v, i)| {
            let s = v.to_string();
            let mut cut = i.index(s.len() + 1);
            while !s.is_char_boundary(cut) {
                cut -= 1;
            }
            s[..cut].to_owned()
        }),
        (
            value(),
            any::<Index>(),
            prop::sample::select(
                &[
                    "{", "}", "[", "]", ",", ":", "\"", "\\", "-", "0", "e", ".", " ", "\\u",
                    "\\ud800", "n", "t",
                ][..]
            )
        )
            .prop_map(|(v, i, with)| {
                let s = v.to_string();
                let mut at = i.index(s.len());
                while !s.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = at + 1;
                while end < s.len() && !s.is_char_boundary(end) {
                    end += 1;
                }
                format!("{}{with}{}", &s[..at], s.get(end..).unwrap_or(""))
            }),
        any::<String>(),
        "[ \t\r\n{}\\[\\],:\"\\\\0-9eE.+\\-tfrueasln]{0,24}",
    ]
    .boxed()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1024),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn reads_what_serde_json_reads(v in value()) {
        for text in [v.to_string(), serde_json::to_string_pretty(&v).unwrap()] {
            let parsed = json::parse(&text).expect("valid JSON");
            prop_assert_eq!(mine(&parsed), theirs(&v));
        }
    }

    #[test]
    fn accepts_exactly_what_serde_json_accepts(text in texts()) {
        let reference = serde_json::from_str::<Reference>(&text);
        match json::parse(&text) {
            // The one difference: numbers are not converted, so one beyond f64 is no error.
            Ok(_) if reference.as_ref().is_err_and(|e| e.to_string().starts_with("number out of range")) => {}
            Ok(v) => {
                let reference = reference.expect("serde_json accepts it too");
                prop_assert_eq!(mine(&v), theirs(&reference), "{}", text);
            }
            // serde_json refuses too; the error points inside the text.
            Err(e) => {
                prop_assert!(reference.is_err(), "{} refused: {}", text, e);
                prop_assert!(e.line >= 1 && e.line <= text.lines().count().max(1) + 1);
            }
        }
    }
}

#[test]
fn duplicates_lose_to_the_last_like_serde_json_and_json_parse() {
    let text = r#"{"a":1,"b":{"c":2},"a":"x"}"#;
    let reference: Reference = serde_json::from_str(text).unwrap();
    assert_eq!(mine(&json::parse(text).unwrap()), theirs(&reference));
}
