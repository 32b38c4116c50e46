use super::*;

fn one(text: &str, diagnostic: Diagnostic) -> Diagnostics {
    let mut diagnostics = Diagnostics::new(SourceFile::new("p.bicepparam", text));
    diagnostics.push(diagnostic);
    diagnostics
}

/// A CI runner executes any line that starts (after spaces) with `::` or `##`.
fn assert_no_injected_lines(rendered: &str) {
    for line in rendered.lines() {
        let trimmed = line.trim_start();
        assert!(
            !trimmed.starts_with("::") && !trimmed.starts_with("##"),
            "a rendered line could act as a workflow command: {line:?}\n{rendered}"
        );
    }
}

fn assert_no_control_characters(rendered: &str) {
    assert!(
        !rendered.chars().any(|c| c != '\n' && is_escaped(c)),
        "raw control characters in:\n{rendered:?}"
    );
}

#[test]
fn the_problem_is_drawn_under_its_source_line_with_file_line_and_column() {
    let text = "param a = 1\nparam environment = 'ACC'\nparam b = 2\n";
    let start = text.find("'ACC'").unwrap_or_default();
    let d = one(
        text,
        Diagnostic::new("invalid-name-part", "`ACC` cannot be part of names")
            .path("environment")
            .at(Span::new(start, start + 5))
            .label("used in every resource name")
            .help("use lower-case letters"),
    );
    let rendered = d.render(false);
    assert!(rendered.contains("[p.bicepparam:2:21]"), "{rendered}");
    assert!(rendered.contains(" 1 │ param a = 1"), "{rendered}");
    assert!(
        rendered.contains(" 2 │ param environment = 'ACC'"),
        "{rendered}"
    );
    assert!(rendered.contains(" 3 │ param b = 2"), "{rendered}");
    assert!(rendered.contains("──┬──"), "{rendered}");
    assert!(
        rendered.contains("used in every resource name"),
        "{rendered}"
    );
    assert!(
        rendered.contains("× environment: `ACC` cannot be part of names"),
        "{rendered}"
    );
    assert!(
        rendered.contains("help: use lower-case letters"),
        "{rendered}"
    );
}

#[test]
fn values_with_line_breaks_and_control_characters_cannot_act_on_a_ci_log_or_terminal() {
    let value = "Contoso\n::warning title=x::pwned\r\n##vso[task.complete result=Succeeded]\u{1b}[31m\u{7}\u{0}\u{202e}\u{2066}\u{2028}";
    let text = format!("param apimPublisherName = '{value}'\n");
    let start = text.find('\'').unwrap_or_default();
    let d = one(
        &text,
        Diagnostic::new(
            "control-character",
            format!("`{}` contains a control character", shown(value)),
        )
        .path(format!("tags.{value}"))
        .at(Span::new(start, text.len() - 1))
        .label(value)
        .help(value),
    );
    let rendered = d.render(true);
    // Colour codes are ours; strip them before looking for anything else.
    let plain = d.render(false);
    assert_no_injected_lines(&plain);
    assert_no_control_characters(&plain);
    assert_no_injected_lines(&rendered);
    assert!(
        plain.contains(r"Contoso\n::warning title=x::pwned\r\n##vso"),
        "{plain}"
    );
    assert!(
        plain.contains(r"\u{1b}[31m\u{7}\u{0}\u{202e}\u{2066}\u{2028}"),
        "{plain}"
    );
    assert!(!rendered.contains('\u{7}') && !rendered.contains('\u{202e}'));
    for located in d.located() {
        for text in [Some(located.message), located.help, located.path]
            .into_iter()
            .flatten()
        {
            assert!(!text.chars().any(is_escaped), "{text:?}");
        }
    }
}

#[test]
fn a_long_message_is_not_wrapped_onto_a_line_a_value_could_start() {
    let value = format!("Contoso{}::warning title=x::pwned", " ".repeat(150));
    let text = format!("param apimPublisherName = '{value}'\n");
    let d = one(
        &text,
        Diagnostic::new(
            "too-long",
            format!("`{value}` is longer than 100 characters"),
        )
        .path("apimPublisherName")
        .at(Span::new(26, text.len() - 1))
        .help(format!("shorten `{value}`")),
    );
    assert_no_injected_lines(&d.render(false));
    assert_no_control_characters(&d.render(false));
    assert_no_injected_lines(&d.render(true));
}

#[test]
fn a_huge_value_gives_a_small_diagnostic() {
    let value = "a".repeat(4_000_000);
    let text = format!("param environment = '{value}'\n");
    let d = one(
        &text,
        Diagnostic::new("invalid-name-part", format!("`{}` is wrong", shown(&value)))
            .path("environment")
            .at(Span::new(20, text.len() - 1)),
    );
    let rendered = d.render(false);
    assert!(
        rendered.len() < 2_000,
        "{} bytes:\n{rendered}",
        rendered.len()
    );
    assert!(rendered.contains("`aaaaaaaa"), "{rendered}");
    assert!(rendered.contains("a…`"), "{rendered}");
    assert!(rendered.contains("[p.bicepparam:1:21]"), "{rendered}");
    // A message that echoes the whole value anyway is cut at render time.
    let d = one(
        &text,
        Diagnostic::new("x", value.clone()).at(Span::new(20, text.len() - 1)),
    );
    assert!(d.render(false).len() < 5_000);
    assert!(d.located()[0].message.chars().count() <= MAX_MESSAGE_CHARS + 1);
}

#[test]
fn a_problem_deep_inside_a_long_line_is_shown_in_a_window_around_it() {
    let text = format!("{}'bad'{}\n", "x".repeat(50_000), "y".repeat(50_000));
    let d = one(
        &text,
        Diagnostic::new("x", "this").at(Span::new(50_000, 50_005)),
    );
    let rendered = d.render(false);
    assert!(rendered.contains("[p.bicepparam:1:50001]"), "{rendered}");
    assert!(rendered.contains("…xxxx"), "{rendered}");
    assert!(rendered.contains("'bad'yyy"), "{rendered}");
    assert!(rendered.contains("yyy…"), "{rendered}");
    assert!(rendered.len() < 1_500, "{rendered}");
    // The underline sits under 'bad': 40 characters of lead, after the ellipsis.
    let source_line = rendered
        .lines()
        .find(|l| l.contains("'bad'"))
        .unwrap_or_default();
    let underline = rendered
        .lines()
        .skip_while(|l| !l.contains("'bad'"))
        .nth(1)
        .unwrap_or_default();
    let column_of = |line: &str, needle: &str| {
        line.find(needle)
            .map(|at| line[..at].chars().count())
            .unwrap_or_default()
    };
    assert_eq!(
        column_of(source_line, "'bad'"),
        column_of(underline, "─"),
        "{rendered}"
    );
}

#[test]
fn at_most_a_hundred_problems_are_shown_and_the_rest_are_counted() {
    let text = "x\n".repeat(5_000);
    let mut d = Diagnostics::new(SourceFile::new("p.bicepparam", text));
    for i in 0..5_000 {
        d.push(Diagnostic::new("x", format!("problem {i}")).at(Span::new(i * 2, i * 2 + 1)));
    }
    assert_eq!(d.len(), 5_000);
    assert_eq!(d.located().len(), MAX_SHOWN);
    let rendered = d.render(false);
    assert_eq!(rendered.matches("× problem").count(), MAX_SHOWN);
    assert!(rendered.contains("problem 99\n"), "{rendered}");
    assert!(!rendered.contains("problem 100\n"));
    assert!(
        rendered.contains("… and 4900 more problems in p.bicepparam not shown"),
        "{rendered}"
    );
}

#[test]
fn a_related_position_is_named_in_the_message() {
    let text = "{\n  \"a\": 1,\n  \"a\": 2\n}\n";
    let second = text.rfind("\"a\"").unwrap_or_default();
    let first = text.find("\"a\"").unwrap_or_default();
    let d = one(
        text,
        Diagnostic::new("duplicate-property", "property `a` is set twice")
            .at(Span::new(second, second + 3))
            .also(Span::new(first, first + 3), "first set"),
    );
    assert_eq!(
        d.located()[0].message,
        "property `a` is set twice (first set at line 2, column 3)"
    );
    assert!(d.render(false).contains("(first set at line 2, column 3)"));
}

#[test]
fn spans_anywhere_render_without_panicking() {
    let texts = [
        "",
        "\n",
        "é",
        "a\r\nb",
        "\u{feff}",
        "\u{feff}x\n",
        "\t\tx\n",
    ];
    for text in texts {
        for start in 0..=text.len() + 2 {
            for end in start..=text.len() + 3 {
                let d = one(text, Diagnostic::new("x", "m").at(Span::new(start, end)));
                let rendered = d.render(false);
                assert!(
                    rendered.contains("m"),
                    "{text:?} {start}..{end}: {rendered}"
                );
            }
        }
    }
}

#[test]
fn values_are_cut_after_a_fixed_number_of_characters() {
    assert_eq!(shown("short"), "short");
    let long = "é".repeat(200);
    let cut = shown(&long);
    assert_eq!(cut.chars().count(), MAX_VALUE_CHARS + 1);
    assert!(cut.ends_with('…'));
    assert_eq!(shown("a\nb"), r"a\nb");
    assert_eq!(printable("tab\tkept"), "tab\tkept");
}
