//! Printers: Unicode text, ASCII (the input syntax), LaTeX and JSON, all from one display tree.

/// `12` → `₁₂`.
pub fn subscript(n: u64) -> String {
    n.to_string().chars().map(|c| char::from_u32(c as u32 - '0' as u32 + 0x2080).unwrap_or(c)).collect()
}

/// `12` → `¹²`, `-1` → `⁻¹`.
pub fn superscript(n: i64) -> String {
    let digits = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut s = String::new();
    if n < 0 {
        s.push('⁻');
    }
    for c in n.unsigned_abs().to_string().chars() {
        s.push(digits[(c as u8 - b'0') as usize]);
    }
    s
}
