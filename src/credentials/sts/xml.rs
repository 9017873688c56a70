//! Just enough XML to read STS (Query protocol) responses: find an element by name,
//! take its text, decode entities. Never panics, never allocates for a miss.

/// The content between `<name ...>` and `</name>` of the first element called `name`
/// (`""` for `<name/>`); `None` if there is none or it is not closed.
///
/// ```text
/// element("<a><b x='1'>hi</b></a>", "b") == Some("hi")
/// ```
pub(crate) fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut from = 0;
    loop {
        let start = from + xml.get(from..)?.find(&open)?;
        let after_name = start + open.len();
        let rest = xml.get(after_name..)?;
        let content_start = match rest.chars().next()? {
            '>' => after_name + 1,
            '/' if rest.starts_with("/>") => return Some(""),
            c if c.is_ascii_whitespace() => {
                let end = after_name + rest.find('>')?;
                if xml.get(..end)?.ends_with('/') {
                    return Some("");
                }
                end + 1
            }
            // A longer name with the same start, e.g. `<CredentialsX>`.
            _ => {
                from = after_name;
                continue;
            }
        };
        let content = xml.get(content_start..)?;
        return content.find(&close).and_then(|end| content.get(..end));
    }
}

/// The decoded, trimmed text of `element(xml, name)`; `None` if the element is missing,
/// contains markup, or has an unknown entity.
pub(crate) fn text(xml: &str, name: &str) -> Option<String> {
    unescape(element(xml, name)?.trim())
}

/// Decodes `&amp; &lt; &gt; &quot; &apos;` and `&#NN;` / `&#xNN;` references.
fn unescape(raw: &str) -> Option<String> {
    if raw.contains('<') {
        return None;
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(rest.get(..amp)?);
        let after = rest.get(amp + 1..)?;
        let semi = after.find(';')?;
        let entity = after.get(..semi)?;
        let decoded = match entity {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let number = entity.strip_prefix('#')?;
                let code = match number.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => number.parse().ok()?,
                };
                char::from_u32(code)?
            }
        };
        out.push(decoded);
        rest = after.get(semi + 1..)?;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_elements_with_attributes_and_skips_longer_names() {
        let xml = r#"<R xmlns="x"><CredentialsX>no</CredentialsX><Credentials a="1"><K>v</K></Credentials></R>"#;
        assert_eq!(element(xml, "Credentials"), Some("<K>v</K>"));
        let r = element(xml, "R").unwrap_or_default();
        assert!(r.starts_with("<CredentialsX>") && r.ends_with("</Credentials>"));
        assert_eq!(element(xml, "Missing"), None);
        assert_eq!(element("<a/><b />", "b"), Some(""));
        assert_eq!(element("<a/>", "a"), Some(""));
    }

    #[test]
    fn unclosed_or_truncated_input_gives_none() {
        for xml in [
            "<a>",
            "<a",
            "<a x='1'",
            "<a>text</a",
            "",
            "<",
            "<a>&amp</a>",
        ] {
            assert_eq!(text(xml, "a"), None, "{xml}");
        }
    }

    #[test]
    fn decodes_entities_and_trims() {
        assert_eq!(
            text(
                "<m>\n a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos; &#65;&#x42; </m>",
                "m"
            ),
            Some("a & b <c> \"d\" 'e' AB".to_owned())
        );
        assert_eq!(text("<m>&bogus;</m>", "m"), None);
        assert_eq!(text("<m>&#xD800;</m>", "m"), None);
        assert_eq!(text("<m><n/></m>", "m"), None);
    }
}
