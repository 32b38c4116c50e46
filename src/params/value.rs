//! The format-neutral value tree both parameter file formats parse into.
//!
//! Every node keeps its span so validation can point at the exact text of a bad value.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    /// A number that is not an integer (JSON only); kept as written so errors can quote it.
    Number(String),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Entry>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Value {
    /// The kind of value in words, for "expected X, found Y" messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Number(_) => "a non-integer number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }
}

impl Node {
    pub fn new(span: Span, value: Value) -> Self {
        Node { span, value }
    }
}

/// One `param name = value` (or one JSON `parameters` entry).
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    pub name: String,
    pub name_span: Span,
    /// `None` when the parameter is declared but has no usable value: its problem was already
    /// reported, or aigw does not read it (and did not evaluate it).
    pub value: Option<Node>,
}
