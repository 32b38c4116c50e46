//! A policy document's comparable form. APIM stores policies in its own layout: it may change
//! line ends and indentation, write `<base/>` as `<base />` and drop comments, so a policy read
//! back never equals the file byte for byte. Two documents that differ only in those ways are the
//! same policy; anything else (an attribute, an expression, an element) is a change.

/// Comments removed, line ends and whitespace runs collapsed, layout between tags dropped.
pub fn normalize_xml(xml: &str) -> String {
    let mut without_comments = String::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(start) = rest.find("<!--") {
        without_comments.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => {
                // An unclosed comment is kept as text: the difference must stay visible.
                without_comments.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    without_comments.push_str(rest);

    let mut collapsed = String::with_capacity(without_comments.len());
    let mut in_space = false;
    for c in without_comments.chars() {
        if c.is_whitespace() {
            in_space = true;
            continue;
        }
        if in_space && !collapsed.is_empty() {
            collapsed.push(' ');
        }
        in_space = false;
        collapsed.push(c);
    }
    collapsed.replace("> <", "><").replace(" />", "/>")
}

#[cfg(test)]
mod tests {
    use super::normalize_xml;

    #[test]
    fn layout_and_comments_do_not_count() {
        let file = "<policies>\n    <!-- why -->\n    <inbound>\n        <base />\n        <set-variable name=\"a\" value=\"@(1 + 2)\" />\n    </inbound>\n</policies>\n";
        let stored = "<policies>\r\n  <inbound>\r\n    <base/>\r\n    <set-variable name=\"a\" value=\"@(1 + 2)\"/>\r\n  </inbound>\r\n</policies>";
        assert_eq!(normalize_xml(file), normalize_xml(stored));
    }

    #[test]
    fn content_changes_count() {
        let a = "<policies><inbound><set-variable name=\"a\" value=\"@(1 + 2)\" /></inbound></policies>";
        assert_ne!(
            normalize_xml(a),
            normalize_xml(&a.replace("1 + 2", "1 + 3"))
        );
        assert_ne!(
            normalize_xml(a),
            normalize_xml(&a.replace("name=\"a\"", "name=\"b\""))
        );
    }
}
