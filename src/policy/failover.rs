//! The failover loop of an API policy, read from the file and run against a model of a pool.
//!
//! APIM cannot run here, so this module reads the `<retry>` of the policy's backend section, the
//! policies inside it in order, and the inbound `set-variable`s that give the loop's variables
//! their first values (in the API policy or a fragment it includes), and runs them with
//! [`eval`](super::eval) against a model of a backend pool:
//!
//! - `set-backend-service` asks the pool for a member: one whose circuit breaker is closed, from
//!   the highest priority group that still has one (APIM spreads requests inside a group; the
//!   model takes the first in pool order). With every member tripped there is none.
//! - `forward-request` sends the attempt to that member (to the member of the last attempt when
//!   the loop holds no `set-backend-service`). The member's answer comes from the caller; a status
//!   in the member's breaker ranges trips it for the rest of the request (every rule aigw writes
//!   trips on one failure for 10 s). With no member, the gateway answers 503 itself.
//! - `set-variable` evaluates its value; `retry` runs its children once, then again while its
//!   condition is true and fewer than `count` retries ran.
//!
//! Anything else inside the loop is refused by name, so the model cannot silently drift from the
//! file.

use std::collections::{BTreeMap, BTreeSet};

use crate::source::SourceFile;

use super::eval::{self, Context, EvalError, Value};
use super::expr::scan;
use super::files::PolicyFile;
use super::xml::parse;

/// The code of a `set-variable` value or a `retry` condition.
#[derive(Clone, Debug)]
enum Code {
    Expression { code: String, block: bool },
    Literal(String),
}

impl Code {
    fn evaluate(
        &self,
        named_values: &BTreeMap<String, String>,
        context: &Context,
    ) -> Result<Value, EvalError> {
        match self {
            Code::Expression { code, block } => eval::evaluate(code, *block, named_values, context),
            Code::Literal(text) => Ok(Value::Str(eval::substitute(text, named_values)?)),
        }
    }

    fn text(&self) -> &str {
        match self {
            Code::Expression { code, .. } => code,
            Code::Literal(text) => text,
        }
    }
}

#[derive(Clone, Debug)]
enum Step {
    PickMember,
    Forward,
    Set(String, Code),
}

/// The loop of one API policy.
#[derive(Debug)]
pub struct FailoverLoop {
    initial: Vec<(String, Code)>,
    steps: Vec<Step>,
    condition: Code,
    count: u32,
}

/// One pool member as the plan writes it.
#[derive(Clone, Debug)]
pub struct Member {
    pub id: String,
    pub priority: u8,
    /// `statusCodeRanges` of its circuit breaker rule.
    pub trips_on: Vec<(i64, i64)>,
}

/// One `forward-request` execution: the member it reached (none when the gateway answered
/// because every member was tripped) and the status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub member: Option<String>,
    pub status: i64,
}

/// What one request went through.
#[derive(Clone, Debug)]
pub struct Run {
    pub attempts: Vec<Attempt>,
    /// The status the backend section ends with (what outbound sees).
    pub status: i64,
    /// Context variables after the loop.
    pub variables: BTreeMap<String, Value>,
}

/// A policy element's attribute as code: the expression it holds, or its literal text.
fn code_of(
    text: &str,
    scanned: &super::expr::Scan,
    node: roxmltree::Node<'_, '_>,
    attribute: &str,
) -> Option<Code> {
    let range = node.attribute_node(attribute)?.range_value();
    match scanned.expression_at(range.start) {
        Some(e) => {
            let inner = e.inner();
            Some(Code::Expression {
                code: text.get(inner.start..inner.end)?.to_string(),
                block: e.block,
            })
        }
        None => Some(Code::Literal(text.get(range)?.to_string())),
    }
}

/// The `set-variable`s of a section (name and value), in document order, and the fragments it
/// includes.
struct SectionVariables {
    variables: Vec<(String, Code)>,
    fragments: Vec<String>,
}

/// The `set-variable`s and included fragments of `section` of `file` (of the whole file for a
/// fragment).
fn section_variables(file: &PolicyFile, section: &str) -> Result<SectionVariables, String> {
    let source = SourceFile::new(file.path.clone(), file.text.clone());
    let scanned = scan(&source);
    let doc = parse(&scanned.masked).map_err(|d| format!("{}: {}", file.path, d.message))?;
    let root = doc.root_element();
    let scope = if root.tag_name().name() == "fragment" {
        Some(root)
    } else {
        root.children()
            .find(|n| n.is_element() && n.tag_name().name() == section)
    };
    let mut variables = Vec::new();
    let mut fragments = Vec::new();
    for node in scope.iter().flat_map(|s| s.descendants()) {
        match node.tag_name().name() {
            "set-variable" => {
                let name = node.attribute("name").unwrap_or_default().to_string();
                let value = code_of(&file.text, &scanned, node, "value")
                    .ok_or_else(|| format!("{}: set-variable {name} has no value", file.path))?;
                variables.push((name, value));
            }
            "include-fragment" => {
                fragments.push(
                    node.attribute("fragment-id")
                        .unwrap_or_default()
                        .to_string(),
                );
            }
            _ => {}
        }
    }
    Ok(SectionVariables {
        variables,
        fragments,
    })
}

/// Reads the failover loop of the policy of API `api_id` among `files`.
pub fn failover_loop(files: &[PolicyFile], api_id: &str) -> Result<FailoverLoop, String> {
    let file = files
        .iter()
        .find(|f| f.api_id() == Some(api_id))
        .ok_or_else(|| format!("there is no policy for API {api_id}"))?;
    let source = SourceFile::new(file.path.clone(), file.text.clone());
    let scanned = scan(&source);
    let doc = parse(&scanned.masked).map_err(|d| format!("{}: {}", file.path, d.message))?;
    let backend = doc
        .root_element()
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == "backend")
        .ok_or_else(|| format!("{}: no backend section", file.path))?;
    let retries: Vec<_> = backend
        .children()
        .filter(|n| n.is_element() && n.tag_name().name() == "retry")
        .collect();
    let [retry] = retries.as_slice() else {
        return Err(format!(
            "{}: the backend section holds {} retry elements, the reader needs exactly one",
            file.path,
            retries.len()
        ));
    };
    let condition = code_of(&file.text, &scanned, *retry, "condition")
        .ok_or_else(|| format!("{}: retry has no condition", file.path))?;
    let count = match code_of(&file.text, &scanned, *retry, "count") {
        Some(Code::Literal(text)) => text
            .trim()
            .parse::<u32>()
            .map_err(|_| format!("{}: retry count `{text}` is not a number", file.path))?,
        _ => {
            return Err(format!(
                "{}: retry count must be a literal number",
                file.path
            ));
        }
    };
    let mut steps = Vec::new();
    for child in retry.children().filter(|n| n.is_element()) {
        let step = match child.tag_name().name() {
            "set-backend-service" => Step::PickMember,
            "forward-request" => Step::Forward,
            "set-variable" => {
                let name = child.attribute("name").unwrap_or_default().to_string();
                let value = code_of(&file.text, &scanned, child, "value")
                    .ok_or_else(|| format!("{}: set-variable {name} has no value", file.path))?;
                Step::Set(name, value)
            }
            other => {
                return Err(format!(
                    "{}: <{other}> inside retry is outside what the failover reader models",
                    file.path
                ));
            }
        };
        steps.push(step);
    }
    // First values: every set-variable of the inbound section and of the fragments it includes.
    let SectionVariables {
        variables: mut inbound,
        fragments,
    } = section_variables(file, "inbound")?;
    for id in &fragments {
        if let Some(fragment) = files.iter().find(|f| f.fragment_id() == Some(id.as_str())) {
            inbound.extend(section_variables(fragment, "inbound")?.variables);
        }
    }
    let read: BTreeSet<String> = steps
        .iter()
        .filter_map(|s| match s {
            Step::Set(_, code) => Some(code.text()),
            _ => None,
        })
        .chain([condition.text()])
        .flat_map(variables_read)
        .collect();
    let mut initial = Vec::new();
    for name in read {
        let sets: Vec<&(String, Code)> = inbound.iter().filter(|(n, _)| *n == name).collect();
        match sets.as_slice() {
            [one] => initial.push((*one).clone()),
            [] => {
                return Err(format!(
                    "{}: the loop reads {name}, which inbound never sets",
                    file.path
                ));
            }
            _ => return Err(format!("{}: inbound sets {name} more than once", file.path)),
        }
    }
    Ok(FailoverLoop {
        initial,
        steps,
        condition,
        count,
    })
}

/// Names in `context.Variables["..."]` in `code`.
fn variables_read(code: &str) -> Vec<String> {
    let marker = "context.Variables[\"";
    code.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &code[at + marker.len()..];
            rest.find('"').map(|end| rest[..end].to_string())
        })
        .collect()
}

impl FailoverLoop {
    /// The number of retries `retry` allows (attempts = count + 1).
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Runs one request: `answer` gives the status a member answers with.
    pub fn run(
        &self,
        named_values: &BTreeMap<String, String>,
        members: &[Member],
        answer: &dyn Fn(&str) -> i64,
    ) -> Result<Run, EvalError> {
        let mut context = Context::default();
        for (name, code) in &self.initial {
            let value = code.evaluate(named_values, &context)?;
            context.variables.insert(name.clone(), value);
        }
        let mut tripped: BTreeSet<&str> = BTreeSet::new();
        let mut attempts = Vec::new();
        // The inbound set-backend-service: the first attempt goes to the pool's first choice.
        let mut member: Option<&Member> = pick(members, &tripped);
        let mut retries = 0;
        loop {
            for step in &self.steps {
                match step {
                    Step::PickMember => member = pick(members, &tripped),
                    Step::Forward => {
                        let status = match member {
                            Some(m) if !tripped.contains(m.id.as_str()) => {
                                let status = answer(&m.id);
                                if m.trips_on
                                    .iter()
                                    .any(|(lo, hi)| (*lo..=*hi).contains(&status))
                                {
                                    tripped.insert(m.id.as_str());
                                }
                                attempts.push(Attempt {
                                    member: Some(m.id.clone()),
                                    status,
                                });
                                status
                            }
                            // No member left, or the loop kept a member that has tripped.
                            _ => {
                                attempts.push(Attempt {
                                    member: None,
                                    status: 503,
                                });
                                503
                            }
                        };
                        context.status = Some(status);
                    }
                    Step::Set(name, code) => {
                        let value = code.evaluate(named_values, &context)?;
                        context.variables.insert(name.clone(), value);
                    }
                }
            }
            let again = match self.condition.evaluate(named_values, &context)? {
                Value::Bool(b) => b,
                other => {
                    return Err(EvalError(format!(
                        "the retry condition must be a bool, found {other}"
                    )));
                }
            };
            if !again || retries >= self.count {
                break;
            }
            retries += 1;
        }
        Ok(Run {
            attempts,
            status: context.status.unwrap_or(0),
            variables: context.variables,
        })
    }
}

/// The member the pool sends the next attempt to.
fn pick<'m>(members: &'m [Member], tripped: &BTreeSet<&str>) -> Option<&'m Member> {
    let open = members.iter().filter(|m| !tripped.contains(m.id.as_str()));
    let best = open.clone().map(|m| m.priority).min()?;
    open.into_iter().find(|m| m.priority == best)
}
