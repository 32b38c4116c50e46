//! The library's layers, checked from its source (docs/architecture.md "Invariants"): no cycle
//! between top-level modules, and renderers that do no I/O and know nothing of where their text
//! goes. Reads `src/` of this repository only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::repo_root;

/// Top-level module → the top-level modules its non-test code names through `crate::`.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = repo_root().join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let path_pattern = regex::Regex::new(r"crate::(\{|[a-z_][a-z0-9_]*)").expect("regex");
    for file in rust_files(&src) {
        let relative = file.strip_prefix(&src).expect("file under src");
        let Some(module) = top_level_module(relative) else {
            continue;
        };
        let text = std::fs::read_to_string(&file).expect("source file readable");
        let code = without_comments(&without_test_modules(&text));
        let edges = graph.entry(module.clone()).or_default();
        for found in path_pattern.captures_iter(&code) {
            let names = match &found[1] {
                "{" => group_heads(&code[found.get(0).map_or(0, |m| m.end())..]),
                name => vec![name.to_string()],
            };
            edges.extend(names.into_iter().filter(|name| *name != module));
        }
    }
    graph
}

/// The first name of each item of a `use crate::{...}` group (`text` starts after the `{`).
fn group_heads(text: &str) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0usize;
    let mut item = String::new();
    for c in text.chars() {
        match c {
            '}' if depth == 0 => break,
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => heads.extend(head(&std::mem::take(&mut item))),
            c if depth == 0 => item.push(c),
            _ => {}
        }
    }
    heads.extend(head(&item));
    heads
}

/// The leading name of a path.
fn head(path: &str) -> Option<String> {
    let name: String = path
        .trim_start()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// `app/live.rs` → `app`; the binary's own files and test files → none.
fn top_level_module(relative: &Path) -> Option<String> {
    let parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    let is_test = parts.iter().any(|p| p == "tests" || p.ends_with("_tests"));
    match parts.first().map(String::as_str) {
        None | Some("main" | "cli" | "lib") => None,
        Some(_) if is_test => None,
        Some(first) => Some(first.to_string()),
    }
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("directory readable") {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The text without `//` comments (doc comments name modules they do not use).
fn without_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text without `#[cfg(test)] mod name { ... }` blocks.
fn without_test_modules(text: &str) -> String {
    let opening = regex::Regex::new(r"#\[cfg\(test\)\]\s*(pub(\([a-z]+\))?\s+)?mod\s+\w+\s*\{")
        .expect("regex");
    let mut out = String::new();
    let mut rest = text;
    while let Some(found) = opening.find(rest) {
        out.push_str(&rest[..found.start()]);
        let mut depth = 1;
        let mut end = rest.len();
        for (offset, c) in rest[found.end()..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                end = found.end() + offset + 1;
                break;
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Every cycle, as the modules on it (Tarjan's strongly connected components).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, module: &'a str) {
            let index = self.index.len();
            self.index.insert(module, index);
            self.low.insert(module, index);
            self.stack.push(module);
            for next in self.graph.get(module).into_iter().flatten() {
                let next = next.as_str();
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[module].min(self.low[next]);
                    self.low.insert(module, low);
                } else if self.stack.contains(&next) {
                    let low = self.low[module].min(self.index[next]);
                    self.low.insert(module, low);
                }
            }
            if self.low[module] == self.index[module] {
                let mut component = Vec::new();
                while let Some(top) = self.stack.pop() {
                    component.push(top.to_string());
                    if top == module {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for module in graph.keys() {
        if !walk.index.contains_key(module.as_str()) {
            walk.visit(module);
        }
    }
    walk.found
}

#[test]
fn no_two_top_level_modules_depend_on_each_other() {
    let graph = module_graph();
    assert!(graph.contains_key("app") && graph.contains_key("render"));
    assert_eq!(cycles(&graph), Vec::<Vec<String>>::new(), "{graph:#?}");
}

#[test]
fn the_cycle_check_finds_a_cycle() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(m, to)| (m.to_string(), to.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(cycles(&graph), vec![vec!["a", "b", "c"]]);
    assert_eq!(
        without_test_modules("a\n#[cfg(test)]\nmod tests {\n fn f() { crate::x } }\nb"),
        "a\n\nb"
    );
    assert_eq!(
        group_heads(" a::{b, c::d}, e,\n f::g };"),
        vec!["a", "e", "f"]
    );
}

#[test]
fn renderers_do_no_io_and_know_nothing_of_where_their_text_goes() {
    let graph = module_graph();
    let render = &graph["render"];
    for outside in [
        "app",
        "ci",
        "console",
        "interrupt",
        "deploy",
        "arm",
        "auth",
        "commands",
    ] {
        assert!(!render.contains(outside), "render uses {outside}");
    }
    let dir = repo_root().join("src/render");
    for file in rust_files(&dir) {
        let text = without_test_modules(&std::fs::read_to_string(&file).expect("readable"));
        for io in [
            "std::io",
            "std::fs",
            "tokio",
            "println!",
            "eprintln!",
            "print!(",
        ] {
            assert!(!text.contains(io), "{} uses {io}", file.display());
        }
    }
}
