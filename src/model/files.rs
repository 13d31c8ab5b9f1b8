//! Weights files: `.npz` (a zip of `.npy`), `.npy` and `.safetensors`, read exactly.
//!
//! A float32 or float64 stored value is a dyadic rational; it is read as exactly that
//! rational. NaN and infinities are refused with the tensor's name, as are ranks other than 1
//! and 2, dtypes that are not numbers, truncated data and files beyond the size limits.

use super::Tensor;
use crate::algebra::Q;
use crate::limits::Limits;
use std::io::Read;
use std::path::Path;

/// Reads every tensor of a weights file, in the file's order (`.safetensors`: by name).
pub fn read_weights(path: &Path, limits: &Limits) -> Result<Vec<(String, Tensor)>, String> {
    let shown = path.display().to_string();
    let bytes = read_limited(path, limits)?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("tensor")
        .to_string();
    let out = if bytes.starts_with(b"PK") || ext == "npz" {
        read_npz(&bytes, limits)
    } else if bytes.starts_with(b"\x93NUMPY") || ext == "npy" {
        read_npy(&bytes, &stem, limits).map(|t| vec![(stem.clone(), t)])
    } else if ext == "safetensors" || ext == "st" {
        read_safetensors(&bytes, limits)
    } else {
        Err("not a weights file: expected .npz, .npy or .safetensors".into())
    };
    out.map_err(|e| format!("{shown}: {e}"))
}

/// The file's bytes, refusing files beyond `max_model_bytes` before reading them.
pub fn read_limited(path: &Path, limits: &Limits) -> Result<Vec<u8>, String> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    if meta.len() > limits.max_model_bytes {
        return Err(format!(
            "{shown} has {} bytes; the limit is {} (`max_model_bytes`)",
            meta.len(),
            limits.max_model_bytes
        ));
    }
    // A device or a pipe reports no length (`/dev/zero` has 0): read no further than the limit
    // (from a review, reading one ran into the system's memory).
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(limits.max_model_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if bytes.len() as u64 > limits.max_model_bytes {
        return Err(format!(
            "{shown} has more than {} bytes, the limit (`max_model_bytes`)",
            limits.max_model_bytes
        ));
    }
    Ok(bytes)
}

/// The exact rational of a finite float; NaN and ±∞ name the tensor and the entry.
fn exact(x: f64, name: &str, k: usize, shape: &[usize]) -> Result<Q, String> {
    Q::try_from(x).map_err(|_| {
        let at = match shape {
            [_, c] => format!("entry ({}, {})", k / c.max(&1) + 1, k % c.max(&1) + 1),
            _ => format!("entry {}", k + 1),
        };
        let what = if x.is_nan() { "NaN" } else { "infinite" };
        format!("tensor `{name}`: {at} is {what}; weights must be finite numbers")
    })
}

/// A rank-1 or rank-2 tensor from row-major values.
fn tensor(name: &str, shape: &[usize], values: Vec<Q>, limits: &Limits) -> Result<Tensor, String> {
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    match count {
        Some(n) if n <= limits.max_tensor_entries => {}
        _ => {
            return Err(format!(
                "tensor `{name}` has shape {shape:?}, more than {} entries (`max_tensor_entries`)",
                limits.max_tensor_entries
            ));
        }
    }
    if shape.contains(&0) {
        return Err(format!(
            "tensor `{name}` has shape {shape:?}: a dimension must be at least 1"
        ));
    }
    match shape {
        [r] => Ok(Tensor {
            rows: *r,
            cols: None,
            data: values,
        }),
        [r, c] => Ok(Tensor {
            rows: *r,
            cols: Some(*c),
            data: values,
        }),
        _ => Err(format!(
            "tensor `{name}` has rank {} (shape {shape:?}); taylornet binds vectors (rank 1) and matrices (rank 2)",
            shape.len()
        )),
    }
}

/// How the stored numbers are encoded.
#[derive(Clone, Copy, Debug)]
enum Dtype {
    F16,
    BF16,
    F32,
    F64,
    I8,
    I16,
    I32,
    I64,
    U8,
}

impl Dtype {
    fn size(self) -> usize {
        match self {
            Dtype::I8 | Dtype::U8 => 1,
            Dtype::F16 | Dtype::BF16 | Dtype::I16 => 2,
            Dtype::F32 | Dtype::I32 => 4,
            Dtype::F64 | Dtype::I64 => 8,
        }
    }
}

fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits >> 15 == 1 { -1.0 } else { 1.0 };
    let e = i32::from((bits >> 10) & 0x1f);
    let m = f64::from(bits & 0x3ff);
    match e {
        0 => sign * m * 2f64.powi(-24),
        31 if m == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN,
        e => sign * (1.0 + m / 1024.0) * 2f64.powi(e - 15),
    }
}

/// Decodes `count` values; `big` for big-endian data.
fn decode(
    data: &[u8],
    dtype: Dtype,
    big: bool,
    name: &str,
    shape: &[usize],
) -> Result<Vec<Q>, String> {
    let size = dtype.size();
    let mut out = Vec::with_capacity(data.len() / size);
    for (k, chunk) in data.chunks_exact(size).enumerate() {
        let mut b = [0u8; 8];
        b[..size].copy_from_slice(chunk);
        if big {
            b[..size].reverse();
        }
        let q = match dtype {
            Dtype::F16 => exact(f16_to_f64(u16::from_le_bytes([b[0], b[1]])), name, k, shape)?,
            Dtype::BF16 => exact(
                f64::from(f32::from_bits(
                    u32::from(u16::from_le_bytes([b[0], b[1]])) << 16,
                )),
                name,
                k,
                shape,
            )?,
            Dtype::F32 => exact(
                f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                name,
                k,
                shape,
            )?,
            Dtype::F64 => exact(f64::from_le_bytes(b), name, k, shape)?,
            Dtype::I8 => Q::from(b[0] as i8),
            Dtype::U8 => Q::from(b[0]),
            Dtype::I16 => Q::from(i16::from_le_bytes([b[0], b[1]])),
            Dtype::I32 => Q::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            Dtype::I64 => Q::from(i64::from_le_bytes(b)),
        };
        out.push(q);
    }
    Ok(out)
}

fn expect_len(name: &str, data: &[u8], count: usize, dtype: Dtype) -> Result<(), String> {
    let want = count.saturating_mul(dtype.size());
    if data.len() < want {
        return Err(format!(
            "tensor `{name}` is truncated: {} bytes of data, {want} expected",
            data.len()
        ));
    }
    if data.len() > want {
        return Err(format!(
            "tensor `{name}` has {} bytes of data, {want} expected",
            data.len()
        ));
    }
    Ok(())
}

/// The header of a `.npy` file, read as numpy reads it: a Python dict literal with exactly the
/// keys `descr` (a string), `fortran_order` (True or False) and `shape` (a tuple of integers),
/// each once (from a review: a repeated key was read at its first occurrence, numpy reads the
/// last, so the same file gave other numbers; `'True'` in quotes was read as False).
fn npy_header(header: &str) -> Result<(String, bool, Vec<usize>), String> {
    let body = header
        .trim()
        .strip_prefix('{')
        .and_then(|h| h.strip_suffix('}'))
        .ok_or("the header is not a dict")?;
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    let mut rest = body.trim_start();
    while !rest.is_empty() {
        let quote = rest.chars().next().filter(|c| *c == '\'' || *c == '"');
        let quote = quote.ok_or("a key is not a quoted string")?;
        let (key, after) = rest[1..]
            .split_once(quote)
            .ok_or("a key is not a quoted string")?;
        if !matches!(key, "descr" | "fortran_order" | "shape") {
            return Err(format!("an unknown key `{}`", key.escape_debug()));
        }
        let after = after
            .trim_start()
            .strip_prefix(':')
            .ok_or("a key without ':'")?;
        let after = after.trim_start();
        let (value, after) = match after.chars().next() {
            Some(q @ ('\'' | '"')) => {
                let (v, a) = after[1..].split_once(q).ok_or("an unclosed string")?;
                (Value::Text(v), a)
            }
            Some('(') => {
                let (v, a) = after[1..].split_once(')').ok_or("an unclosed tuple")?;
                (Value::Tuple(v), a)
            }
            _ if after.starts_with("True") => (Value::Bool(true), &after[4..]),
            _ if after.starts_with("False") => (Value::Bool(false), &after[5..]),
            _ => return Err(format!("the value of `{key}` is not read")),
        };
        let slot = match (key, value) {
            ("descr", Value::Text(v)) => descr.replace(v.to_string()),
            ("fortran_order", Value::Bool(v)) => fortran.replace(v).map(|_| String::new()),
            ("shape", Value::Tuple(v)) => shape.replace(v).map(|_| String::new()),
            _ => return Err(format!("`{key}` has a value of the wrong kind")),
        };
        if slot.is_some() {
            return Err(format!("`{key}` is given twice"));
        }
        let after = after.trim_start();
        rest = match after.strip_prefix(',') {
            Some(more) => more.trim_start(),
            None if after.is_empty() => after,
            None => return Err("entries not separated by ','".into()),
        };
    }
    let descr = descr.ok_or("no dtype")?;
    let fortran = fortran.ok_or("no fortran_order")?;
    let shape_text = shape.ok_or("no shape")?;
    let mut shape = Vec::new();
    let parts: Vec<&str> = shape_text.split(',').map(str::trim).collect();
    for (i, d) in parts.iter().enumerate() {
        // `(2,)` has a trailing comma; an empty part elsewhere (`(2,,3)`) is no shape.
        if d.is_empty() && (i + 1 == parts.len()) {
            continue;
        }
        // `2L`: a Python 2 long, which numpy's reader still takes.
        let d = d.strip_suffix('L').unwrap_or(d);
        shape.push(
            d.parse::<usize>()
                .map_err(|_| "a dimension is not a number")?,
        );
    }
    Ok((descr, fortran, shape))
}

/// A value in a `.npy` header.
enum Value<'a> {
    Text(&'a str),
    Bool(bool),
    Tuple(&'a str),
}

/// One `.npy` array: the header's dtype, order and shape, then the data.
pub fn read_npy(bytes: &[u8], name: &str, limits: &Limits) -> Result<Tensor, String> {
    let bad = |why: &str| format!("tensor `{name}`: not a valid .npy array ({why})");
    if !bytes.starts_with(b"\x93NUMPY") || bytes.len() < 10 {
        return Err(bad("no NUMPY magic"));
    }
    let (len, start): (usize, usize) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 if bytes.len() >= 12 => (
            u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]) as usize,
            12,
        ),
        _ => return Err(bad("unknown format version")),
    };
    let header = bytes
        .get(start..start.saturating_add(len))
        .ok_or_else(|| format!("tensor `{name}` is truncated: the header is cut short"))?;
    let header = std::str::from_utf8(header).map_err(|_| bad("the header is not text"))?;
    let (descr, fortran, shape) = npy_header(header).map_err(|why| bad(&why))?;
    let descr = descr.as_str();
    let (big, code) = match descr.split_at_checked(1) {
        Some((">", c)) => (true, c),
        Some(("<" | "|" | "=", c)) => (false, c),
        _ => (false, descr),
    };
    let dtype = match code {
        "f2" => Dtype::F16,
        "f4" => Dtype::F32,
        "f8" => Dtype::F64,
        "i1" => Dtype::I8,
        "u1" => Dtype::U8,
        "i2" => Dtype::I16,
        "i4" => Dtype::I32,
        "i8" => Dtype::I64,
        other => {
            // NumPy's codes count bytes (`f16` is float128, `f2` float16): the error says
            // which type the code is, so `<f16` is not read as float16.
            let known = numpy_type_name(other)
                .map(|t| format!(" ({t})"))
                .unwrap_or_default();
            return Err(format!(
                "tensor `{name}` has dtype `{}`{known}; weights must be float16/32/64 (`f2`, `f4`, `f8`), int8/16/32/64 (`i1`, `i2`, `i4`, `i8`) or uint8 (`u1`)",
                descr.escape_debug()
            ));
        }
    };
    let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    let count = match count {
        Some(n) if n <= limits.max_tensor_entries => n,
        _ => {
            return Err(format!(
                "tensor `{name}` has shape {shape:?}, more than {} entries (`max_tensor_entries`)",
                limits.max_tensor_entries
            ));
        }
    };
    if shape.len() != 1 && shape.len() != 2 {
        return tensor(name, &shape, Vec::new(), limits);
    }
    let data = &bytes[(start + len).min(bytes.len())..];
    expect_len(name, data, count, dtype)?;
    let mut values = decode(data, dtype, big, name, &shape)?;
    if fortran && let [r, c] = shape[..] {
        // Column-major storage: entry (i, j) is at j·r + i.
        let cm = values;
        values = (0..r * c)
            .map(|k| cm[(k % c) * r + k / c].clone())
            .collect();
    }
    tensor(name, &shape, values, limits)
}

/// The NumPy type a dtype code without its byte order names, for the codes a weights file
/// cannot hold.
fn numpy_type_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "f12" => "float96",
        "f16" => "float128",
        "u2" => "uint16",
        "u4" => "uint32",
        "u8" => "uint64",
        "c8" => "complex64",
        "c16" => "complex128",
        "c32" => "complex256",
        "b1" | "?" => "bool",
        "O" | "O8" => "Python objects",
        _ if code.starts_with('U') => "a Unicode string",
        _ if code.starts_with('S') || code.starts_with('a') => "a byte string",
        _ if code.starts_with('M') => "datetime64",
        _ if code.starts_with('m') => "timedelta64",
        _ if code.starts_with('V') => "raw bytes",
        _ => return None,
    })
}

/// How many entries the central directory of a zip archive says it holds (its end record),
/// when it says (not for a zip64 archive, whose count lives elsewhere).
fn zip_entry_count(bytes: &[u8]) -> Option<usize> {
    // The end record is 22 bytes and a comment of at most 65 535 follows it.
    let from = bytes.len().saturating_sub(22 + 65_535);
    let at = (from..=bytes.len().checked_sub(22)?)
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let total = u16::from_le_bytes([*bytes.get(at + 10)?, *bytes.get(at + 11)?]);
    (total != u16::MAX).then_some(usize::from(total))
}

/// Every `.npy` member of an `.npz` archive, named by its file name without `.npy`.
pub fn read_npz(bytes: &[u8], limits: &Limits) -> Result<Vec<(String, Tensor)>, String> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("not a valid .npz archive ({e})"))?;
    // An archive may list one name twice; the reader keeps one of them, so which tensor the
    // network would read is an accident of the archive's order.
    if zip_entry_count(bytes).is_some_and(|n| n != zip.len()) {
        return Err(
            "the .npz archive holds two members of one name; which one is meant is not known"
                .into(),
        );
    }
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip
            .by_index(i)
            .map_err(|e| format!("member {} of the archive cannot be read ({e})", i + 1))?;
        let full = f.name().to_string();
        let name = full.strip_suffix(".npy").unwrap_or(&full).to_string();
        if f.size() > limits.max_model_bytes {
            return Err(format!(
                "tensor `{name}` unpacks to {} bytes; the limit is {} (`max_model_bytes`)",
                f.size(),
                limits.max_model_bytes
            ));
        }
        let mut data = Vec::new();
        (&mut f)
            .take(limits.max_model_bytes)
            .read_to_end(&mut data)
            .map_err(|e| {
                format!(
                    "tensor `{name}` cannot be unpacked ({e}): the archive is damaged or truncated"
                )
            })?;
        out.push((name.clone(), read_npy(&data, &name, limits)?));
    }
    Ok(out)
}

/// The data offsets of each tensor in a `.safetensors` header against its dtype and shape and
/// the file's length, so that an error names the tensor (the crate's says "invalid shape, data
/// type, or offset for tensor" of none). What this does not read is left to the crate.
fn check_safetensors_offsets(bytes: &[u8]) -> Result<(), String> {
    let Some(len) = bytes
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    else {
        return Ok(());
    };
    let Some(header) = usize::try_from(len)
        .ok()
        .and_then(|len| bytes.get(8..8usize.checked_add(len)?))
    else {
        return Ok(());
    };
    let data = bytes.len() - 8 - header.len();
    let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(header) else {
        return Ok(());
    };
    // A name given twice: a JSON map keeps the last, and the bytes are read as the other's
    // dtype (from a review: a float64 tensor read as float32, without a word).
    if let Some(name) = repeated_top_level_key(header) {
        return Err(format!(
            "the header names the tensor `{name}` twice; which one is meant is not defined"
        ));
    }
    for (name, info) in map.iter().filter(|(n, _)| *n != "__metadata__") {
        let size = match info["dtype"].as_str() {
            Some("F64" | "I64" | "U64") => 8u128,
            Some("F32" | "I32" | "U32") => 4,
            Some("F16" | "BF16" | "I16" | "U16") => 2,
            Some("I8" | "U8" | "BOOL" | "F8_E4M3" | "F8_E5M2") => 1,
            _ => continue,
        };
        let (Some(shape), Some([start, end])) = (
            info["shape"].as_array(),
            info["data_offsets"].as_array().map(Vec::as_slice),
        ) else {
            continue;
        };
        let (Some(start), Some(end)) = (start.as_u64(), end.as_u64()) else {
            continue;
        };
        let elements = shape.iter().try_fold(1u128, |acc, d| {
            d.as_u64().and_then(|d| acc.checked_mul(d.into()))
        });
        let Some(want) = elements.and_then(|e| e.checked_mul(size)) else {
            continue;
        };
        if end < start || u128::from(end - start) != want {
            return Err(format!(
                "tensor `{name}`: its data offsets [{start}, {end}] do not hold its dtype {} and shape {} ({want} bytes)",
                info["dtype"].as_str().unwrap_or("?"),
                info["shape"]
            ));
        }
        if end > data as u64 {
            return Err(format!(
                "tensor `{name}` is truncated: its data ends at byte {end}, past the file's {data} bytes of data"
            ));
        }
    }
    Ok(())
}

/// The first key of a JSON object's text (valid JSON) that appears twice at its top level.
fn repeated_top_level_key(json: &[u8]) -> Option<String> {
    let mut seen = std::collections::HashSet::new();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < json.len() {
        match json[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                // The string's end: the next quote not escaped.
                let start = i;
                i += 1;
                while i < json.len() && json[i] != b'"' {
                    i += if json[i] == b'\\' { 2 } else { 1 };
                }
                let token = json.get(start..=i)?;
                let is_key = json[i + 1..]
                    .iter()
                    .find(|c| !c.is_ascii_whitespace())
                    .is_some_and(|c| *c == b':');
                if depth == 1 && is_key {
                    let key: String = serde_json::from_slice(token).ok()?;
                    if !seen.insert(key.clone()) {
                        return Some(key);
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Every tensor of a `.safetensors` file, by name.
pub fn read_safetensors(bytes: &[u8], limits: &Limits) -> Result<Vec<(String, Tensor)>, String> {
    use safetensors::Dtype as D;
    check_safetensors_offsets(bytes)?;
    let st = safetensors::SafeTensors::deserialize(bytes)
        .map_err(|e| format!("not a valid .safetensors file ({e})"))?;
    let mut names: Vec<String> = st.names().into_iter().map(|s| s.to_string()).collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let view = st
            .tensor(&name)
            .map_err(|e| format!("tensor `{name}` cannot be read ({e})"))?;
        let shape = view.shape().to_vec();
        let dtype = match view.dtype() {
            D::F16 => Dtype::F16,
            D::BF16 => Dtype::BF16,
            D::F32 => Dtype::F32,
            D::F64 => Dtype::F64,
            D::I8 => Dtype::I8,
            D::U8 => Dtype::U8,
            D::I16 => Dtype::I16,
            D::I32 => Dtype::I32,
            D::I64 => Dtype::I64,
            other => {
                return Err(format!(
                    "tensor `{name}` has dtype {other:?}; weights must be float16/32/64, bfloat16, int8/16/32/64 or uint8"
                ));
            }
        };
        if shape.len() != 1 && shape.len() != 2 {
            return Err(tensor(&name, &shape, Vec::new(), limits)
                .err()
                .unwrap_or_default());
        }
        let count = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
        if count.is_none_or(|n| n > limits.max_tensor_entries) {
            return Err(tensor(&name, &shape, Vec::new(), limits)
                .err()
                .unwrap_or_default());
        }
        let values = decode(view.data(), dtype, false, &name, &shape)?;
        out.push((name.clone(), tensor(&name, &shape, values, limits)?));
    }
    Ok(out)
}

/// Writes tensors as a `.safetensors` file in float64 (every value written must be a float64).
pub fn write_safetensors(tensors: &[(String, Tensor)], path: &Path) -> Result<(), String> {
    let mut buffers: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    for (name, t) in tensors {
        let mut bytes = Vec::with_capacity(t.data.len() * 8);
        for q in &t.data {
            let x = crate::float::q_to_f64(q);
            if Q::try_from(x).ok().as_ref() != Some(q) {
                return Err(format!("tensor `{name}` has a value that is not a float64"));
            }
            bytes.extend_from_slice(&x.to_le_bytes());
        }
        let shape = match t.cols {
            Some(c) => vec![t.rows, c],
            None => vec![t.rows],
        };
        buffers.push((name.clone(), shape, bytes));
    }
    let mut views = Vec::new();
    for (name, shape, bytes) in &buffers {
        let v = safetensors::tensor::TensorView::new(safetensors::Dtype::F64, shape.clone(), bytes)
            .map_err(|e| format!("tensor `{name}`: {e}"))?;
        views.push((name.clone(), v));
    }
    let data = safetensors::serialize(views, None).map_err(|e| e.to_string())?;
    std::fs::write(path, data).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::npy_header;

    /// A safetensors header naming one tensor twice is refused (from a review: the float64
    /// bytes of the first were read as the second's float32), and keys inside a tensor's
    /// entry, in strings or escaped, are not top-level names.
    #[test]
    fn a_name_given_twice_in_a_safetensors_header_is_refused() {
        let file = |header: &str, data: &[u8]| {
            let mut out = (header.len() as u64).to_le_bytes().to_vec();
            out.extend_from_slice(header.as_bytes());
            out.extend_from_slice(data);
            out
        };
        let data: Vec<u8> = [1.0f64, 2.0].iter().flat_map(|x| x.to_le_bytes()).collect();
        let twice = r#"{"W1":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"W1":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#;
        let e = super::read_safetensors(&file(twice, &data), &Default::default()).unwrap_err();
        assert!(e.contains("`W1` twice"), "{e}");
        let once = r#"{"W1":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"__metadata__":{"W1":"\"W1\":"}}"#;
        let read = super::read_safetensors(&file(once, &data), &Default::default());
        assert_eq!(read.map(|t| t.len()), Ok(1));
        assert_eq!(
            super::repeated_top_level_key(br#"{"a\"b":1, "a\u0022b" : 2}"#),
            Some("a\"b".into())
        );
    }

    #[test]
    fn a_npy_header_is_read_as_numpy_reads_it() {
        let ok = npy_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }   \n");
        assert_eq!(ok, Ok(("<f4".to_string(), true, vec![2, 3])));
        let ok = npy_header("{\"descr\": \"<i4\", \"shape\": (4,), \"fortran_order\": False}");
        assert_eq!(ok, Ok(("<i4".to_string(), false, vec![4])));
        assert_eq!(
            npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': ()}"),
            Ok(("<f8".to_string(), false, vec![]))
        );
        // What numpy's reader also takes: a leading space, Python 2 longs.
        assert_eq!(
            npy_header(" {'descr': '<f8', 'fortran_order': False, 'shape': (2L, 3L), }"),
            Ok(("<f8".to_string(), false, vec![2, 3]))
        );
        // Refused where numpy refuses, or reads another array than the first key would say.
        for (header, why) in [
            (
                "{'descr': '<f4', 'descr': '<i4', 'fortran_order': False, 'shape': (2,)}",
                "`descr` is given twice",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'fortran_order': True, 'shape': (2,)}",
                "`fortran_order` is given twice",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4), 'shape': (2, 2)}",
                "`shape` is given twice",
            ),
            (
                "{'descr': '<f4', 'fortran_order': 'True', 'shape': (2,)}",
                "`fortran_order` has a value of the wrong kind",
            ),
            (
                "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,)}",
                "the value of `fortran_order` is not read",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'evil': 1}",
                "an unknown key `evil`",
            ),
            ("{'descr': '<f4', 'shape': (2,)}", "no fortran_order"),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,,3)}",
                "a dimension is not a number",
            ),
            (
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2}",
                "an unclosed tuple",
            ),
            ("'descr': '<f4'", "the header is not a dict"),
        ] {
            assert_eq!(npy_header(header), Err(why.to_string()), "{header}");
        }
    }
}
