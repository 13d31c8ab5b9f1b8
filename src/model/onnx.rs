//! ONNX import: a model's graph as a taylornet expression, each initializer a named tensor.
//!
//! Only the protobuf messages needed are declared here (prost derives, no `protoc`). The graph
//! is walked from its input; every supported op becomes taylornet syntax, and anything else is
//! an error naming the op and the node, never a different model. Stored floats are read exactly.

use super::Tensor;
use crate::algebra::Q;
use crate::limits::Limits;
use std::collections::BTreeMap;

/// An ONNX model file (`onnx.ModelProto`): the graph and the operator sets it is written against.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ModelProto {
    /// The ONNX IR (file format) version the model was saved with.
    #[prost(int64, tag = "1")]
    pub ir_version: i64,
    /// The tool that wrote the model (`pytorch`, `tf2onnx`, …).
    #[prost(string, tag = "2")]
    pub producer_name: String,
    /// The computation graph; a model without one is rejected.
    #[prost(message, optional, tag = "7")]
    pub graph: Option<GraphProto>,
    /// The operator sets (domain and version) the graph's ops follow.
    #[prost(message, repeated, tag = "8")]
    pub opset_import: Vec<OperatorSetIdProto>,
}

/// One operator set a model imports (`onnx.OperatorSetIdProto`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct OperatorSetIdProto {
    /// The operator domain; empty for the default `ai.onnx`.
    #[prost(string, tag = "1")]
    pub domain: String,
    /// The operator set version within that domain.
    #[prost(int64, tag = "2")]
    pub version: i64,
}

/// A computation graph (`onnx.GraphProto`): nodes, constant tensors, inputs and outputs.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GraphProto {
    /// The nodes, in topological order.
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeProto>,
    /// The graph's name (informative only).
    #[prost(string, tag = "2")]
    pub name: String,
    /// Constant tensors (the weights), each named by the value it defines.
    #[prost(message, repeated, tag = "5")]
    pub initializer: Vec<TensorProto>,
    /// The graph's inputs; entries that name an initializer are not inputs of the network, and exactly one other must remain.
    #[prost(message, repeated, tag = "11")]
    pub input: Vec<ValueInfoProto>,
    /// The graph's outputs.
    #[prost(message, repeated, tag = "12")]
    pub output: Vec<ValueInfoProto>,
}

/// One operator application in a graph (`onnx.NodeProto`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct NodeProto {
    /// Names of the values the op reads, in the op's argument order (empty for an omitted optional input).
    #[prost(string, repeated, tag = "1")]
    pub input: Vec<String>,
    /// Names of the values the op defines.
    #[prost(string, repeated, tag = "2")]
    pub output: Vec<String>,
    /// The node's name, quoted in error messages (may be empty).
    #[prost(string, tag = "3")]
    pub name: String,
    /// The operator (`Gemm`, `MatMul`, `Relu`, …).
    #[prost(string, tag = "4")]
    pub op_type: String,
    /// The op's attributes (`alpha`, `transB`, …).
    #[prost(message, repeated, tag = "5")]
    pub attribute: Vec<AttributeProto>,
    /// The operator domain; only the default (empty or `ai.onnx`) is supported.
    #[prost(string, tag = "7")]
    pub domain: String,
}

/// A named attribute of a node (`onnx.AttributeProto`); which value field is set depends on `type`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AttributeProto {
    /// The attribute's name (`alpha`, `transA`, …).
    #[prost(string, tag = "1")]
    pub name: String,
    /// The value of a float attribute.
    #[prost(float, tag = "2")]
    pub f: f32,
    /// The value of an integer attribute.
    #[prost(int64, tag = "3")]
    pub i: i64,
    /// The bytes of a string attribute.
    #[prost(bytes = "vec", tag = "4")]
    pub s: Vec<u8>,
    /// The value of a tensor attribute.
    #[prost(message, optional, tag = "5")]
    pub t: Option<TensorProto>,
    /// The values of a float-list attribute.
    #[prost(float, repeated, tag = "7")]
    pub floats: Vec<f32>,
    /// The values of an integer-list attribute.
    #[prost(int64, repeated, tag = "8")]
    pub ints: Vec<i64>,
    /// The `AttributeType` code: 1 float, 2 int, 3 string, 4 tensor, 6 floats, 7 ints, ….
    #[prost(int32, tag = "20")]
    pub r#type: i32,
}

/// A stored tensor (`onnx.TensorProto`): its shape, element type and entries, in a typed field or in `raw_data`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorProto {
    /// The shape, outermost dimension first (the entries are row-major).
    #[prost(int64, repeated, tag = "1")]
    pub dims: Vec<i64>,
    /// The element type code: 1 float32, 6 int32, 7 int64 and 11 float64 are read; others are rejected.
    #[prost(int32, tag = "2")]
    pub data_type: i32,
    /// The entries of a float32 tensor, when not in `raw_data`.
    #[prost(float, repeated, tag = "4")]
    pub float_data: Vec<f32>,
    /// The entries of an int32 tensor, when not in `raw_data`.
    #[prost(int32, repeated, tag = "5")]
    pub int32_data: Vec<i32>,
    /// The entries of an int64 tensor, when not in `raw_data`.
    #[prost(int64, repeated, tag = "7")]
    pub int64_data: Vec<i64>,
    /// The name of the value this tensor defines.
    #[prost(string, tag = "8")]
    pub name: String,
    /// The entries as little-endian bytes; when non-empty it is read instead of the typed fields.
    #[prost(bytes = "vec", tag = "9")]
    pub raw_data: Vec<u8>,
    /// The entries of a float64 tensor, when not in `raw_data`.
    #[prost(double, repeated, tag = "10")]
    pub double_data: Vec<f64>,
    /// 0: the entries are in this message; 1: in an external file (rejected).
    #[prost(int32, tag = "14")]
    pub data_location: i32,
}

/// A graph input or output (`onnx.ValueInfoProto`); only its name is read.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValueInfoProto {
    /// The value's name, as nodes refer to it.
    #[prost(string, tag = "1")]
    pub name: String,
}

/// An imported model: definitions the ops need, the network expression, and its tensors.
#[derive(Clone, Debug)]
pub struct Imported {
    /// Function definitions (`hard_sigmoid_1(t) = …`), one statement each.
    pub definitions: Vec<String>,
    /// The network, in the input `x`.
    pub expression: String,
    /// Tensors by taylornet name, in order of use.
    pub tensors: Vec<(String, Tensor)>,
}

impl Imported {
    /// The script: a comment, the weights command, the definitions and the expression.
    pub fn script(&self, source: &str, weights_file: &str) -> String {
        let mut s =
            format!("# imported from {source} by `taylornet import`\n:weights {weights_file}\n");
        for d in &self.definitions {
            s.push_str(d);
            s.push('\n');
        }
        s.push_str(&self.expression);
        s.push('\n');
        s
    }
}

/// A constant: its ONNX shape and exact values (row-major).
#[derive(Clone, Debug)]
struct Const {
    dims: Vec<usize>,
    data: Vec<Q>,
}

impl Const {
    fn scalar(&self) -> Option<&Q> {
        (self.data.len() == 1).then(|| &self.data[0])
    }
    /// Rank ≤ 2 with at most one dimension above 1: a vector.
    fn as_vector(&self) -> Option<Tensor> {
        (self.dims.iter().filter(|d| **d > 1).count() <= 1 && self.dims.len() <= 2).then(|| {
            Tensor {
                rows: self.data.len(),
                cols: None,
                data: self.data.clone(),
            }
        })
    }
}

#[derive(Clone, Debug)]
enum Value {
    /// A taylornet expression in x (a vector).
    Expr(String),
    Const(Const),
}

fn f32q(x: f32, what: &str) -> Result<Q, String> {
    Q::try_from(f64::from(x)).map_err(|_| format!("{what} is not a finite number"))
}

/// A rational as taylornet reads it back exactly: `3`, `(-1/4)`.
fn q_src(q: &Q) -> String {
    let s = q.to_string();
    if s.contains('/') || s.starts_with('-') {
        format!("({s})")
    } else {
        s
    }
}

fn tensor_data(t: &TensorProto, limits: &Limits) -> Result<Const, String> {
    let name = &t.name;
    if t.data_location == 1 {
        return Err(format!(
            "initializer `{name}` is stored outside the model file (external data); save the model with its weights inside"
        ));
    }
    let mut dims = Vec::new();
    for d in &t.dims {
        dims.push(
            usize::try_from(*d)
                .map_err(|_| format!("initializer `{name}` has a negative dimension"))?,
        );
    }
    // As in weights files: an empty tensor made `W₁ 3×0` and an "exact-affine" network of
    // nothing (from a review).
    if dims.contains(&0) {
        return Err(format!(
            "initializer `{name}` has shape {dims:?}; a dimension must be at least 1"
        ));
    }
    let count = dims
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .filter(|n| *n <= limits.max_tensor_entries)
        .ok_or_else(|| {
            format!(
                "initializer `{name}` has shape {dims:?}, more than {} entries (`max_tensor_entries`)",
                limits.max_tensor_entries
            )
        })?;
    let exact = |x: f64, k: usize| {
        Q::try_from(x).map_err(|_| {
            format!(
                "initializer `{name}`: entry {} is not finite (NaN or infinite)",
                k + 1
            )
        })
    };
    let raw = !t.raw_data.is_empty();
    let size = match t.data_type {
        1 | 6 => 4,
        11 | 7 => 8,
        other => {
            return Err(format!(
                "initializer `{name}` has ONNX data type {other}; float, double, int32 and int64 are read"
            ));
        }
    };
    let data: Vec<Q> = if raw {
        if t.raw_data.len() != count * size {
            return Err(format!(
                "initializer `{name}` is truncated: {} bytes of data, {} expected",
                t.raw_data.len(),
                count * size
            ));
        }
        t.raw_data
            .chunks_exact(size)
            .enumerate()
            .map(|(k, c)| match t.data_type {
                1 => exact(f64::from(f32::from_le_bytes([c[0], c[1], c[2], c[3]])), k),
                11 => exact(
                    f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]),
                    k,
                ),
                6 => Ok(Q::from(i32::from_le_bytes([c[0], c[1], c[2], c[3]]))),
                _ => Ok(Q::from(i64::from_le_bytes([
                    c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7],
                ]))),
            })
            .collect::<Result<_, _>>()?
    } else {
        let v: Vec<Q> = match t.data_type {
            1 => t
                .float_data
                .iter()
                .enumerate()
                .map(|(k, x)| exact(f64::from(*x), k))
                .collect::<Result<_, _>>()?,
            11 => t
                .double_data
                .iter()
                .enumerate()
                .map(|(k, x)| exact(*x, k))
                .collect::<Result<_, _>>()?,
            6 => t.int32_data.iter().map(|x| Q::from(*x)).collect(),
            _ => t.int64_data.iter().map(|x| Q::from(*x)).collect(),
        };
        if v.len() != count {
            return Err(format!(
                "initializer `{name}` has {} values for shape {dims:?} ({count} expected)",
                v.len()
            ));
        }
        v
    };
    Ok(Const { dims, data })
}

fn attr<'a>(n: &'a NodeProto, name: &str) -> Option<&'a AttributeProto> {
    n.attribute.iter().find(|a| a.name == name)
}

/// A float attribute, exact; `label` names the node in an error ([`node_label`]).
fn attr_f(n: &NodeProto, label: &str, name: &str, default: f32) -> Result<Q, String> {
    let value = match attr(n, name) {
        None => default,
        Some(a) => typed(a, label, FLOAT)?.f,
    };
    f32q(value, &format!("attribute `{name}` of {label}"))
}

/// `AttributeProto.type` codes (`onnx.AttributeProto.AttributeType`) of the values read.
const FLOAT: i32 = 1;
const INT: i32 = 2;
const STRING: i32 = 3;

/// The attribute, where its type is `expected` (or 0, the code of files written before the
/// field existed, which name none); else an error naming it and its type. From a review: an
/// integer `alpha = 3` of a Gemm was read from the float field, which it leaves 0, and the
/// import built 0·W₁·x + b₁ without a word.
fn typed<'a>(
    a: &'a AttributeProto,
    label: &str,
    expected: i32,
) -> Result<&'a AttributeProto, String> {
    let name = |code: i32| match code {
        FLOAT => "a float".to_string(),
        INT => "an integer".to_string(),
        STRING => "a string".to_string(),
        4 => "a tensor".to_string(),
        5 => "a graph".to_string(),
        6 => "a list of floats".to_string(),
        7 => "a list of integers".to_string(),
        8 => "a list of strings".to_string(),
        other => format!("of type code {other}"),
    };
    if a.r#type == expected || a.r#type == 0 {
        Ok(a)
    } else {
        Err(format!(
            "attribute `{}` of {label} is {}, where ONNX defines {}",
            printable(&a.name),
            name(a.r#type),
            name(expected)
        ))
    }
}

/// How an error names a node: by its name, or, unnamed (names are optional in ONNX), by its
/// place in the graph and its output (from a review: "node ``" located nothing).
fn node_label(n: &NodeProto, index: usize) -> String {
    if !n.name.is_empty() {
        format!("node `{}`", printable(&n.name))
    } else {
        match n.output.first() {
            Some(out) => format!("node #{} with output `{}`", index + 1, printable(out)),
            None => format!("node #{}", index + 1),
        }
    }
}

fn attr_i(n: &NodeProto, label: &str, name: &str, default: i64) -> Result<i64, String> {
    match attr(n, name) {
        None => Ok(default),
        Some(a) => Ok(typed(a, label, INT)?.i),
    }
}

/// How many inputs (trailing empty names, ONNX's omitted optional inputs, not counted) and
/// outputs an op that is imported takes: from a review, `Sub(x, x, b)`, which ONNX rejects, was
/// imported as x − x, its third input dropped. None: an op that is not imported.
fn arity(op: &str) -> Option<((usize, usize), (usize, usize))> {
    Some(match op {
        "Constant" => ((0, 0), (1, 1)),
        "Identity" | "Flatten" | "Neg" | "Relu" | "Sigmoid" | "Tanh" | "Softplus" | "Softsign"
        | "Erf" | "Gelu" | "LeakyRelu" | "Elu" | "Celu" | "Selu" | "HardSigmoid" => {
            ((1, 1), (1, 1))
        }
        "Dropout" => ((1, 3), (1, 2)),
        "Squeeze" | "Unsqueeze" => ((1, 2), (1, 1)),
        "Reshape" | "MatMul" | "Add" | "Sub" | "Mul" | "Div" | "Pow" => ((2, 2), (1, 1)),
        "Gemm" => ((2, 3), (1, 1)),
        "Clip" => ((1, 3), (1, 1)),
        _ => return None,
    })
}

/// How many times the input limit the expressions of all nodes may hold together.
const KEPT_INPUTS: usize = 8;

/// Decodes an ONNX file and imports its graph.
pub fn import_file(path: &std::path::Path, limits: &Limits) -> Result<Imported, String> {
    let bytes = super::files::read_limited(path, limits)?;
    import(&bytes, limits).map_err(|e| format!("{}: {e}", printable(&path.display().to_string())))
}

/// Imports a model from its bytes.
pub fn import(bytes: &[u8], limits: &Limits) -> Result<Imported, String> {
    import_graph(bytes, limits).map_err(|e| printable(&e))
}

/// `message` with control and bidirectional-formatting characters escaped (`\u{202e}`): the
/// names of a model's nodes and tensors are quoted in errors, and a name holding terminal
/// escapes or a right-to-left override would otherwise act on the terminal (from a review).
fn printable(message: &str) -> String {
    let hidden = |c: char| {
        c.is_control() && c != '\n'
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    };
    message
        .chars()
        .map(|c| match hidden(c) {
            true => c.escape_unicode().to_string(),
            false => c.to_string(),
        })
        .collect()
}

fn import_graph(bytes: &[u8], limits: &Limits) -> Result<Imported, String> {
    use prost::Message;
    let model = ModelProto::decode(bytes).map_err(|e| format!("not a valid ONNX model ({e})"))?;
    let graph = model.graph.ok_or("the ONNX model has no graph")?;
    let mut values: BTreeMap<String, Value> = BTreeMap::new();
    for t in &graph.initializer {
        // Two initializers of one name: which one a node reads is not defined.
        if values
            .insert(t.name.clone(), Value::Const(tensor_data(t, limits)?))
            .is_some()
        {
            return Err(format!("the initializer `{}` is given twice", t.name));
        }
    }
    // One network, one output: the others would be dropped without a word (from a review).
    if graph.output.len() > 1 {
        return Err(format!(
            "the ONNX graph has {} outputs; a network with one output is imported",
            graph.output.len()
        ));
    }
    let inputs: Vec<&ValueInfoProto> = graph
        .input
        .iter()
        .filter(|i| !values.contains_key(&i.name))
        .collect();
    let input = match inputs.as_slice() {
        [one] => one.name.clone(),
        [] => return Err("the ONNX graph has no input".into()),
        _ => {
            return Err(format!(
                "the ONNX graph has {} inputs; a network with one input is imported",
                inputs.len()
            ));
        }
    };
    values.insert(input, Value::Expr("x".into()));
    let mut st = State {
        tensors: Vec::new(),
        definitions: Vec::new(),
        counts: BTreeMap::new(),
    };
    if graph.node.len() > 10_000 {
        return Err(format!(
            "the ONNX graph has {} nodes; the limit is 10000",
            graph.node.len()
        ));
    }
    // The expressions of every node are kept while the graph is read: their total is bounded
    // too (from a review, a 40 kB model of doublings took 2 GB, each node within the limit).
    let mut kept = 0usize;
    // Each value's length where it is known (a product's rows): a one-entry constant added to
    // a longer value is ONNX's broadcast of a scalar, to one of one entry a bias of its own.
    let mut widths: BTreeMap<String, usize> = BTreeMap::new();
    for (index, node) in graph.node.iter().enumerate() {
        let label = node_label(node, index);
        let out = st.node(node, &label, &values, &widths, limits)?;
        if let Value::Expr(e) = &out {
            kept = kept.saturating_add(e.len());
            if kept > KEPT_INPUTS.saturating_mul(limits.max_input_bytes) {
                return Err(format!(
                    "the imported expressions of the graph's nodes together are larger than {KEPT_INPUTS} times the input limit (`max_input_bytes`)"
                ));
            }
        }
        let name = node
            .output
            .first()
            .ok_or_else(|| format!("{label} ({}) has no output", node.op_type))?;
        // A graph assigns each value once (ONNX's single static assignment): with two writers
        // of one name, which one a later node reads is not defined (from a review: the last
        // one won and the other branch was dropped).
        if values.contains_key(name) {
            return Err(format!(
                "{} ({}) computes `{}`, which the graph already has (an input, an initializer or another node's output): each value is assigned once",
                label,
                node.op_type,
                printable(name)
            ));
        }
        if let Some(w) = output_width(node, &values, &widths) {
            widths.insert(name.clone(), w);
        }
        if let Value::Expr(e) = &out
            && e.len() > limits.max_input_bytes
        {
            return Err(
                "the imported expression is larger than the input limit (`max_input_bytes`)".into(),
            );
        }
        values.insert(name.clone(), out);
    }
    let out = graph.output.first().ok_or("the ONNX graph has no output")?;
    match values.get(&out.name) {
        Some(Value::Expr(e)) => Ok(Imported {
            definitions: st.definitions,
            expression: strip(e).to_string(),
            tensors: st.tensors,
        }),
        Some(Value::Const(_)) => Err("the ONNX graph's output does not depend on its input".into()),
        None => Err(format!(
            "the ONNX graph's output `{}` is never computed",
            out.name
        )),
    }
}

/// The length of the vector node `n` computes, where it is known: a product's rows (from its
/// weight's shape), else the length of its first input that has one (element-wise ops, sums).
fn output_width(
    n: &NodeProto,
    values: &BTreeMap<String, Value>,
    widths: &BTreeMap<String, usize>,
) -> Option<usize> {
    let input = |i: usize| n.input.get(i).filter(|s| !s.is_empty());
    match n.op_type.as_str() {
        "Gemm" | "MatMul" => match values.get(input(1)?)? {
            Value::Const(Const { dims, .. }) => match dims[..] {
                [r, c] => Some(
                    if n.op_type == "Gemm" && attr_i(n, "", "transB", 0).ok()? != 0 {
                        r
                    } else {
                        c
                    },
                ),
                _ => None,
            },
            Value::Expr(_) => None,
        },
        // Element-wise ops, sums, and the reshapes of a vector that keep it one.
        _ => n.input.iter().find_map(|i| widths.get(i)).copied(),
    }
}

/// A factor of a product: a name as it is, anything else in brackets.
fn operand(e: &str) -> String {
    let call = e.find('(').is_some_and(|i| {
        i > 0
            && e[..i].chars().all(|c| c.is_alphanumeric() || c == '_')
            && strip(&e[i..]) != &e[i..]
    });
    let bracketed = e.starts_with('(') && strip(e) != e;
    if call || bracketed || e.chars().all(|c| c.is_alphanumeric() || c == '_') {
        e.to_string()
    } else {
        format!("({e})")
    }
}

/// An expression without its outer brackets, when they enclose all of it.
fn strip(e: &str) -> &str {
    if let Some(inner) = e.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        let mut depth = 0i32;
        for c in inner.chars() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth < 0 {
                        return e;
                    }
                }
                _ => {}
            }
        }
        if depth == 0 {
            return inner;
        }
    }
    e
}

struct State {
    tensors: Vec<(String, Tensor)>,
    definitions: Vec<String>,
    counts: BTreeMap<char, usize>,
}

impl State {
    fn name(&mut self, prefix: char, t: Tensor) -> String {
        let k = self.counts.entry(prefix).or_insert(0);
        *k += 1;
        let name = format!("{prefix}{k}");
        self.tensors.push((name.clone(), t));
        name
    }

    fn define(&mut self, base: &str, body: String) -> String {
        let k = self.counts.entry('f').or_insert(0);
        *k += 1;
        // Spelt as the reports write it (`clip_1` is the name `clip1`; from a review, the
        // script said one and the region report the other).
        let name = format!("{base}_{k}");
        let name = crate::syntax::Name::parse(&name).map_or(name, |n| n.ascii());
        self.definitions.push(format!("{name}(t) = {body}"));
        name
    }

    /// The value `n` computes; `label` names it in errors ([`node_label`]); `widths`
    /// the lengths of the values known so far.
    fn node(
        &mut self,
        n: &NodeProto,
        label: &str,
        values: &BTreeMap<String, Value>,
        widths: &BTreeMap<String, usize>,
        limits: &Limits,
    ) -> Result<Value, String> {
        let op = n.op_type.as_str();
        let unsupported = |why: &str| format!("ONNX op `{op}` ({label}){why}");
        let attr_q = |name: &str, default: f32| attr_f(n, label, name, default);
        // The length of input `i`, where it is known.
        let width = |i: usize| n.input.get(i).and_then(|name| widths.get(name)).copied();
        if !n.domain.is_empty() && n.domain != "ai.onnx" {
            return Err(unsupported(&format!(
                " from domain `{}` is not supported",
                n.domain
            )));
        }
        if let Some(((least, most), (least_out, most_out))) = arity(op) {
            let given = n.input.len() - (n.input.iter().rev()).take_while(|s| s.is_empty()).count();
            let count = |k: usize, (a, b): (usize, usize), what: &str| -> Result<(), String> {
                if (a..=b).contains(&k) {
                    return Ok(());
                }
                let range = if a == b {
                    a.to_string()
                } else {
                    format!("{a} to {b}")
                };
                Err(unsupported(&format!(
                    ": it has {k} {what}, where ONNX defines {range}"
                )))
            };
            count(given, (least, most), "inputs")?;
            count(n.output.len(), (least_out, most_out), "outputs")?;
        }
        let arg = |i: usize| -> Result<&Value, String> {
            let name = n
                .input
                .get(i)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| unsupported(&format!(": input {} is missing", i + 1)))?;
            values.get(name).ok_or_else(|| {
                unsupported(&format!(": its input `{name}` is not computed before it"))
            })
        };
        let expr = |i: usize| -> Result<String, String> {
            match arg(i)? {
                Value::Expr(e) => Ok(e.clone()),
                Value::Const(_) => Err(unsupported(&format!(
                    ": input {} is a constant where the network's value is expected",
                    i + 1
                ))),
            }
        };
        let wrap = |f: &str, e: String| Ok(Value::Expr(format!("{f}({})", strip(&e))));
        let wrap_p = |f: &str, e: String, params: String| {
            Ok(Value::Expr(format!("{f}({}; {params})", strip(&e))))
        };
        match op {
            "Constant" => {
                let t = attr(n, "value")
                    .and_then(|a| a.t.as_ref())
                    .ok_or_else(|| unsupported(": only a tensor `value` is supported"))?;
                Ok(Value::Const(tensor_data(t, limits)?))
            }
            "Identity" | "Flatten" | "Dropout" => Ok(arg(0)?.clone()),
            "Reshape" | "Squeeze" | "Unsqueeze" => {
                if let Ok(Value::Const(shape)) = arg(1)
                    && op == "Reshape"
                    && shape.data.iter().filter(|d| **d > 1u32).count() > 1
                {
                    return Err(unsupported(
                        ": a reshape into a matrix is not a vector network",
                    ));
                }
                Ok(arg(0)?.clone())
            }
            "Gemm" | "MatMul" => {
                let a = expr(0)?;
                let Value::Const(b) = arg(1)? else {
                    return Err(unsupported(": the weight must be an initializer"));
                };
                if attr_i(n, label, "transA", 0)? != 0 {
                    return Err(unsupported(": transA = 1 is not supported"));
                }
                let [r, c] = b.dims[..] else {
                    return Err(unsupported(&format!(
                        ": the weight has shape {:?}, not a matrix",
                        b.dims
                    )));
                };
                // Rows of x·B are (Bᵀ·xᵀ)ᵀ: W = Bᵀ, or W = B with transB = 1 (PyTorch's Linear).
                let trans_b = op == "Gemm" && attr_i(n, label, "transB", 0)? != 0;
                let w = if trans_b {
                    Tensor {
                        rows: r,
                        cols: Some(c),
                        data: b.data.clone(),
                    }
                } else {
                    Tensor {
                        rows: c,
                        cols: Some(r),
                        data: (0..r * c)
                            .map(|k| b.data[(k % r) * c + k / r].clone())
                            .collect(),
                    }
                };
                let wname = self.name('W', w);
                let alpha = if op == "Gemm" {
                    attr_q("alpha", 1.0)?
                } else {
                    Q::from(1u32)
                };
                let scale = if alpha == 1u32 {
                    String::new()
                } else {
                    format!("{}·", q_src(&alpha))
                };
                let mut e = format!("{scale}{wname}·{}", operand(&a));
                if op == "Gemm"
                    && let Some(cname) = n.input.get(2).filter(|s| !s.is_empty())
                {
                    let Some(Value::Const(cv)) = values.get(cname) else {
                        return Err(unsupported(": the bias must be an initializer"));
                    };
                    let beta = attr_q("beta", 1.0)?;
                    let bs = if beta == 1u32 {
                        String::new()
                    } else {
                        format!("{}·", q_src(&beta))
                    };
                    let rows = if trans_b { r } else { c };
                    e = format!(
                        "{e} + {bs}{}",
                        self.vector_term(cv, 'b', Some(rows), &unsupported)?
                    );
                }
                Ok(Value::Expr(format!("({e})")))
            }
            "Add" | "Sub" => {
                let sign = if op == "Add" { "+" } else { "−" };
                match (arg(0)?, arg(1)?) {
                    (Value::Expr(a), Value::Expr(b)) => {
                        Ok(Value::Expr(format!("({a} {sign} {b})")))
                    }
                    (Value::Expr(a), Value::Const(c)) => {
                        let t = self.vector_term(c, 'b', width(0), &unsupported)?;
                        Ok(Value::Expr(format!("({a} {sign} {t})")))
                    }
                    (Value::Const(c), Value::Expr(b)) => {
                        let t = self.vector_term(c, 'b', width(1), &unsupported)?;
                        Ok(Value::Expr(format!("({t} {sign} {b})")))
                    }
                    _ => Err(unsupported(": both inputs are constants")),
                }
            }
            "Mul" => match (arg(0)?, arg(1)?) {
                (Value::Expr(a), Value::Expr(b)) => Ok(Value::Expr(format!("({a}∘{b})"))),
                (Value::Expr(a), Value::Const(c)) | (Value::Const(c), Value::Expr(a)) => {
                    if let Some(q) = c.scalar() {
                        Ok(Value::Expr(format!("({}·{a})", q_src(q))))
                    } else {
                        let v = c
                            .as_vector()
                            .ok_or_else(|| unsupported(": the factor is not a vector"))?;
                        let name = self.name('v', v);
                        Ok(Value::Expr(format!("({name}∘{a})")))
                    }
                }
                _ => Err(unsupported(": both inputs are constants")),
            },
            "Div" => {
                let a = expr(0)?;
                let Value::Const(c) = arg(1)? else {
                    return Err(unsupported(": only division by a constant is supported"));
                };
                let q = c
                    .scalar()
                    .ok_or_else(|| unsupported(": only division by a scalar is supported"))?;
                if *q == 0u32 {
                    return Err(unsupported(": division by zero"));
                }
                Ok(Value::Expr(format!(
                    "({}·{a})",
                    q_src(&(Q::from(1u32) / q))
                )))
            }
            "Neg" => Ok(Value::Expr(format!("(−{})", expr(0)?))),
            "Pow" => {
                let a = expr(0)?;
                let k = match arg(1)? {
                    Value::Const(c) => c.scalar().and_then(|q| u32::try_from(q).ok()),
                    Value::Expr(_) => None,
                }
                .filter(|k| (1..=16).contains(k))
                .ok_or_else(|| {
                    unsupported(": only a constant whole exponent 1 to 16 is supported")
                })?;
                Ok(Value::Expr(format!("{}^∘{k}", operand(&a))))
            }
            "Relu" => wrap("relu", expr(0)?),
            "Sigmoid" => wrap("sigmoid", expr(0)?),
            "Tanh" => wrap("tanh", expr(0)?),
            "Softplus" => wrap("softplus", expr(0)?),
            "Softsign" => wrap("softsign", expr(0)?),
            "Erf" => wrap("erf", expr(0)?),
            "Gelu" => {
                let approx = match attr(n, "approximate") {
                    Some(a) => {
                        Some(String::from_utf8_lossy(&typed(a, label, STRING)?.s).to_string())
                    }
                    None => None,
                };
                match approx.as_deref() {
                    None | Some("none") => wrap("gelu", expr(0)?),
                    Some("tanh") => wrap("gelu_tanh", expr(0)?),
                    Some(o) => Err(unsupported(&format!(
                        ": approximate = `{o}` is not supported"
                    ))),
                }
            }
            "LeakyRelu" => wrap_p(
                "leaky_relu",
                expr(0)?,
                format!("a = {}", q_src(&attr_q("alpha", 0.01)?)),
            ),
            "Elu" => wrap_p(
                "elu",
                expr(0)?,
                format!("α = {}", q_src(&attr_q("alpha", 1.0)?)),
            ),
            "Celu" => wrap_p(
                "celu",
                expr(0)?,
                format!("α = {}", q_src(&attr_q("alpha", 1.0)?)),
            ),
            "Selu" => wrap_p(
                "selu",
                expr(0)?,
                format!(
                    "λ = {}, α = {}",
                    q_src(&attr_q("gamma", 1.050_701)?),
                    q_src(&attr_q("alpha", 1.673_263_2)?)
                ),
            ),
            "HardSigmoid" => {
                let a = attr_q("alpha", 0.2)?;
                let b = attr_q("beta", 0.5)?;
                let lin = format!("{}·t + {}", q_src(&a), q_src(&b));
                let f = self.define(
                    "hard_sigmoid",
                    format!("if {lin} > 1 then 1 else if {lin} < 0 then 0 else {lin}"),
                );
                wrap(&f, expr(0)?)
            }
            "Clip" => {
                let bound = |i: usize, name: &str| -> Result<Option<Q>, String> {
                    match n.input.get(i).filter(|s| !s.is_empty()) {
                        Some(s) => match values.get(s) {
                            Some(Value::Const(c)) => {
                                c.scalar().cloned().map(Some).ok_or_else(|| {
                                    unsupported(&format!(": `{name}` is not a scalar"))
                                })
                            }
                            _ => Err(unsupported(&format!(": `{name}` must be a constant"))),
                        },
                        None => match attr(n, name) {
                            Some(a) => Some(f32q(typed(a, label, FLOAT)?.f, name)).transpose(),
                            None => Ok(None),
                        },
                    }
                };
                let lo = bound(1, "min")?;
                let hi = bound(2, "max")?;
                if lo == Some(Q::from(-1i32)) && hi == Some(Q::from(1u32)) {
                    return wrap("hard_tanh", expr(0)?);
                }
                // min(max(t, lo), hi): with lo > hi every input gives hi (from a review: the
                // pieces below, for lo ≤ hi, gave lo for t < lo).
                if let (Some(l), Some(h)) = (&lo, &hi)
                    && l > h
                {
                    let f = self.define("clip", format!("0·t + {}", q_src(h)));
                    return wrap(&f, expr(0)?);
                }
                let mut body = "t".to_string();
                if let Some(l) = &lo {
                    body = format!("if t < {} then {} else {body}", q_src(l), q_src(l));
                }
                if let Some(h) = &hi {
                    body = format!("if t > {} then {} else {body}", q_src(h), q_src(h));
                }
                if lo.is_none() && hi.is_none() {
                    return Ok(Value::Expr(expr(0)?));
                }
                let f = self.define("clip", body);
                wrap(&f, expr(0)?)
            }
            _ => Err(unsupported(" is not supported")),
        }
    }

    /// A constant added to a vector of `width` entries (where known): `c·𝟙` for a scalar, or
    /// for one entry that ONNX broadcasts to a longer vector (shape `[1]`; from a review,
    /// refused as "the dimensions 3 and 1 differ"), else a named bias vector (one of one entry
    /// for a vector of one entry, the last layer's bias of a network with one output).
    fn vector_term(
        &mut self,
        c: &Const,
        prefix: char,
        width: Option<usize>,
        unsupported: &dyn Fn(&str) -> String,
    ) -> Result<String, String> {
        if c.dims.is_empty() || (c.data.len() == 1 && width != Some(1)) {
            return Ok(if c.data[0] == 1u32 {
                "𝟙".to_string()
            } else {
                format!("{}·𝟙", q_src(&c.data[0]))
            });
        }
        let v = c.as_vector().ok_or_else(|| {
            unsupported(&format!(
                ": the constant of shape {:?} is not a vector",
                c.dims
            ))
        })?;
        Ok(self.name(prefix, v))
    }
}
