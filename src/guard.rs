//! Checks on inputs that third-party parsers would panic on instead of returning an error
//! (each found by `tests/hostile_readers.rs`); run before the input reaches them. Written by
//! hand because the fix belongs upstream: each check names the upstream code it guards.

use crate::error::{Error, Result};

fn tokenizer_error(message: impl std::fmt::Display) -> Error {
    Error::Tokenizer(format!("tokenizer.json: {message}"))
}

/// Checks `tokenizer.json` before `tokenizers::Tokenizer::from_bytes` (0.23) sees it:
///
/// * it must be valid JSON: a syntax error inside `"decoder"` panics there
///   (`DecoderHelper::deserialize(..).expect("Helper")`, decoders/mod.rs);
/// * a `TemplateProcessing` post-processor (alone or in a `Sequence`) must name only special
///   tokens it defines, with as many `ids` as `tokens`, and its single template must use
///   only sequence `A`: deserialisation skips the builder's validation, and encoding then
///   indexes the map and the encodings unchecked (processors/template.rs `apply_template`).
pub fn tokenizer_json(bytes: &[u8]) -> Result<()> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(tokenizer_error)?;
    if let Some(p) = value.get("post_processor") {
        post_processor(p)?;
    }
    Ok(())
}

fn post_processor(p: &serde_json::Value) -> Result<()> {
    match p.get("type").and_then(|t| t.as_str()) {
        Some("TemplateProcessing") => template_processing(p),
        Some("Sequence") => {
            let list = p.get("processors").and_then(|l| l.as_array());
            for inner in list.into_iter().flatten() {
                post_processor(inner)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn template_processing(p: &serde_json::Value) -> Result<()> {
    let specials = p.get("special_tokens").and_then(|s| s.as_object());
    for (name, token) in specials.into_iter().flatten() {
        let len = |field: &str| token.get(field).and_then(|v| v.as_array()).map(Vec::len);
        if len("ids") != len("tokens") {
            return Err(tokenizer_error(format!(
                "special token {name:?} has {:?} ids but {:?} tokens",
                len("ids"),
                len("tokens")
            )));
        }
    }
    for template in ["single", "pair"] {
        let pieces = p.get(template).and_then(|t| t.as_array());
        for piece in pieces.into_iter().flatten() {
            if let Some(special) = piece.get("SpecialToken") {
                let id = special
                    .get("id")
                    .and_then(|i| i.as_str())
                    .unwrap_or_default();
                if !specials.is_some_and(|s| s.contains_key(id)) {
                    return Err(tokenizer_error(format!(
                        "the {template} template uses special token {id:?}, which \
                         post_processor.special_tokens does not define"
                    )));
                }
            }
            if let Some(sequence) = piece.get("Sequence") {
                let id = sequence.get("id").and_then(|i| i.as_str());
                if template == "single" && id != Some("A") {
                    return Err(tokenizer_error(format!(
                        "the single template uses sequence {id:?}; only \"A\" exists"
                    )));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_references_are_checked() {
        let ok = br#"{"post_processor": {"type": "TemplateProcessing",
            "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [], "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}}}}"#;
        assert!(tokenizer_json(ok).is_ok());
        let text = std::str::from_utf8(ok).unwrap();
        for bad in [
            text.replace(r#""id": "[CLS]", "type_id""#, r#""id": "[X]", "type_id""#),
            text.replace(r#""ids": [2]"#, r#""ids": [2, 3]"#),
            text.replace(r#""id": "A""#, r#""id": "B""#),
            text.replace('}', ""),
        ] {
            let e = tokenizer_json(bad.as_bytes()).unwrap_err();
            assert_eq!(e.code(), "model", "{bad}");
        }
        // inside a Sequence of processors too
        let seq = format!(
            r#"{{"post_processor": {{"type": "Sequence", "processors": [{}]}}}}"#,
            &text[19..text.len() - 1].replace(r#""id": "A""#, r#""id": "B""#)
        );
        assert!(tokenizer_json(seq.as_bytes()).is_err(), "{seq}");
    }
}
